// RUN: seqmix-opt %s -split-input-file -seqmix-expand-chunked | FileCheck %s
// RUN: seqmix-opt %s -split-input-file -seqmix-lower-to-linalg | FileCheck %s --check-prefix=LINALG

// The chunked form of seqmix.apply: seqmix-expand-chunked rewrites each
// apply with #seqmix.form<chunked, chunk = C> into chunk-level ops (first
// RUN line); seqmix-lower-to-linalg does the same and lowers the chunk-level
// ops, leaving no seqmix op (second RUN line). q, k [B, T, H, K] with H = 4
// q/k heads, values [B, T, Hv, V] with Hv = 8 value heads, K = 32, V = 16.

// Causal linear attention (no decay) with an initial and a final state: the
// value in f32, the intra-chunk scores q kᵀ, the scan, the output.
// CHECK-LABEL: func.func @linear_attention
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x?x4x32xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x?x4x32xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x?x8x16xbf16>, %[[S0:[a-z0-9_]+]]: tensor<2x8x32x16xf32>)
// CHECK-NOT: seqmix.semiseparable
// CHECK: %[[V32:.*]] = linalg.generic {{.*}} ins(%[[V]] : tensor<2x?x8x16xbf16>)
// CHECK: arith.extf
// CHECK: %[[A:.*]] = seqmix.chunk_gram %[[Q]], %[[K]] {chunk = 16 : i64} : tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16> -> tensor<2x?x8x16xf32>
// CHECK: %[[H:.*]], %[[HT:.*]] = seqmix.chunk_state_scan %[[K]], %[[V32]] init(%[[S0]] : tensor<2x8x32x16xf32>) {chunk = 16 : i64} : tensor<2x?x4x32xbf16>, tensor<2x?x8x16xf32> -> tensor<2x?x8x32x16xf32>, tensor<2x8x32x16xf32>
// CHECK: %[[O:.*]] = seqmix.chunk_output %[[Q]], %[[A]], %[[V32]], %[[H]] {chunk = 16 : i64, scale = 0.17677669529663687 : f64} : tensor<2x?x4x32xbf16>, tensor<2x?x8x16xf32>, tensor<2x?x8x16xf32>, tensor<2x?x8x32x16xf32> -> tensor<2x?x8x16xf32>
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[O]] : tensor<2x?x8x16xf32>)
// CHECK: arith.truncf
// CHECK: return %[[OUT]], %[[HT]]

// LINALG-LABEL: func.func @linear_attention
// LINALG-NOT: seqmix.
// LINALG: return
func.func @linear_attention(%q: tensor<2x?x4x32xbf16>, %k: tensor<2x?x4x32xbf16>,
                            %v: tensor<2x?x8x16xbf16>, %s0: tensor<2x8x32x16xf32>)
    -> (tensor<2x?x8x16xbf16>, tensor<2x8x32x16xf32>) {
  %m = seqmix.semiseparable %q, %k : tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16>
      -> !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  %o, %s = seqmix.apply %m, %v init(%s0 : tensor<2x8x32x16xf32>)
      {form = #seqmix.form<chunked, chunk = 16>}
      : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>,
        tensor<2x?x8x16xbf16> -> tensor<2x?x8x16xbf16>, tensor<2x8x32x16xf32>
  return %o, %s : tensor<2x?x8x16xbf16>, tensor<2x8x32x16xf32>
}

// -----

// RetNet: the static log decay [Hv] is broadcast over the tokens, then
// cumsummed per chunk like a scalar gate. NT = ceil(100 / 64) = 2.
// CHECK-LABEL: func.func @retnet
// CHECK-SAME: %[[G:[a-z0-9_]+]]: tensor<8xf32>
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<8xf32>) outs(%{{.*}} : tensor<2x100x8xf32>)
// CHECK: %[[GC:.*]] = seqmix.chunk_cumsum %[[B]] {chunk = 64 : i64} : tensor<2x100x8xf32> -> tensor<2x100x8xf32>
// CHECK: seqmix.chunk_gram {{.*}} decay(%[[GC]] : tensor<2x100x8xf32>) {chunk = 64 : i64} : {{.*}} -> tensor<2x100x8x64xf32>
// CHECK: seqmix.chunk_state_scan {{.*}} decay(%[[GC]] : tensor<2x100x8xf32>) {chunk = 64 : i64} : tensor<2x100x4x32xf32>, tensor<2x100x8x16xf32> -> tensor<2x2x8x32x16xf32>, tensor<2x8x32x16xf32>
// CHECK: seqmix.chunk_output {{.*}} decay(%[[GC]] : tensor<2x100x8xf32>) {chunk = 64 : i64, scale = 0.17677669529663687 : f64}

