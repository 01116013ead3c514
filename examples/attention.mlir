// Softmax attention, causal, with a sliding window and grouped query heads
// (GQA): the dense baseline and the attention layers of hybrid models.
//
//   o_i = Σ_j softmax_j(scale · q_iᵀ k_j) v_j  over  i - W < j ≤ i
//
// Dialect: seqmix.attention builds M = rowsoftmax(mask(scale · Q Kᵀ)); the
// result structure #seqmix.dense<kv_heads = 2, window = 32> holds the mask
// (causal by default; `mask = full` for a bidirectional encoder; no window
// when `window` is left out). q has Hq = 4 heads, k and v Hkv = 2: query
// head h reads key/value head h / (Hq / Hkv). Softmax attention has no state
// and is only computed in the parallel form.
//
// Shapes: B = 2, T = 100, Hq = 4, Hkv = 2, K = 32, V = 16, W = 32.
//
//   build/bin/seqmix-opt --canonicalize examples/attention.mlir

!q = tensor<2x100x4x32xbf16>    // q:    [B, T, Hq, K]
!k = tensor<2x100x2x32xbf16>    // k:    [B, T, Hkv, K]
!v = tensor<2x100x2x16xbf16>    // v:    [B, T, Hkv, V]
!o = tensor<2x100x4x16xbf16>    // o:    [B, T, Hq, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.dense<kv_heads = 2, window = 32>>

func.func @forward(%q: !q, %k: !k, %v: !v) -> !o {
  %m = seqmix.attention %q, %k : !q, !k -> !mixer
  %o = seqmix.apply %m, %v : !mixer, !v -> !o
  return %o : !o
}
