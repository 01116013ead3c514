// RUN: seqmix-opt %s -split-input-file \
// RUN:   | seqmix-opt -split-input-file | FileCheck %s
// RUN: seqmix-opt %s -split-input-file --mlir-print-op-generic \
// RUN:   | seqmix-opt -split-input-file | FileCheck %s

// Round trips of every op, type and attribute of the seqmix dialect, one
// function per family of sequence mixers, in fla's [B, T, H, D] layout.
// The first RUN line goes through the custom assembly formats, the second
// through the generic form; both must print the same custom form again.

//===----------------------------------------------------------------------===//
// Causal linear attention: S_t = S_{t-1} + k_t v_tᵀ (decay none).
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear_attention
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x?x4x64xbf16>, %[[K:[a-z0-9_]+]]: tensor<?x?x4x64xbf16>, %[[V:[a-z0-9_]+]]: tensor<?x?x4x32xbf16>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16> -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>, tensor<?x?x4x32xbf16> -> tensor<?x?x4x32xbf16>
// CHECK: return %[[O]]
func.func @linear_attention(%q: tensor<?x?x4x64xbf16>,
                            %k: tensor<?x?x4x64xbf16>,
                            %v: tensor<?x?x4x32xbf16>)
    -> tensor<?x?x4x32xbf16> {
  %m = seqmix.semiseparable %q, %k
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>
      -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none,
                                                    transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none,
                                                    transition = additive>>,
        tensor<?x?x4x32xbf16> -> tensor<?x?x4x32xbf16>
  return %o : tensor<?x?x4x32xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// RetNet: S_t = γ_h S_{t-1} + k_t v_tᵀ with log γ_h = log(1 - 2^(-5-h))
// (decay static, a constant gate [Hv]).
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @retnet
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x512x8x64xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x512x8x64xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x512x8x128xbf16>)
// CHECK: %[[G:.*]] = arith.constant dense<[-0.0317486{{[0-9]*}}, -0.015748{{[0-9]*}}, {{.*}}]> : tensor<8xf32>
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<8xf32>) : tensor<2x512x8x64xbf16>, tensor<2x512x8x64xbf16> -> !seqmix.mixer<2x8x512, #seqmix.semiseparable<state = 64, decay = static, transition = additive>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<2x8x512, #seqmix.semiseparable<state = 64, decay = static, transition = additive>>, tensor<2x512x8x128xbf16> -> tensor<2x512x8x128xbf16>
// CHECK: return %[[O]]
func.func @retnet(%q: tensor<2x512x8x64xbf16>, %k: tensor<2x512x8x64xbf16>,
                  %v: tensor<2x512x8x128xbf16>) -> tensor<2x512x8x128xbf16> {
  %log_gamma = arith.constant dense<[-0.0317486983, -0.015748357,
      -0.00784317746, -0.00391389932, -0.00195503484, -0.000977039648,
      -0.000488400498, -0.000244170432]> : tensor<8xf32>
  %m = seqmix.semiseparable %q, %k gate(%log_gamma : tensor<8xf32>)
      : tensor<2x512x8x64xbf16>, tensor<2x512x8x64xbf16>
      -> !seqmix.mixer<2x8x512, #seqmix.semiseparable<state = 64,
                                    decay = static, transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<2x8x512, #seqmix.semiseparable<state = 64,
                                    decay = static, transition = additive>>,
        tensor<2x512x8x128xbf16> -> tensor<2x512x8x128xbf16>
  return %o : tensor<2x512x8x128xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Lightning attention: the same static decay, with per-head slopes
// log γ_h = -(8/H)(1 - layer/layers) h given as an operand; f32 inputs.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @lightning_attention
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x?x8x96xf32>, %[[K:[a-z0-9_]+]]: tensor<?x?x8x96xf32>, %[[V:[a-z0-9_]+]]: tensor<?x?x8x96xf32>, %[[S:[a-z0-9_]+]]: tensor<8xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[S]] : tensor<8xf32>) : tensor<?x?x8x96xf32>, tensor<?x?x8x96xf32> -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 96, decay = static, transition = additive>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 96, decay = static, transition = additive>>, tensor<?x?x8x96xf32> -> tensor<?x?x8x96xf32>
// CHECK: return %[[O]]
func.func @lightning_attention(%q: tensor<?x?x8x96xf32>,
                               %k: tensor<?x?x8x96xf32>,
                               %v: tensor<?x?x8x96xf32>,
                               %slope: tensor<8xf32>) -> tensor<?x?x8x96xf32> {
  %m = seqmix.semiseparable %q, %k gate(%slope : tensor<8xf32>)
      : tensor<?x?x8x96xf32>, tensor<?x?x8x96xf32>
      -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 96,
                                  decay = static, transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 96,
                                  decay = static, transition = additive>>,
        tensor<?x?x8x96xf32> -> tensor<?x?x8x96xf32>
  return %o : tensor<?x?x8x96xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Simple GLA: S_t = exp(g_t) S_{t-1} + k_t v_tᵀ, g [B, T, Hv] (decay
// scalar); the form of the apply is pinned by hand.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @simple_gla
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x?x8x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<?x?x8x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<?x?x8x128xbf16>, %[[G:[a-z0-9_]+]]: tensor<?x?x8xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<?x?x8xf32>) : tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16> -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>} : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>, tensor<?x?x8x128xbf16> -> tensor<?x?x8x128xbf16>
// CHECK: return %[[O]]
func.func @simple_gla(%q: tensor<?x?x8x128xbf16>, %k: tensor<?x?x8x128xbf16>,
                      %v: tensor<?x?x8x128xbf16>,
                      %g: tensor<?x?x8xf32>) -> tensor<?x?x8x128xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x8xf32>)
      : tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>
      -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128,
                                  decay = scalar, transition = additive>>
  %o = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128,
                                  decay = scalar, transition = additive>>,
        tensor<?x?x8x128xbf16> -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// GLA: S_t = Diag(exp(g_t)) S_{t-1} + k_t v_tᵀ, g [B, T, Hv, K] (decay
