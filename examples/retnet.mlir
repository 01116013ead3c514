// RetNet retention (fla: chunk_retention).
//
//   S_t = γ_h S_{t-1} + k_t v_tᵀ    o_t = scale · S_tᵀ q_t,  scale = K^-1/2
//
// with a fixed decay per head, log γ_h = log(1 - 2^(-5-h)).
//
// Dialect: seqmix.semiseparable with decay = static; the gate operand holds
// log γ per head ([H], f32), here a constant. The transition is additive
// (A_t = γ_h I, B_t = k_t). The matrix is Toeplitz: M_ij = scale · q_iᵀ k_j
// γ_h^(i-j) for i ≥ j.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/retnet.mlir

!qk = tensor<2x100x4x32xbf16>   // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xbf16>    // v, o: [B, T, H, V]
!state = tensor<2x4x32x16xf32>  // S_T:  [N, H, K, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                                    decay = static, transition = additive>>

func.func @forward(%q: !qk, %k: !qk, %v: !v) -> (!v, !state) {
  // log(1 - 2^(-5-h)) for h = 0 .. 3.
  %log_gamma = arith.constant dense<[-0.0317486983, -0.015748357,
                                     -0.00784317746, -0.00391389932]>
      : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%log_gamma : tensor<4xf32>)
      : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v : !mixer, !v -> !v, !state
  return %o, %final : !v, !state
}