// LINALG-LABEL: func.func @retnet
// LINALG-NOT: seqmix.
// LINALG: return
func.func @retnet(%q: tensor<2x100x4x32xf32>, %k: tensor<2x100x4x32xf32>,
                  %g: tensor<8xf32>, %v: tensor<2x100x8x16xf32>) -> tensor<2x100x8x16xf32> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<8xf32>)
      : tensor<2x100x4x32xf32>, tensor<2x100x4x32xf32>
      -> !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64>}
      : !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>,
        tensor<2x100x8x16xf32> -> tensor<2x100x8x16xf32>
  return %o : tensor<2x100x8x16xf32>
}

// -----

// GLA over packed sequences: every chunk-level op takes the offsets, the
// chunk count NT is dynamic, the final state has N = 3 sequences.
// CHECK-LABEL: func.func @gla_packed
// CHECK-SAME: %[[G:[a-z0-9_]+]]: tensor<1x?x8x32xf32>, %[[V:[a-z0-9_]+]]: tensor<1x?x8x16xf32>, %[[CU:[a-z0-9_]+]]: tensor<4xi32>
// CHECK: %[[GC:.*]] = seqmix.chunk_cumsum %[[G]] seqlens(%[[CU]] : tensor<4xi32>) {chunk = 16 : i64} : tensor<1x?x8x32xf32> -> tensor<1x?x8x32xf32>
// CHECK: %[[A:.*]] = seqmix.chunk_gram %{{.*}}, %{{.*}} decay(%[[GC]] : tensor<1x?x8x32xf32>) seqlens(%[[CU]] : tensor<4xi32>) {chunk = 16 : i64}
// CHECK: %[[H:.*]], %[[HT:.*]] = seqmix.chunk_state_scan %{{.*}}, %[[V]] decay(%[[GC]] : tensor<1x?x8x32xf32>) seqlens(%[[CU]] : tensor<4xi32>) {chunk = 16 : i64} : tensor<1x?x4x32xf32>, tensor<1x?x8x16xf32> -> tensor<1x?x8x32x16xf32>, tensor<3x8x32x16xf32>
// CHECK: %[[O:.*]] = seqmix.chunk_output %{{.*}}, %[[A]], %[[V]], %[[H]] decay(%[[GC]] : tensor<1x?x8x32xf32>) seqlens(%[[CU]] : tensor<4xi32>)
// CHECK: return %[[O]], %[[HT]]

// LINALG-LABEL: func.func @gla_packed
// LINALG-NOT: seqmix.
// LINALG: return
func.func @gla_packed(%q: tensor<1x?x4x32xf32>, %k: tensor<1x?x4x32xf32>,
                      %g: tensor<1x?x8x32xf32>, %v: tensor<1x?x8x16xf32>,
                      %cu: tensor<4xi32>) -> (tensor<1x?x8x16xf32>, tensor<3x8x32x16xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x?x8x32xf32>)
      : tensor<1x?x4x32xf32>, tensor<1x?x4x32xf32>
      -> !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 32, decay = diagonal, transition = additive>>
  %o, %s = seqmix.apply %m, %v seqlens(%cu : tensor<4xi32>)
      {form = #seqmix.form<chunked, chunk = 16>}
      : !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 32, decay = diagonal, transition = additive>>,
        tensor<1x?x8x16xf32> -> tensor<1x?x8x16xf32>, tensor<3x8x32x16xf32>
  return %o, %s : tensor<1x?x8x16xf32>, tensor<3x8x32x16xf32>
}

// -----