// diagonal), fla's layer defaults K = 128, V = 256, 4 heads; with an
// initial and a final state.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gla
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x1024x4x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x1024x4x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x1024x4x256xbf16>, %[[G:[a-z0-9_]+]]: tensor<2x1024x4x128xf32>, %[[S0:[a-z0-9_]+]]: tensor<2x4x128x256xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<2x1024x4x128xf32>) : tensor<2x1024x4x128xbf16>, tensor<2x1024x4x128xbf16> -> !seqmix.mixer<2x4x1024, #seqmix.semiseparable<state = 128, decay = diagonal, transition = additive>>
// CHECK: %[[O:.*]], %[[ST:.*]] = seqmix.apply %[[M]], %[[V]] init(%[[S0]] : tensor<2x4x128x256xf32>) : !seqmix.mixer<2x4x1024, #seqmix.semiseparable<state = 128, decay = diagonal, transition = additive>>, tensor<2x1024x4x256xbf16> -> tensor<2x1024x4x256xbf16>, tensor<2x4x128x256xf32>
// CHECK: return %[[O]], %[[ST]]
func.func @gla(%q: tensor<2x1024x4x128xbf16>, %k: tensor<2x1024x4x128xbf16>,
               %v: tensor<2x1024x4x256xbf16>, %g: tensor<2x1024x4x128xf32>,
               %s0: tensor<2x4x128x256xf32>)
    -> (tensor<2x1024x4x256xbf16>, tensor<2x4x128x256xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x1024x4x128xf32>)
      : tensor<2x1024x4x128xbf16>, tensor<2x1024x4x128xbf16>
      -> !seqmix.mixer<2x4x1024, #seqmix.semiseparable<state = 128,
                                     decay = diagonal, transition = additive>>
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<2x4x128x256xf32>)
      : !seqmix.mixer<2x4x1024, #seqmix.semiseparable<state = 128,
                                     decay = diagonal, transition = additive>>,
        tensor<2x1024x4x256xbf16>
      -> tensor<2x1024x4x256xbf16>, tensor<2x4x128x256xf32>
  return %o, %sT : tensor<2x1024x4x256xbf16>, tensor<2x4x128x256xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Mamba2 SSD with 2 groups: q = C, k = B ([B, T, G = 2, N]), 8 value heads,
