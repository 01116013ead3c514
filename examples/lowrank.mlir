// Non-causal linear attention, as in vision and diffusion transformers
// (every token sees every token): a low-rank mixer.
//
//   o_i = scale · Σ_j (φ(q_i)ᵀ φ(k_j)) v_j,   i.e.  O = scale · Q' (K'ᵀ V)
//
// Dialect: seqmix.lowrank builds M = scale · Q Kᵀ per batch and head, a T×T
// matrix of rank at most K, from the feature-mapped q and k; the feature
// map φ = ReLU is an ordinary arith op. The mixer can be applied as
// Q (Kᵀ V) (recurrent form) or (Q Kᵀ) V (parallel form); seqmix-select-form
// chooses.
//
// Shapes: B = 2, T = 100, H = 4, K = 32, V = 16.
//
//   build/bin/seqmix-opt --canonicalize examples/lowrank.mlir

!qk = tensor<2x100x4x32xf32>    // q, k: [B, T, H, K]
!v = tensor<2x100x4x16xf32>     // v, o: [B, T, H, V]
!mixer = !seqmix.mixer<2x4x100, #seqmix.lowrank<rank = 32>>

func.func @forward(%q: !qk, %k: !qk, %v: !v) -> !v {
  // φ(x) = max(x, 0).
  %zero = arith.constant dense<0.0> : !qk
  %q_relu = arith.maximumf %q, %zero : !qk
  %k_relu = arith.maximumf %k, %zero : !qk

  %m = seqmix.lowrank %q_relu, %k_relu : !qk, !qk -> !mixer
  %o = seqmix.apply %m, %v : !mixer, !v -> !v
  return %o : !v
}