// Gated DeltaNet: the strictly lower decayed k kᵀ, its UT transform with β,
// W and U, q kᵀ, the scan that also gives the corrected values, the output
// of the corrected values.
// CHECK-LABEL: func.func @gated_deltanet
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x?x4x32xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x?x4x32xbf16>, %[[G:[a-z0-9_]+]]: tensor<2x?x8xf32>, %[[BETA:[a-z0-9_]+]]: tensor<2x?x8xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x?x8x16xbf16>)
// CHECK: %[[V32:.*]] = linalg.generic {{.*}} ins(%[[V]] : tensor<2x?x8x16xbf16>)
// CHECK: %[[GC:.*]] = seqmix.chunk_cumsum %[[G]] {chunk = 32 : i64} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
// CHECK: %[[AKK:.*]] = seqmix.chunk_gram %[[K]], %[[K]] decay(%[[GC]] : tensor<2x?x8xf32>) {chunk = 32 : i64, strict} : tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16> -> tensor<2x?x8x32xf32>
// CHECK: %[[T:.*]] = seqmix.tri_inverse %[[AKK]], %[[BETA]] {chunk = 32 : i64} : tensor<2x?x8x32xf32>, tensor<2x?x8xbf16> -> tensor<2x?x8x32xf32>
// CHECK: %[[W:.*]], %[[U:.*]] = seqmix.wy_apply %[[T]], %[[K]], %[[V32]] decay(%[[GC]] : tensor<2x?x8xf32>) {chunk = 32 : i64} : tensor<2x?x8x32xf32>, tensor<2x?x4x32xbf16>, tensor<2x?x8x16xf32> -> tensor<2x?x8x32xf32>, tensor<2x?x8x16xf32>
// CHECK: %[[AQK:.*]] = seqmix.chunk_gram %[[Q]], %[[K]] decay(%[[GC]] : tensor<2x?x8xf32>) {chunk = 32 : i64} : tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16> -> tensor<2x?x8x32xf32>
// CHECK: %[[H:.*]], %{{.*}}, %[[VN:.*]] = seqmix.chunk_state_scan %[[K]], %[[U]] w(%[[W]] : tensor<2x?x8x32xf32>) decay(%[[GC]] : tensor<2x?x8xf32>) {chunk = 32 : i64} : tensor<2x?x4x32xbf16>, tensor<2x?x8x16xf32> -> tensor<2x?x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x?x8x16xf32>
// CHECK: seqmix.chunk_output %[[Q]], %[[AQK]], %[[VN]], %[[H]] decay(%[[GC]] : tensor<2x?x8xf32>) {chunk = 32 : i64, scale = 0.17677669529663687 : f64}

// LINALG-LABEL: func.func @gated_deltanet
// LINALG-NOT: seqmix.
// LINALG: return
func.func @gated_deltanet(%q: tensor<2x?x4x32xbf16>, %k: tensor<2x?x4x32xbf16>,
                          %g: tensor<2x?x8xf32>, %beta: tensor<2x?x8xbf16>,
                          %v: tensor<2x?x8x16xbf16>) -> tensor<2x?x8x16xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x?x8xf32>)
      beta(%beta : tensor<2x?x8xbf16>)
      : tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16>
      -> !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 32>}
      : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>,
        tensor<2x?x8x16xbf16> -> tensor<2x?x8x16xbf16>
  return %o : tensor<2x?x8x16xbf16>
}

// -----

// KDA: the same chain with a diagonal decay [B, T, Hv, K].
// CHECK-LABEL: func.func @kda
// CHECK: %[[GC:.*]] = seqmix.chunk_cumsum %{{.*}} {chunk = 16 : i64} : tensor<1x64x8x32xf32> -> tensor<1x64x8x32xf32>
// CHECK: seqmix.chunk_gram {{.*}} decay(%[[GC]] : tensor<1x64x8x32xf32>) {chunk = 16 : i64, strict}
// CHECK: seqmix.tri_inverse
// CHECK: seqmix.wy_apply {{.*}} decay(%[[GC]] : tensor<1x64x8x32xf32>)
// CHECK: seqmix.chunk_gram {{.*}} decay(%[[GC]] : tensor<1x64x8x32xf32>) {chunk = 16 : i64}
// CHECK: seqmix.chunk_state_scan {{.*}} decay(%[[GC]] : tensor<1x64x8x32xf32>) {chunk = 16 : i64} : {{.*}} -> tensor<1x4x8x32x16xf32>, tensor<1x8x32x16xf32>, tensor<1x64x8x16xf32>
// CHECK: seqmix.chunk_output

