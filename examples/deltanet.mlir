// DeltaNet (fla: chunk_delta_rule): the delta rule, one step of online
// regression of v on k per token.
//
//   S_t = (I - β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ    o_t = scale · S_tᵀ q_t
//
// Dialect: seqmix.semiseparable with decay = none and transition = delta,
// β ([B, T, H], here in the inputs' bf16) as the `beta` operand. The layer
// L2-normalises q and k and takes β = sigmoid(.) before the mixer.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/deltanet.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!beta = tensor<2x100x4xbf16>    // β:    [B, T, H]
!state = tensor<2x4x32x16xf32>  // S_T:  [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = none, transition = delta>>

func.func @forward(%q: !qk, %k: !qk, %v: !v, %beta: !beta) -> (!v, !state) {
  %m = seqmix.semiseparable %q, %k beta(%beta : !beta) : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
