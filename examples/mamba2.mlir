// Mamba2 SSD (mamba: mamba_chunk_scan_combined) with 2 groups of B and C.
//
//   h_t = exp(dt_t A) h_{t-1} + dt_t B_t x_tᵀ    y_t = h_tᵀ C_t + D x_t
//
// per head (state [N, P]: K = N, V = P; B_t and C_t shared by the
// H / G consecutive heads of a group).
//
// Dialect: the scan is seqmix.semiseparable with q = C and k = B (the G
// groups are the q/k heads, the H heads the value heads), decay = scalar
// with gate g = A·dt, dt as the `dt` operand (it scales B_t, so the mixer
// applies to x itself) and scale = 1. The skip D·x is a seqmix.diagonal of
// D, added with seqmix.add; the apply runs the sum on x from s0 and returns
// the final state of the scan. dt = softplus(dt_raw + dt_bias) and
// A = -exp(A_log) come from the layer, as does the epilogue y · silu(z)
// with its RMSNorm.
//
// Shapes: B = 2, T = 100, H = 8, P = 16, N = 32, G = 2.
//
//   build/bin/seqmix-opt --canonicalize examples/mamba2.mlir

!x = tensor<2x100x8x16xbf16>     // x, y: [B, T, H, P]
!bc = tensor<2x100x2x32xbf16>    // B, C: [B, T, G, N]
!dt = tensor<2x100x8xf32>        // dt, g: [B, T, H]
!heads = tensor<8xf32>           // A, D: [H]
!state = tensor<2x8x32x16xf32>   // S_0, S_T: [B, H, N, P] (mamba: [b, h, p, n])
!ssd = !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32,
                                  decay = scalar, transition = additive>>
!skip = !seqmix.mixer<2x8x100, #seqmix.diagonal>
!mixer = !seqmix.mixer<2x8x100, #seqmix.sum<[
             #seqmix.semiseparable<state = 32, decay = scalar,
                                   transition = additive>,
             #seqmix.diagonal]>>

func.func @forward(%x: !x, %dt: !dt, %A: !heads, %B: !bc, %C: !bc,
                   %D: !heads, %s0: !state) -> (!x, !state) {
  // g = A · dt, A broadcast over batch and time.
  %empty = tensor.empty() : !dt
  %A_bt = linalg.broadcast ins(%A : !heads) outs(%empty : !dt)
      dimensions = [0, 1]
  %g = arith.mulf %A_bt, %dt : !dt

  // M = L ∘ (C Bᵀ) ∘ (1 dtᵀ) + Diag(D).
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt)
      {scale = 1.0 : f64} : !bc, !bc -> !ssd
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip

  %y, %final = seqmix.apply %m, %x init(%s0 : !state)
      : !mixer, !x -> !x, !state
  return %y, %final : !x, !state
}