// LINALG-LABEL: func.func @kda
// LINALG-NOT: seqmix.
// LINALG: return
func.func @kda(%q: tensor<1x64x4x32xf32>, %k: tensor<1x64x4x32xf32>,
               %g: tensor<1x64x8x32xf32>, %beta: tensor<1x64x8xf32>,
               %v: tensor<1x64x8x16xf32>) -> tensor<1x64x8x16xf32> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x64x8x32xf32>)
      beta(%beta : tensor<1x64x8xf32>)
      : tensor<1x64x4x32xf32>, tensor<1x64x4x32xf32>
      -> !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = diagonal, transition = delta>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 16>}
      : !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = diagonal, transition = delta>>,
        tensor<1x64x8x16xf32> -> tensor<1x64x8x16xf32>
  return %o : tensor<1x64x8x16xf32>
}

// -----

// Mamba2: dt scales the values before the scan and the output; the D term
// is an elementwise product added to the chunked output.
// CHECK-LABEL: func.func @mamba2
// CHECK-SAME: %[[DT:[a-z0-9_]+]]: tensor<2x?x8xf32>, %[[X:[a-z0-9_]+]]: tensor<2x?x8x16xf32>
// CHECK: %[[XDT:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[DT]] : tensor<2x?x8x16xf32>, tensor<2x?x8xf32>)
// CHECK: arith.mulf
// CHECK: %[[H:.*]], %{{.*}} = seqmix.chunk_state_scan %{{.*}}, %[[XDT]] decay
// CHECK: %[[O:.*]] = seqmix.chunk_output %{{.*}}, %{{.*}}, %[[XDT]], %[[H]] decay({{.*}}) {chunk = 64 : i64, scale = 1.000000e+00 : f64}
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<2x?x8x16xf32>, tensor<8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[O]], %[[DX]] :
// CHECK: arith.addf

// LINALG-LABEL: func.func @mamba2
// LINALG-NOT: seqmix.
// LINALG: return
func.func @mamba2(%c: tensor<2x?x2x32xf32>, %b: tensor<2x?x2x32xf32>,
                  %adt: tensor<2x?x8xf32>, %dt: tensor<2x?x8xf32>,
                  %x: tensor<2x?x8x16xf32>, %D: tensor<8xf32>) -> tensor<2x?x8x16xf32> {
  %ss = seqmix.semiseparable %c, %b gate(%adt : tensor<2x?x8xf32>) dt(%dt : tensor<2x?x8xf32>)
      {scale = 1.0 : f64} : tensor<2x?x2x32xf32>, tensor<2x?x2x32xf32>
      -> !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  %d = seqmix.diagonal %D : tensor<8xf32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
  %m = seqmix.add %ss, %d
      : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>,
        !seqmix.mixer<?x8x?, #seqmix.diagonal>
  %o = seqmix.apply %m, %x {form = #seqmix.form<chunked, chunk = 64>}
      : !seqmix.mixer<2x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 32, decay = scalar, transition = additive>, #seqmix.diagonal]>>,
        tensor<2x?x8x16xf32> -> tensor<2x?x8x16xf32>
  return %o : tensor<2x?x8x16xf32>
}

// -----

// Hydra-like: the causal term is chunked, the anticausal (transposed) term
// takes the recurrent form, a backward scan over the tokens.
// CHECK-LABEL: func.func @bidirectional
// CHECK: seqmix.chunk_output
// CHECK: scf.for
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK-NOT: seqmix.
// CHECK: return

// LINALG-LABEL: func.func @bidirectional
// LINALG-NOT: seqmix.
// LINALG: return
func.func @bidirectional(%q: tensor<2x?x4x32xf32>, %k: tensor<2x?x4x32xf32>,
                         %g: tensor<2x?x8xf32>, %v: tensor<2x?x8x16xf32>)
    -> tensor<2x?x8x16xf32> {
  %f = seqmix.semiseparable %q, %k gate(%g : tensor<2x?x8xf32>)
      : tensor<2x?x4x32xf32>, tensor<2x?x4x32xf32>
      -> !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  %b = seqmix.transpose %f
      : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  %m = seqmix.add %f, %b
      : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>,
        !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive, direction = anticausal>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64>}
      : !seqmix.mixer<2x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 32, decay = scalar, transition = additive>, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive, direction = anticausal>]>>,
        tensor<2x?x8x16xf32> -> tensor<2x?x8x16xf32>
  return %o : tensor<2x?x8x16xf32>
}

