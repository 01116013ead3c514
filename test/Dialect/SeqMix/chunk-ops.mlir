// RUN: seqmix-opt %s -split-input-file \
// RUN:   | seqmix-opt -split-input-file | FileCheck %s
// RUN: seqmix-opt %s -split-input-file --mlir-print-op-generic \
// RUN:   | seqmix-opt -split-input-file | FileCheck %s

// Round trips of the chunk-level ops (the chunked form of seqmix.apply):
// every op with and without its optional operands. Shapes: q, k
// [B, T, H, K]; values [B, T, Hv, V]; gates and their cumsum [B, T, Hv] or
// [B, T, Hv, K]; intra-chunk matrices [B, T, Hv, C]; per-chunk states
// [B, NT, Hv, K, V]; states [N, Hv, K, V].

//===----------------------------------------------------------------------===//
// seqmix.chunk_cumsum
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cumsum_scalar
// CHECK-SAME: (%[[G:[a-z0-9_]+]]: tensor<2x?x8xf32>)
// CHECK: %[[C:.*]] = seqmix.chunk_cumsum %[[G]] {chunk = 64 : i64} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
// CHECK: return %[[C]]
func.func @cumsum_scalar(%g: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %c = seqmix.chunk_cumsum %g {chunk = 64 : i64}
      : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
  return %c : tensor<2x?x8xf32>
}

// -----