// v = x with B_t scaled by dt, g = A·dt, scale 1, plus the skip D·x as a
// diagonal term; initial and final state.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @mamba2
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<?x?x8x64xbf16>, %[[DT:[a-z0-9_]+]]: tensor<?x?x8xf32>, %[[A:[a-z0-9_]+]]: tensor<8xf32>, %[[B:[a-z0-9_]+]]: tensor<?x?x2x128xbf16>, %[[C:[a-z0-9_]+]]: tensor<?x?x2x128xbf16>, %[[D:[a-z0-9_]+]]: tensor<8xf32>, %[[S0:[a-z0-9_]+]]: tensor<?x8x128x64xf32>)
// CHECK: %[[AB:.*]] = linalg.broadcast ins(%[[A]] : tensor<8xf32>)
// CHECK: %[[G:.*]] = arith.mulf %[[AB]], %[[DT]] : tensor<?x?x8xf32>
// CHECK: %[[SS:.*]] = seqmix.semiseparable %[[C]], %[[B]] gate(%[[G]] : tensor<?x?x8xf32>) dt(%[[DT]] : tensor<?x?x8xf32>) {scale = 1.000000e+00 : f64} : tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16> -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
// CHECK: %[[DM:.*]] = seqmix.diagonal %[[D]] : tensor<8xf32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
// CHECK: %[[M:.*]] = seqmix.add %[[SS]], %[[DM]] : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>, !seqmix.mixer<?x8x?, #seqmix.diagonal>
// CHECK: %[[Y:.*]], %[[ST:.*]] = seqmix.apply %[[M]], %[[X]] init(%[[S0]] : tensor<?x8x128x64xf32>) : !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>, tensor<?x?x8x64xbf16> -> tensor<?x?x8x64xbf16>, tensor<?x8x128x64xf32>
// CHECK: return %[[Y]], %[[ST]]
func.func @mamba2(%x: tensor<?x?x8x64xbf16>, %dt: tensor<?x?x8xf32>,
                  %A: tensor<8xf32>, %B: tensor<?x?x2x128xbf16>,
                  %C: tensor<?x?x2x128xbf16>, %D: tensor<8xf32>,
                  %s0: tensor<?x8x128x64xf32>)
    -> (tensor<?x?x8x64xbf16>, tensor<?x8x128x64xf32>) {
  // g = A·dt, broadcast over batch and time.
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %dt, %c0 : tensor<?x?x8xf32>
  %t = tensor.dim %dt, %c1 : tensor<?x?x8xf32>
  %empty = tensor.empty(%b, %t) : tensor<?x?x8xf32>
  %A_bt = linalg.broadcast ins(%A : tensor<8xf32>)
      outs(%empty : tensor<?x?x8xf32>) dimensions = [0, 1]
  %g = arith.mulf %A_bt, %dt : tensor<?x?x8xf32>

  %ss = seqmix.semiseparable %C, %B gate(%g : tensor<?x?x8xf32>)
      dt(%dt : tensor<?x?x8xf32>) {scale = 1.0 : f64}
      : tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16>
      -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128,
                                  decay = scalar, transition = additive>>
  %d = seqmix.diagonal %D
      : tensor<8xf32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
  %m = seqmix.add %ss, %d
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128,
                                  decay = scalar, transition = additive>>,
        !seqmix.mixer<?x8x?, #seqmix.diagonal>
  %y, %sT = seqmix.apply %m, %x init(%s0 : tensor<?x8x128x64xf32>)
      : !seqmix.mixer<?x8x?, #seqmix.sum<[
            #seqmix.semiseparable<state = 128, decay = scalar,
                                  transition = additive>,
            #seqmix.diagonal]>>,
        tensor<?x?x8x64xbf16> -> tensor<?x?x8x64xbf16>, tensor<?x8x128x64xf32>
  return %y, %sT : tensor<?x?x8x64xbf16>, tensor<?x8x128x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// DeltaNet: S_t = (I - β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ (decay none,
// transition delta), β in the inputs' bf16.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @deltanet
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x?x4x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<?x?x4x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<?x?x4x128xbf16>, %[[BETA:[a-z0-9_]+]]: tensor<?x?x4xbf16>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] beta(%[[BETA]] : tensor<?x?x4xbf16>) : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16> -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none, transition = delta>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none, transition = delta>>, tensor<?x?x4x128xbf16> -> tensor<?x?x4x128xbf16>
// CHECK: return %[[O]]
func.func @deltanet(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x4x128xbf16>,
                    %v: tensor<?x?x4x128xbf16>,
                    %beta: tensor<?x?x4xbf16>) -> tensor<?x?x4x128xbf16> {
  %m = seqmix.semiseparable %q, %k beta(%beta : tensor<?x?x4xbf16>)
      : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
      -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none,
                                                    transition = delta>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none,
                                                    transition = delta>>,
        tensor<?x?x4x128xbf16> -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Gated DeltaNet: S_t = exp(g_t)(I - β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ
// (decay scalar, transition delta) with grouped value heads: H = 2 q/k
// heads, Hv = 8 value heads.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gated_deltanet
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<4x2048x2x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<4x2048x2x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<4x2048x8x256xbf16>, %[[G:[a-z0-9_]+]]: tensor<4x2048x8xf32>, %[[BETA:[a-z0-9_]+]]: tensor<4x2048x8xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<4x2048x8xf32>) beta(%[[BETA]] : tensor<4x2048x8xf32>) : tensor<4x2048x2x128xbf16>, tensor<4x2048x2x128xbf16> -> !seqmix.mixer<4x8x2048, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>
// CHECK: %[[O:.*]], %[[ST:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<4x8x2048, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>, tensor<4x2048x8x256xbf16> -> tensor<4x2048x8x256xbf16>, tensor<4x8x128x256xf32>
// CHECK: return %[[O]], %[[ST]]
func.func @gated_deltanet(%q: tensor<4x2048x2x128xbf16>,
                          %k: tensor<4x2048x2x128xbf16>,
                          %v: tensor<4x2048x8x256xbf16>,
                          %g: tensor<4x2048x8xf32>,
                          %beta: tensor<4x2048x8xf32>)
    -> (tensor<4x2048x8x256xbf16>, tensor<4x8x128x256xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<4x2048x8xf32>)
      beta(%beta : tensor<4x2048x8xf32>)
      : tensor<4x2048x2x128xbf16>, tensor<4x2048x2x128xbf16>
      -> !seqmix.mixer<4x8x2048, #seqmix.semiseparable<state = 128,
                                     decay = scalar, transition = delta>>
  // Final state only, from a zero initial state.
  %o, %sT = seqmix.apply %m, %v
      : !seqmix.mixer<4x8x2048, #seqmix.semiseparable<state = 128,
                                     decay = scalar, transition = delta>>,
        tensor<4x2048x8x256xbf16>
      -> tensor<4x2048x8x256xbf16>, tensor<4x8x128x256xf32>
  return %o, %sT : tensor<4x2048x8x256xbf16>, tensor<4x8x128x256xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Gated DeltaNet on a packed variable-length batch: B = 1, four sequences
// with i32 cumulative offsets, one initial state [N = 4, Hv, K, V] each.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gated_deltanet_varlen
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<1x?x2x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<1x?x2x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<1x?x8x128xbf16>, %[[G:[a-z0-9_]+]]: tensor<1x?x8xf32>, %[[BETA:[a-z0-9_]+]]: tensor<1x?x8xf32>, %[[CU:[a-z0-9_]+]]: tensor<5xi32>, %[[S0:[a-z0-9_]+]]: tensor<4x8x128x128xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<1x?x8xf32>) beta(%[[BETA]] : tensor<1x?x8xf32>) : tensor<1x?x2x128xbf16>, tensor<1x?x2x128xbf16> -> !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>
// CHECK: %[[O:.*]], %[[ST:.*]] = seqmix.apply %[[M]], %[[V]] init(%[[S0]] : tensor<4x8x128x128xf32>) seqlens(%[[CU]] : tensor<5xi32>) : !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>, tensor<1x?x8x128xbf16> -> tensor<1x?x8x128xbf16>, tensor<4x8x128x128xf32>
// CHECK: return %[[O]], %[[ST]]
func.func @gated_deltanet_varlen(%q: tensor<1x?x2x128xbf16>,
                                 %k: tensor<1x?x2x128xbf16>,
                                 %v: tensor<1x?x8x128xbf16>,
                                 %g: tensor<1x?x8xf32>,
                                 %beta: tensor<1x?x8xf32>,
                                 %cu_seqlens: tensor<5xi32>,
                                 %s0: tensor<4x8x128x128xf32>)
    -> (tensor<1x?x8x128xbf16>, tensor<4x8x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x?x8xf32>)
      beta(%beta : tensor<1x?x8xf32>)
      : tensor<1x?x2x128xbf16>, tensor<1x?x2x128xbf16>
      -> !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 128,
                                  decay = scalar, transition = delta>>
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<4x8x128x128xf32>)
      seqlens(%cu_seqlens : tensor<5xi32>)
      : !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 128,
                                  decay = scalar, transition = delta>>,
        tensor<1x?x8x128xbf16>
      -> tensor<1x?x8x128xbf16>, tensor<4x8x128x128xf32>
  return %o, %sT : tensor<1x?x8x128xbf16>, tensor<4x8x128x128xf32>
}