// -----

// seqmix-expand-chunked leaves the other forms alone.
// CHECK-LABEL: func.func @recurrent_untouched
// CHECK: seqmix.semiseparable
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<recurrent>}
// CHECK-NOT: seqmix.chunk

// LINALG-LABEL: func.func @recurrent_untouched
// LINALG-NOT: seqmix.
// LINALG: return
func.func @recurrent_untouched(%q: tensor<2x?x4x32xf32>, %k: tensor<2x?x4x32xf32>,
                               %v: tensor<2x?x8x16xf32>) -> tensor<2x?x8x16xf32> {
  %m = seqmix.semiseparable %q, %k : tensor<2x?x4x32xf32>, tensor<2x?x4x32xf32>
      -> !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent>}
      : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>,
        tensor<2x?x8x16xf32> -> tensor<2x?x8x16xf32>
  return %o : tensor<2x?x8x16xf32>
}

// -----

// A chunk-level op written by hand is lowered by seqmix-lower-to-linalg:
// scf.for over the batch rows, scf.for over their chunks (step C, the last
// one min(C, T - c0) tokens), a masked sum over the chunk (j ≤ i selected).
// CHECK-LABEL: func.func @cumsum_by_hand
// CHECK: seqmix.chunk_cumsum

// LINALG-LABEL: func.func @cumsum_by_hand
// LINALG: scf.for %[[N:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// LINALG: %[[C16:.*]] = arith.constant 16 : index
// LINALG: scf.for %[[C0:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %[[C16]] iter_args
// LINALG: %[[REST:.*]] = arith.subi %{{.*}}, %[[C0]] : index
// LINALG: %[[L:.*]] = arith.minsi %[[REST]], %{{.*}} : index
// LINALG: tensor.extract_slice %{{.*}}[%[[N]], %[[C0]], 0] [1, %[[L]], 8] [1, 1, 1]
// LINALG: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// LINALG: %[[I:.*]] = linalg.index 0
// LINALG: %[[J:.*]] = linalg.index 2
// LINALG: arith.cmpi ule, %[[J]], %[[I]]
// LINALG: arith.select
// LINALG: tensor.insert_slice
// LINALG-NOT: seqmix.
// LINALG: return
func.func @cumsum_by_hand(%g: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %c = seqmix.chunk_cumsum %g {chunk = 16 : i64} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
  return %c : tensor<2x?x8xf32>
}

// -----

// Only non-positive differences of the cumsum are exponentiated: the entries
// above the diagonal select 0 before math.exp, and their product is
// selected away rather than multiplied by a mask.
// LINALG-LABEL: func.func @gram_by_hand
// LINALG: linalg.generic
// LINALG: arith.cmpi ule
// LINALG: %[[D:.*]] = arith.subf
// LINALG: %[[SD:.*]] = arith.select %{{.*}}, %[[D]], %{{.*}} : f32
// LINALG: %[[E:.*]] = math.exp %[[SD]] : f32
// LINALG: %[[P:.*]] = arith.mulf %{{.*}}, %[[E]] : f32
// LINALG: arith.select %{{.*}}, %[[P]], %{{.*}} : f32
func.func @gram_by_hand(%q: tensor<1x?x4x32xf32>, %k: tensor<1x?x4x32xf32>,
                        %g: tensor<1x?x8xf32>) -> tensor<1x?x8x16xf32> {
  %a = seqmix.chunk_gram %q, %k decay(%g : tensor<1x?x8xf32>) {chunk = 16 : i64}
      : tensor<1x?x4x32xf32>, tensor<1x?x4x32xf32> -> tensor<1x?x8x16xf32>
  return %a : tensor<1x?x8x16xf32>
}
