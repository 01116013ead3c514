// Gated linear attention, GLA (fla: chunk_gla): a decay per token, head and
// key channel.
//
//   S_t = Diag(exp(g_t)) S_{t-1} + k_t v_tᵀ    o_t = scale · S_tᵀ q_t
//
// Dialect: seqmix.semiseparable with decay = diagonal; the gate operand is
// g, [B, T, H, K] natural-log decays in f32 (fla's layer: logsigmoid(.) /
// 16). The transition is additive (A_t = Diag(exp(g_t)), B_t = k_t). HGRN2,
// Mamba1 and (up to its exclusive read) RWKV-6 share this structure. The
// apply starts from s0 and returns S_T.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/gla.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!gate = tensor<2x100x4x32xf32>  // g:    [B, T, H, K]
!state = tensor<2x4x32x16xf32>  // S_0, S_T: [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = diagonal, transition = additive>>

func.func @forward(%q: !qk, %k: !qk, %v: !v, %g: !gate, %s0: !state)
    -> (!v, !state) {
  %m = seqmix.semiseparable %q, %k gate(%g : !gate) : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v init(%s0 : !state)
      : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