// -----

//===----------------------------------------------------------------------===//
// KDA: S_t = (I - β_t k_t k_tᵀ) Diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ
// (decay diagonal, transition delta), f32 β.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @kda
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x?x16x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<?x?x16x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<?x?x16x128xbf16>, %[[G:[a-z0-9_]+]]: tensor<?x?x16x128xf32>, %[[BETA:[a-z0-9_]+]]: tensor<?x?x16xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<?x?x16x128xf32>) beta(%[[BETA]] : tensor<?x?x16xf32>) : tensor<?x?x16x128xbf16>, tensor<?x?x16x128xbf16> -> !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128, decay = diagonal, transition = delta>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128, decay = diagonal, transition = delta>>, tensor<?x?x16x128xbf16> -> tensor<?x?x16x128xbf16>
// CHECK: return %[[O]]
func.func @kda(%q: tensor<?x?x16x128xbf16>, %k: tensor<?x?x16x128xbf16>,
               %v: tensor<?x?x16x128xbf16>, %g: tensor<?x?x16x128xf32>,
               %beta: tensor<?x?x16xf32>) -> tensor<?x?x16x128xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x16x128xf32>)
      beta(%beta : tensor<?x?x16xf32>)
      : tensor<?x?x16x128xbf16>, tensor<?x?x16x128xbf16>
      -> !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128,
                                   decay = diagonal, transition = delta>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128,
                                   decay = diagonal, transition = delta>>,
        tensor<?x?x16x128xbf16> -> tensor<?x?x16x128xbf16>
  return %o : tensor<?x?x16x128xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Softmax attention: causal with grouped query heads (Hq = 8, Hkv = 2),
