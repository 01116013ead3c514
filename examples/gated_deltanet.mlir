// Gated DeltaNet (fla: chunk_gated_delta_rule) with grouped value heads.
//
//   S_t = exp(g_t)(I - β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ
//   o_t = scale · S_tᵀ q_t
//
// Dialect: seqmix.semiseparable with decay = scalar (gate g, [B, T, Hv],
// f32: the layer's -exp(A_log) · softplus(a + dt_bias)) and transition =
// delta (`beta`, [B, T, Hv]). q and k have H = 2 heads, v has Hv = 4: value
// head h reads q/k head h / (Hv / H), so the mixer has Hv heads. The apply
// starts from s0 and returns S_T, both [N, Hv, K, V].
//
// Shapes: B = 2, T = 100, H = 2, Hv = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/gated_deltanet.mlir

!qk = tensor<2x100x2x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, Hv, V]
!tok = tensor<2x100x4xf32>      // g, β: [B, T, Hv]
!state = tensor<2x4x32x16xf32>  // S_0, S_T: [N, Hv, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = scalar, transition = delta>>

func.func @forward(%q: !qk, %k: !qk, %v: !v, %g: !tok, %beta: !tok,
                   %s0: !state) -> (!v, !state) {
  %m = seqmix.semiseparable %q, %k gate(%g : !tok) beta(%beta : !tok)
      : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v init(%s0 : !state)
      : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
