// Simple GLA: a data-dependent scalar decay per token and head (fla:
// chunk_simple_gla with g).
//
//   S_t = exp(g_t) S_{t-1} + k_t v_tᵀ    o_t = scale · S_tᵀ q_t
//
// Dialect: seqmix.semiseparable with decay = scalar; the gate operand is g,
// [B, T, H] natural-log decays in f32 (the layer computes it, e.g. as a
// logsigmoid of a projection). The transition is additive (A_t =
// exp(g_t) I, B_t = k_t). The apply starts from s0 and returns S_T.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/simple_gla.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!gate = tensor<2x100x4xf32>     // g:    [B, T, H]
!state = tensor<2x4x32x16xf32>  // S_0, S_T: [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = scalar, transition = additive>>

func.func @forward(%q: !qk, %k: !qk, %v: !v, %g: !gate, %s0: !state)
    -> (!v, !state) {
  %m = seqmix.semiseparable %q, %k gate(%g : !gate) : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v init(%s0 : !state)
      : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
