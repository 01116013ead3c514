// Lightning attention (fla: chunk_lightning_attn), the mixer of TransNormer.
//
//   S_t = γ_h S_{t-1} + k_t v_tᵀ    o_t = scale · S_tᵀ q_t,  scale = K^-1/2
//
// with a fixed decay per head that depends on the layer's depth,
// log γ_h = -(8 / H)(1 - layer / layers) · h (head 0 does not decay).
//
// Dialect: seqmix.semiseparable with decay = static (gate [H] of log γ, f32)
// and an additive transition, as RetNet; only the decays differ. Here the
// layer is number 3 of 12, so log γ_h = -1.5 h.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/lightning.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!state = tensor<2x4x32x16xf32>  // S_T:  [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = static, transition = additive>>

func.func @forward(%q: !qk, %k: !qk, %v: !v) -> (!v, !state) {
  // -(8 / 4)(1 - 3 / 12) · h for h = 0 .. 3.
  %log_gamma = arith.constant dense<[0.0, -1.5, -3.0, -4.5]> : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%log_gamma : tensor<4xf32>)
      : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
