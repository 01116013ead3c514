// Kimi Delta Attention, KDA (fla: chunk_kda): the delta rule with a decay
// per key channel, applied before the rank-one update.
//
//   S_t = (I - β_t k_t k_tᵀ) Diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ
//   o_t = scale · S_tᵀ q_t
//
// Dialect: seqmix.semiseparable with decay = diagonal (gate g, [B, T, H, K],
// f32) and transition = delta (`beta`, [B, T, H], f32). The apply starts
// from s0 and returns S_T.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/kda.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!gate = tensor<2x100x4x32xf32>  // g:    [B, T, H, K]
!beta = tensor<2x100x4xf32>     // β:    [B, T, H]
!state = tensor<2x4x32x16xf32>  // S_0, S_T: [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = diagonal, transition = delta>>

func.func @forward(%q: !qk, %k: !qk, %v: !v, %g: !gate, %beta: !beta,
                   %s0: !state) -> (!v, !state) {
  %m = seqmix.semiseparable %q, %k gate(%g : !gate) beta(%beta : !beta)
      : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v init(%s0 : !state)
      : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
