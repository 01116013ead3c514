// Hydra-style bidirectional mixer (goombalab/hydra): a quasiseparable
// matrix, the sum of a causal SSD scan, an anticausal one and a diagonal.
//
//   y_i = Σ_{j≤i} C_f,iᵀ B_f,j dt_f,j exp(G_f,i - G_f,j) x_j      (forward)
//       + Σ_{j≥i} C_b,iᵀ B_b,j dt_b,j exp(G_b,j - G_b,i) x_j      (backward)
//       + d_i x_i,    G = cumsum(A·dt),  d = D + fc_D(x)
//
// Dialect: the forward scan is Mamba2's seqmix.semiseparable (q = C_f,
// k = B_f, gate A·dt_f, dt operand, scale 1). The backward scan is the
// seqmix.transpose of a causal one: the transpose reads q at the input
// token j and k at the output token i, so it is built with q = B_b·dt_b and
// k = C_b (the `dt` operand would scale the output token instead). The
// per-token diagonal d, [B, T, H], is a seqmix.diagonal; two seqmix.add make
// the sum, and one seqmix.apply runs it on x.
//
// The dialect's reads are inclusive (j = i is part of both scans); Hydra's
// own code shifts both scans by one token to make them strict and aligns
// the backward decays with that shift. A front end that wants Hydra's exact
// matrix shifts the operands accordingly and moves the diagonals of the two
// scans into d; this example keeps the plain structure.
//
// Shapes: B = 2, T = 100, H = 4, P = 16, N = 32; B and C per head (G = H).
//
//   build/bin/seqmix-opt --canonicalize examples/hydra.mlir

!x = tensor<2x100x4x16xf32>     // x, y: [B, T, H, P]
!bc = tensor<2x100x4x32xf32>    // B, C (both directions): [B, T, H, N]
!tok = tensor<2x100x4xf32>      // dt, g, fc_D(x), d: [B, T, H]
!heads = tensor<4xf32>          // A, D: [H]
!causal = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
              decay = scalar, transition = additive>>
!anticausal = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 32,
                  decay = scalar, transition = additive,
                  direction = anticausal>>
!diag = !seqmix.mixer<2x4x100, #seqmix.diagonal>
!both = !seqmix.mixer<2x4x100, #seqmix.sum<[
            #seqmix.semiseparable<state = 32, decay = scalar,
                                  transition = additive>,
            #seqmix.semiseparable<state = 32, decay = scalar,
                                  transition = additive,
                                  direction = anticausal>]>>
!mixer = !seqmix.mixer<2x4x100, #seqmix.sum<[
             #seqmix.semiseparable<state = 32, decay = scalar,
                                   transition = additive>,
             #seqmix.semiseparable<state = 32, decay = scalar,
                                   transition = additive,
                                   direction = anticausal>,
             #seqmix.diagonal]>>

func.func @forward(%x: !x, %A: !heads, %D: !heads, %fc_D: !tok,
                   %B_f: !bc, %C_f: !bc, %dt_f: !tok,
                   %B_b: !bc, %C_b: !bc, %dt_b: !tok) -> !x {
  // A and D broadcast over batch and time: g = A·dt, d = D + fc_D(x).
  %empty = tensor.empty() : !tok
  %A_bt = linalg.broadcast ins(%A : !heads) outs(%empty : !tok)
      dimensions = [0, 1]
  %D_bt = linalg.broadcast ins(%D : !heads) outs(%empty : !tok)
      dimensions = [0, 1]
  %g_f = arith.mulf %A_bt, %dt_f : !tok
  %g_b = arith.mulf %A_bt, %dt_b : !tok
  %d = arith.addf %D_bt, %fc_D : !tok

  // dt_b broadcast over the state dimension N and folded into B_b.
  %empty_bc = tensor.empty() : !bc
  %dt_b_n = linalg.broadcast ins(%dt_b : !tok) outs(%empty_bc : !bc)
      dimensions = [3]
  %B_b_dt = arith.mulf %B_b, %dt_b_n : !bc

  %fwd = seqmix.semiseparable %C_f, %B_f gate(%g_f : !tok) dt(%dt_f : !tok)
      {scale = 1.0 : f64} : !bc, !bc -> !causal
  %bwd = seqmix.semiseparable %B_b_dt, %C_b gate(%g_b : !tok)
      {scale = 1.0 : f64} : !bc, !bc -> !causal
  %bwd_t = seqmix.transpose %bwd : !causal
  %diag = seqmix.diagonal %d : !tok -> !diag

  %sum = seqmix.add %fwd, %bwd_t : !causal, !anticausal
  %m = seqmix.add %sum, %diag : !both, !diag
  %y = seqmix.apply %m, %x : !mixer, !x -> !x
  return %y : !x
}