// causal with a sliding window, and non-causal (full).
//===----------------------------------------------------------------------===//

// The defaults (mask = causal, window = 0) are not printed.
// CHECK-LABEL: func.func @attention_gqa
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x?x8x128xbf16>, %[[K:[a-z0-9_]+]]: tensor<?x?x2x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<?x?x2x128xbf16>)
// CHECK: %[[M:.*]] = seqmix.attention %[[Q]], %[[K]] : tensor<?x?x8x128xbf16>, tensor<?x?x2x128xbf16> -> !seqmix.mixer<?x8x?, #seqmix.dense<kv_heads = 2>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<?x8x?, #seqmix.dense<kv_heads = 2>>, tensor<?x?x2x128xbf16> -> tensor<?x?x8x128xbf16>
// CHECK: return %[[O]]
func.func @attention_gqa(%q: tensor<?x?x8x128xbf16>, %k: tensor<?x?x2x128xbf16>,
                         %v: tensor<?x?x2x128xbf16>) -> tensor<?x?x8x128xbf16> {
  %m = seqmix.attention %q, %k
      : tensor<?x?x8x128xbf16>, tensor<?x?x2x128xbf16>
      -> !seqmix.mixer<?x8x?, #seqmix.dense<kv_heads = 2, mask = causal>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x8x?, #seqmix.dense<kv_heads = 2>>,
        tensor<?x?x2x128xbf16> -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}

