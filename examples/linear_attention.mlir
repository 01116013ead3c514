// Causal linear attention (fla: chunk_linear_attn with normalize = False).
//
//   S_t = S_{t-1} + k_t v_tᵀ        o_t = scale · S_tᵀ q_t,  scale = K^-1/2
//
// Dialect: seqmix.semiseparable with decay = none and an additive transition
// (A_t = I, B_t = k_t), applied to v by seqmix.apply from a zero state; the
// apply's second result is the final state S_T, [N = B, H, K, V] in f32.
// Feature maps on q and k (and fla's optional normaliser) are ordinary ops
// outside the mixer.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/linear_attention.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!state = tensor<2x4x32x16xf32>  // S_T:  [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = none, transition = additive>>

func.func @forward(%q: !qk, %k: !qk, %v: !v) -> (!v, !state) {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
