// A small hybrid model of three mixer layers, the main job's example:
//
//   o1, s1 = Gated DeltaNet(q, k, v, g, β)
//   o2, s2 = simple GLA(q, k, o1, g)
//   o3     = causal softmax attention(q, k, o2)
//
// with dynamic batch B and sequence length T (named with seqmix.dims for the
// compiled library's C ABI). seqmix-select-form picks each layer's form.
//
//   build/bin/seqmix-compile examples/hybrid_model.mlir --target=cpu -o model.so
//   scripts/run-model.py          (compiles, runs with seqmix-run, checks)

!qk = tensor<?x?x4x32xf32>
!v = tensor<?x?x4x16xf32>
!g = tensor<?x?x4xf32>
!state = tensor<?x4x32x16xf32>
!gdn = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 32, decay = scalar,
                                transition = delta>>
!sgla = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 32, decay = scalar,
                                 transition = additive>>
!attn = !seqmix.mixer<?x4x?, #seqmix.dense<kv_heads = 4>>

func.func @forward(%q: !qk {seqmix.dims = ["B", "T", 4, 32], seqmix.name = "q"},
                   %k: !qk {seqmix.dims = ["B", "T", 4, 32], seqmix.name = "k"},
                   %v: !v {seqmix.dims = ["B", "T", 4, 16], seqmix.name = "v"},
                   %g: !g {seqmix.dims = ["B", "T", 4], seqmix.name = "g"},
                   %beta: !g {seqmix.dims = ["B", "T", 4], seqmix.name = "beta"})
    -> (!v {seqmix.name = "o"}, !state {seqmix.name = "state_gdn"},
        !state {seqmix.name = "state_gla"}) {
  %m1 = seqmix.semiseparable %q, %k gate(%g : !g) beta(%beta : !g)
      : !qk, !qk -> !gdn
  %o1, %s1 = seqmix.apply %m1, %v : !gdn, !v -> !v, !state
  %m2 = seqmix.semiseparable %q, %k gate(%g : !g) : !qk, !qk -> !sgla
  %o2, %s2 = seqmix.apply %m2, %o1 : !sgla, !v -> !v, !state
  %m3 = seqmix.attention %q, %k : !qk, !qk -> !attn
  %o3 = seqmix.apply %m3, %o2 : !attn, !v -> !v
  return %o3, %s1, %s2 : !v, !state, !state
}