// CHECK-LABEL: func.func @attention_window
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x4096x8x64xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x4096x2x64xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x4096x2x64xbf16>)
// CHECK: %[[M:.*]] = seqmix.attention %[[Q]], %[[K]] {scale = 1.250000e-01 : f64} : tensor<2x4096x8x64xbf16>, tensor<2x4096x2x64xbf16> -> !seqmix.mixer<2x8x4096, #seqmix.dense<kv_heads = 2, window = 128>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] {form = #seqmix.form<parallel>} : !seqmix.mixer<2x8x4096, #seqmix.dense<kv_heads = 2, window = 128>>, tensor<2x4096x2x64xbf16> -> tensor<2x4096x8x64xbf16>
// CHECK: return %[[O]]
func.func @attention_window(%q: tensor<2x4096x8x64xbf16>,
                            %k: tensor<2x4096x2x64xbf16>,
                            %v: tensor<2x4096x2x64xbf16>)
    -> tensor<2x4096x8x64xbf16> {
  %m = seqmix.attention %q, %k {scale = 0.125 : f64}
      : tensor<2x4096x8x64xbf16>, tensor<2x4096x2x64xbf16>
      -> !seqmix.mixer<2x8x4096, #seqmix.dense<kv_heads = 2, window = 128>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<parallel>}
      : !seqmix.mixer<2x8x4096, #seqmix.dense<kv_heads = 2, window = 128>>,
        tensor<2x4096x2x64xbf16> -> tensor<2x4096x8x64xbf16>
  return %o : tensor<2x4096x8x64xbf16>
}