// CHECK-LABEL: func.func @cumsum_diagonal_packed
// CHECK-SAME: (%[[G:[a-z0-9_]+]]: tensor<1x100x8x32xf32>, %[[CU:[a-z0-9_]+]]: tensor<4xi32>)
// CHECK: seqmix.chunk_cumsum %[[G]] seqlens(%[[CU]] : tensor<4xi32>) {chunk = 16 : i64} : tensor<1x100x8x32xf32> -> tensor<1x?x8x32xf32>
func.func @cumsum_diagonal_packed(%g: tensor<1x100x8x32xf32>,
                                  %cu: tensor<4xi32>) -> tensor<1x?x8x32xf32> {
  %c = seqmix.chunk_cumsum %g seqlens(%cu : tensor<4xi32>) {chunk = 16 : i64}
      : tensor<1x100x8x32xf32> -> tensor<1x?x8x32xf32>
  return %c : tensor<1x?x8x32xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.chunk_gram
//===----------------------------------------------------------------------===//

// Intra-chunk scores of simple GLA with 4 q/k heads and 8 value heads.
// CHECK-LABEL: func.func @gram_scalar_decay
// CHECK-SAME: (%[[Q:[a-z0-9_]+]]: tensor<2x?x4x64xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x?x4x64xbf16>, %[[G:[a-z0-9_]+]]: tensor<2x?x8xf32>)
// CHECK: seqmix.chunk_gram %[[Q]], %[[K]] decay(%[[G]] : tensor<2x?x8xf32>) {chunk = 64 : i64} : tensor<2x?x4x64xbf16>, tensor<2x?x4x64xbf16> -> tensor<2x?x8x64xf32>
func.func @gram_scalar_decay(%q: tensor<2x?x4x64xbf16>, %k: tensor<2x?x4x64xbf16>,
                             %g: tensor<2x?x8xf32>) -> tensor<2x?x8x64xf32> {
  %a = seqmix.chunk_gram %q, %k decay(%g : tensor<2x?x8xf32>) {chunk = 64 : i64}
      : tensor<2x?x4x64xbf16>, tensor<2x?x4x64xbf16> -> tensor<2x?x8x64xf32>
  return %a : tensor<2x?x8x64xf32>
}

// -----

// The strictly lower k kᵀ of DeltaNet, packed sequences.
// CHECK-LABEL: func.func @gram_strict_packed
// CHECK: seqmix.chunk_gram %{{.*}}, %{{.*}} seqlens(%{{.*}} : tensor<?xi64>) {chunk = 32 : i64, strict} : tensor<1x?x4x64xf32>, tensor<1x?x4x64xf32> -> tensor<1x?x4x32xf32>
func.func @gram_strict_packed(%k: tensor<1x?x4x64xf32>, %cu: tensor<?xi64>)
    -> tensor<1x?x4x32xf32> {
  %a = seqmix.chunk_gram %k, %k seqlens(%cu : tensor<?xi64>) {chunk = 32 : i64, strict}
      : tensor<1x?x4x64xf32>, tensor<1x?x4x64xf32> -> tensor<1x?x4x32xf32>
  return %a : tensor<1x?x4x32xf32>
}

// -----

// KDA's diagonal decay.
// CHECK-LABEL: func.func @gram_diagonal_decay
// CHECK: seqmix.chunk_gram %{{.*}}, %{{.*}} decay(%{{.*}} : tensor<2x128x8x64xf32>) {chunk = 64 : i64, strict} : tensor<2x128x8x64xf16>, tensor<2x128x8x64xf16> -> tensor<2x128x8x64xf32>
func.func @gram_diagonal_decay(%k: tensor<2x128x8x64xf16>,
                               %g: tensor<2x128x8x64xf32>) -> tensor<2x128x8x64xf32> {
  %a = seqmix.chunk_gram %k, %k decay(%g : tensor<2x128x8x64xf32>) {chunk = 64 : i64, strict}
      : tensor<2x128x8x64xf16>, tensor<2x128x8x64xf16> -> tensor<2x128x8x64xf32>
  return %a : tensor<2x128x8x64xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.tri_inverse and seqmix.wy_apply
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @wy
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x?x8x64xf32>, %[[B:[a-z0-9_]+]]: tensor<2x?x8xbf16>, %[[K:[a-z0-9_]+]]: tensor<2x?x4x128xbf16>, %[[V:[a-z0-9_]+]]: tensor<2x?x8x128xbf16>, %[[G:[a-z0-9_]+]]: tensor<2x?x8xf32>)
// CHECK: %[[T:.*]] = seqmix.tri_inverse %[[A]], %[[B]] {chunk = 64 : i64} : tensor<2x?x8x64xf32>, tensor<2x?x8xbf16> -> tensor<2x?x8x64xf32>
// CHECK: %[[W:.*]], %[[U:.*]] = seqmix.wy_apply %[[T]], %[[K]], %[[V]] decay(%[[G]] : tensor<2x?x8xf32>) {chunk = 64 : i64} : tensor<2x?x8x64xf32>, tensor<2x?x4x128xbf16>, tensor<2x?x8x128xbf16> -> tensor<2x?x8x128xf32>, tensor<2x?x8x128xf32>
// CHECK: return %[[W]], %[[U]]
func.func @wy(%a: tensor<2x?x8x64xf32>, %beta: tensor<2x?x8xbf16>,
              %k: tensor<2x?x4x128xbf16>, %v: tensor<2x?x8x128xbf16>,
              %g: tensor<2x?x8xf32>)
    -> (tensor<2x?x8x128xf32>, tensor<2x?x8x128xf32>) {
  %t = seqmix.tri_inverse %a, %beta {chunk = 64 : i64}
      : tensor<2x?x8x64xf32>, tensor<2x?x8xbf16> -> tensor<2x?x8x64xf32>
  %w, %u = seqmix.wy_apply %t, %k, %v decay(%g : tensor<2x?x8xf32>) {chunk = 64 : i64}
      : tensor<2x?x8x64xf32>, tensor<2x?x4x128xbf16>, tensor<2x?x8x128xbf16>
      -> tensor<2x?x8x128xf32>, tensor<2x?x8x128xf32>
  return %w, %u : tensor<2x?x8x128xf32>, tensor<2x?x8x128xf32>
}

// -----

// DeltaNet (no decay), packed sequences.
// CHECK-LABEL: func.func @wy_packed
// CHECK: seqmix.tri_inverse %{{.*}}, %{{.*}} seqlens(%{{.*}} : tensor<3xi64>) {chunk = 16 : i64} : tensor<1x?x4x16xf32>, tensor<1x?x4xf32> -> tensor<1x?x4x16xf32>
// CHECK: seqmix.wy_apply %{{.*}}, %{{.*}}, %{{.*}} seqlens(%{{.*}} : tensor<3xi64>) {chunk = 16 : i64} : tensor<1x?x4x16xf32>, tensor<1x?x4x32xf32>, tensor<1x?x4x16xf32> -> tensor<1x?x4x32xf32>, tensor<1x?x4x16xf32>
func.func @wy_packed(%a: tensor<1x?x4x16xf32>, %beta: tensor<1x?x4xf32>,
                     %k: tensor<1x?x4x32xf32>, %v: tensor<1x?x4x16xf32>,
                     %cu: tensor<3xi64>)
    -> (tensor<1x?x4x32xf32>, tensor<1x?x4x16xf32>) {
  %t = seqmix.tri_inverse %a, %beta seqlens(%cu : tensor<3xi64>) {chunk = 16 : i64}
      : tensor<1x?x4x16xf32>, tensor<1x?x4xf32> -> tensor<1x?x4x16xf32>
  %w, %u = seqmix.wy_apply %t, %k, %v seqlens(%cu : tensor<3xi64>) {chunk = 16 : i64}
      : tensor<1x?x4x16xf32>, tensor<1x?x4x32xf32>, tensor<1x?x4x16xf32>
      -> tensor<1x?x4x32xf32>, tensor<1x?x4x16xf32>
  return %w, %u : tensor<1x?x4x32xf32>, tensor<1x?x4x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.chunk_state_scan
//===----------------------------------------------------------------------===//

// Additive, no decay, no initial state: NT = ceil(100 / 64) = 2.
// CHECK-LABEL: func.func @scan_additive
// CHECK: %[[S:.*]], %[[F:.*]] = seqmix.chunk_state_scan %{{.*}}, %{{.*}} {chunk = 64 : i64} : tensor<2x100x4x32xbf16>, tensor<2x100x4x16xbf16> -> tensor<2x2x4x32x16xf32>, tensor<2x4x32x16xf32>
// CHECK: return %[[S]], %[[F]]
func.func @scan_additive(%k: tensor<2x100x4x32xbf16>, %v: tensor<2x100x4x16xbf16>)
    -> (tensor<2x2x4x32x16xf32>, tensor<2x4x32x16xf32>) {
  %h, %hT = seqmix.chunk_state_scan %k, %v {chunk = 64 : i64}
      : tensor<2x100x4x32xbf16>, tensor<2x100x4x16xbf16>
      -> tensor<2x2x4x32x16xf32>, tensor<2x4x32x16xf32>
  return %h, %hT : tensor<2x2x4x32x16xf32>, tensor<2x4x32x16xf32>
}

// -----

// Gated DeltaNet: W, decay, initial state, the corrected values.
// CHECK-LABEL: func.func @scan_delta
// CHECK: %{{.*}}, %{{.*}}, %[[VN:.*]] = seqmix.chunk_state_scan %{{.*}}, %{{.*}} w(%{{.*}} : tensor<2x?x8x128xf32>) decay(%{{.*}} : tensor<2x?x8xf32>) init(%{{.*}} : tensor<2x8x128x128xf32>) {chunk = 64 : i64} : tensor<2x?x4x128xbf16>, tensor<2x?x8x128xf32> -> tensor<2x?x8x128x128xf32>, tensor<2x8x128x128xf32>, tensor<2x?x8x128xf32>
// CHECK: return %[[VN]]
func.func @scan_delta(%k: tensor<2x?x4x128xbf16>, %u: tensor<2x?x8x128xf32>,
                      %w: tensor<2x?x8x128xf32>, %g: tensor<2x?x8xf32>,
                      %h0: tensor<2x8x128x128xf32>) -> tensor<2x?x8x128xf32> {
  %h, %hT, %vn = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x?x8x128xf32>)
      decay(%g : tensor<2x?x8xf32>) init(%h0 : tensor<2x8x128x128xf32>) {chunk = 64 : i64}
      : tensor<2x?x4x128xbf16>, tensor<2x?x8x128xf32>
      -> tensor<2x?x8x128x128xf32>, tensor<2x8x128x128xf32>, tensor<2x?x8x128xf32>
  return %vn : tensor<2x?x8x128xf32>
}

// -----

// GLA over 3 packed sequences: the chunk count depends on the offsets.
// CHECK-LABEL: func.func @scan_packed
// CHECK: seqmix.chunk_state_scan %{{.*}}, %{{.*}} decay(%{{.*}} : tensor<1x?x2x16xf32>) init(%{{.*}} : tensor<3x2x16x8xf32>) seqlens(%{{.*}} : tensor<4xi32>) {chunk = 16 : i64} : tensor<1x?x2x16xf32>, tensor<1x?x2x8xf32> -> tensor<1x?x2x16x8xf32>, tensor<3x2x16x8xf32>
func.func @scan_packed(%k: tensor<1x?x2x16xf32>, %v: tensor<1x?x2x8xf32>,
                       %g: tensor<1x?x2x16xf32>, %h0: tensor<3x2x16x8xf32>,
                       %cu: tensor<4xi32>) -> tensor<3x2x16x8xf32> {
  %h, %hT = seqmix.chunk_state_scan %k, %v decay(%g : tensor<1x?x2x16xf32>)
      init(%h0 : tensor<3x2x16x8xf32>) seqlens(%cu : tensor<4xi32>) {chunk = 16 : i64}
      : tensor<1x?x2x16xf32>, tensor<1x?x2x8xf32>
      -> tensor<1x?x2x16x8xf32>, tensor<3x2x16x8xf32>
  return %hT : tensor<3x2x16x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.chunk_output
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @output
// CHECK: seqmix.chunk_output %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} decay(%{{.*}} : tensor<2x?x8xf32>) {chunk = 64 : i64, scale = 1.250000e-01 : f64} : tensor<2x?x4x64xbf16>, tensor<2x?x8x64xf32>, tensor<2x?x8x32xf32>, tensor<2x?x8x64x32xf32> -> tensor<2x?x8x32xf32>
func.func @output(%q: tensor<2x?x4x64xbf16>, %a: tensor<2x?x8x64xf32>,
                  %v: tensor<2x?x8x32xf32>, %h: tensor<2x?x8x64x32xf32>,
                  %g: tensor<2x?x8xf32>) -> tensor<2x?x8x32xf32> {
  %o = seqmix.chunk_output %q, %a, %v, %h decay(%g : tensor<2x?x8xf32>)
      {chunk = 64 : i64, scale = 0.125 : f64}
      : tensor<2x?x4x64xbf16>, tensor<2x?x8x64xf32>, tensor<2x?x8x32xf32>,
        tensor<2x?x8x64x32xf32> -> tensor<2x?x8x32xf32>
  return %o : tensor<2x?x8x32xf32>
}

// -----

// No decay, the default scale of 1, packed sequences.
// CHECK-LABEL: func.func @output_packed
// CHECK: seqmix.chunk_output %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} seqlens(%{{.*}} : tensor<2xi64>) {chunk = 16 : i64} : tensor<1x40x2x8xf32>, tensor<1x40x2x16xf32>, tensor<1x40x2x4xf32>, tensor<1x?x2x8x4xf32> -> tensor<1x40x2x4xf32>
func.func @output_packed(%q: tensor<1x40x2x8xf32>, %a: tensor<1x40x2x16xf32>,
                         %v: tensor<1x40x2x4xf32>, %h: tensor<1x?x2x8x4xf32>,
                         %cu: tensor<2xi64>) -> tensor<1x40x2x4xf32> {
  %o = seqmix.chunk_output %q, %a, %v, %h seqlens(%cu : tensor<2xi64>) {chunk = 16 : i64}
      : tensor<1x40x2x8xf32>, tensor<1x40x2x16xf32>, tensor<1x40x2x4xf32>,
        tensor<1x?x2x8x4xf32> -> tensor<1x40x2x4xf32>
  return %o : tensor<1x40x2x4xf32>
}