// CHECK-LABEL: func.func @attention_full
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<?x197x12x64xf32>, %[[K:[a-z0-9_]+]]: tensor<?x197x12x64xf32>, %[[V:[a-z0-9_]+]]: tensor<?x197x12x64xf32>)
// CHECK: %[[M:.*]] = seqmix.attention %[[Q]], %[[K]] : tensor<?x197x12x64xf32>, tensor<?x197x12x64xf32> -> !seqmix.mixer<?x12x197, #seqmix.dense<kv_heads = 12, mask = full>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] : !seqmix.mixer<?x12x197, #seqmix.dense<kv_heads = 12, mask = full>>, tensor<?x197x12x64xf32> -> tensor<?x197x12x64xf32>
// CHECK: return %[[O]]
func.func @attention_full(%q: tensor<?x197x12x64xf32>,
                          %k: tensor<?x197x12x64xf32>,
                          %v: tensor<?x197x12x64xf32>)
    -> tensor<?x197x12x64xf32> {
  %m = seqmix.attention %q, %k
      : tensor<?x197x12x64xf32>, tensor<?x197x12x64xf32>
      -> !seqmix.mixer<?x12x197, #seqmix.dense<kv_heads = 12, mask = full>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x12x197, #seqmix.dense<kv_heads = 12, mask = full>>,
        tensor<?x197x12x64xf32> -> tensor<?x197x12x64xf32>
  return %o : tensor<?x197x12x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Non-causal low-rank mixer M = scale · Q Kᵀ (vision / diffusion linear
// attention): applied as Q (Kᵀ V), and materialised.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @lowrank
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x256x4x64xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x256x4x64xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x256x4x64xbf16>)
// CHECK: %[[M:.*]] = seqmix.lowrank %[[Q]], %[[K]] {scale = 1.250000e-01 : f64} : tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16> -> !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>>
// CHECK: %[[O:.*]] = seqmix.apply %[[M]], %[[V]] {form = #seqmix.form<recurrent>} : !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>>, tensor<2x256x4x64xbf16> -> tensor<2x256x4x64xbf16>
// CHECK: %[[A:.*]] = seqmix.materialize %[[M]] : !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>> -> tensor<2x4x256x256xf32>
// CHECK: return %[[O]], %[[A]]
func.func @lowrank(%q: tensor<2x256x4x64xbf16>, %k: tensor<2x256x4x64xbf16>,
                   %v: tensor<2x256x4x64xbf16>)
    -> (tensor<2x256x4x64xbf16>, tensor<2x4x256x256xf32>) {
  %m = seqmix.lowrank %q, %k {scale = 0.125 : f64}
      : tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16>
      -> !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>>
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent>}
      : !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>>,
        tensor<2x256x4x64xbf16> -> tensor<2x256x4x64xbf16>
  %attn = seqmix.materialize %m
      : !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>>
      -> tensor<2x4x256x256xf32>
  return %o, %attn : tensor<2x256x4x64xbf16>, tensor<2x4x256x256xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Hydra-style bidirectional (quasiseparable) mixer: a causal semiseparable
// mixer, plus the transpose of a second one (anticausal), plus a per-token
// diagonal D + fc_D(x) of shape [B, T, H].
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @hydra
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<?x?x8x64xbf16>, %[[CF:[a-z0-9_]+]]: tensor<?x?x1x64xbf16>, %[[BF:[a-z0-9_]+]]: tensor<?x?x1x64xbf16>, %[[GF:[a-z0-9_]+]]: tensor<?x?x8xf32>, %[[DTF:[a-z0-9_]+]]: tensor<?x?x8xf32>, %[[CB:[a-z0-9_]+]]: tensor<?x?x1x64xbf16>, %[[BB:[a-z0-9_]+]]: tensor<?x?x1x64xbf16>, %[[GB:[a-z0-9_]+]]: tensor<?x?x8xf32>, %[[D:[a-z0-9_]+]]: tensor<?x?x8xf32>)
// CHECK: %[[FWD:.*]] = seqmix.semiseparable %[[CF]], %[[BF]] gate(%[[GF]] : tensor<?x?x8xf32>) dt(%[[DTF]] : tensor<?x?x8xf32>) {scale = 1.000000e+00 : f64} : tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16> -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
// CHECK: %[[BWD:.*]] = seqmix.semiseparable %[[CB]], %[[BB]] gate(%[[GB]] : tensor<?x?x8xf32>) {scale = 1.000000e+00 : f64} : tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16> -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
// CHECK: %[[BWDT:.*]] = seqmix.transpose %[[BWD]] : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
// CHECK: %[[DM:.*]] = seqmix.diagonal %[[D]] : tensor<?x?x8xf32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
// CHECK: %[[SUM:.*]] = seqmix.add %[[FWD]], %[[BWDT]] : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>, !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive, direction = anticausal>>
// CHECK: %[[M:.*]] = seqmix.add %[[SUM]], %[[DM]] : !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = scalar, transition = additive>, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive, direction = anticausal>]>>, !seqmix.mixer<?x8x?, #seqmix.diagonal>
// CHECK: %[[Y:.*]] = seqmix.apply %[[M]], %[[X]] : !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = scalar, transition = additive>, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive, direction = anticausal>, #seqmix.diagonal]>>, tensor<?x?x8x64xbf16> -> tensor<?x?x8x64xbf16>
// CHECK: return %[[Y]]
func.func @hydra(%x: tensor<?x?x8x64xbf16>,
                 %C_f: tensor<?x?x1x64xbf16>, %B_f: tensor<?x?x1x64xbf16>,
                 %g_f: tensor<?x?x8xf32>, %dt_f: tensor<?x?x8xf32>,
                 %C_b: tensor<?x?x1x64xbf16>, %B_b: tensor<?x?x1x64xbf16>,
                 %g_b: tensor<?x?x8xf32>,
                 %d: tensor<?x?x8xf32>) -> tensor<?x?x8x64xbf16> {
  %fwd = seqmix.semiseparable %C_f, %B_f gate(%g_f : tensor<?x?x8xf32>)
      dt(%dt_f : tensor<?x?x8xf32>) {scale = 1.0 : f64}
      : tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16>
      -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64,
                                  decay = scalar, transition = additive>>
  // The backward half's dt is folded into its operands (a transposed mixer
  // would scale its rows, not its columns, by dt).
  %bwd = seqmix.semiseparable %C_b, %B_b gate(%g_b : tensor<?x?x8xf32>)
      {scale = 1.0 : f64}
      : tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16>
      -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64,
                                  decay = scalar, transition = additive>>
  %bwd_t = seqmix.transpose %bwd
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64,
                                  decay = scalar, transition = additive>>
  %diag = seqmix.diagonal %d
      : tensor<?x?x8xf32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
  %sum = seqmix.add %fwd, %bwd_t
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64,
                                  decay = scalar, transition = additive>>,
        !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64,
                                  decay = scalar, transition = additive,
                                  direction = anticausal>>
  %m = seqmix.add %sum, %diag
      : !seqmix.mixer<?x8x?, #seqmix.sum<[
            #seqmix.semiseparable<state = 64, decay = scalar,
                                  transition = additive>,
            #seqmix.semiseparable<state = 64, decay = scalar,
                                  transition = additive,
                                  direction = anticausal>]>>,
        !seqmix.mixer<?x8x?, #seqmix.diagonal>
  %y = seqmix.apply %m, %x
      : !seqmix.mixer<?x8x?, #seqmix.sum<[
            #seqmix.semiseparable<state = 64, decay = scalar,
                                  transition = additive>,
            #seqmix.semiseparable<state = 64, decay = scalar,
                                  transition = additive,
                                  direction = anticausal>,
            #seqmix.diagonal]>>,
        tensor<?x?x8x64xbf16> -> tensor<?x?x8x64xbf16>
  return %y : tensor<?x?x8x64xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Materialising a semiseparable mixer: the T×T matrices of simple GLA.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @materialize_semiseparable
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<1x16x2x8xf32>, %[[K:[a-z0-9_]+]]: tensor<1x16x2x8xf32>, %[[G:[a-z0-9_]+]]: tensor<1x16x2xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]] : tensor<1x16x2xf32>) : tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32> -> !seqmix.mixer<1x2x16, #seqmix.semiseparable<state = 8, decay = scalar, transition = additive>>
// CHECK: %[[A:.*]] = seqmix.materialize %[[M]] : !seqmix.mixer<1x2x16, #seqmix.semiseparable<state = 8, decay = scalar, transition = additive>> -> tensor<1x2x16x16xf32>
// CHECK: return %[[A]]
func.func @materialize_semiseparable(%q: tensor<1x16x2x8xf32>,
                                     %k: tensor<1x16x2x8xf32>,
                                     %g: tensor<1x16x2xf32>)
    -> tensor<1x2x16x16xf32> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x16x2xf32>)
      : tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32>
      -> !seqmix.mixer<1x2x16, #seqmix.semiseparable<state = 8,
                                   decay = scalar, transition = additive>>
  %attn = seqmix.materialize %m
      : !seqmix.mixer<1x2x16, #seqmix.semiseparable<state = 8,
                                   decay = scalar, transition = additive>>
      -> tensor<1x2x16x16xf32>
  return %attn : tensor<1x2x16x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// A module compiled for Hopper: the #seqmix.target read by the cost model.
//===----------------------------------------------------------------------===//

// CHECK: module attributes {seqmix.target = #seqmix.target<chip = "sm_90a", sms = 132, hbm_gbps = 3000>}
// CHECK-LABEL: func.func @targeted
// CHECK: %[[M:.*]] = seqmix.semiseparable %{{.*}}, %{{.*}} gate(%{{.*}} : tensor<?x?x16xf32>) : tensor<?x?x16x64xbf16>, tensor<?x?x16x64xbf16> -> !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
// CHECK: seqmix.apply %[[M]], %{{.*}} : !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>, tensor<?x?x16x64xbf16> -> tensor<?x?x16x64xbf16>
module attributes {seqmix.target =
    #seqmix.target<chip = "sm_90a", sms = 132, hbm_gbps = 3000>} {
  func.func @targeted(%q: tensor<?x?x16x64xbf16>, %k: tensor<?x?x16x64xbf16>,
                      %v: tensor<?x?x16x64xbf16>,
                      %g: tensor<?x?x16xf32>) -> tensor<?x?x16x64xbf16> {
    %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x16xf32>)
        : tensor<?x?x16x64xbf16>, tensor<?x?x16x64xbf16>
        -> !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 64,
                                     decay = scalar, transition = additive>>
    %o = seqmix.apply %m, %v
        : !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 64,
                                     decay = scalar, transition = additive>>,
          tensor<?x?x16x64xbf16> -> tensor<?x?x16x64xbf16>
    return %o : tensor<?x?x16x64xbf16>
  }
}
