// Causal linear attention on the GPU, B and T dynamic (compiled by
// compiled-cuda.test with seqmix-compile --target=sm_90a / sm_80).
!qk = tensor<?x?x2x64xbf16>
!m = !seqmix.mixer<?x2x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
func.func @forward(%q: !qk {seqmix.dims = ["B", "T", 2, 64], seqmix.name = "q"},
                   %k: !qk {seqmix.dims = ["B", "T", 2, 64], seqmix.name = "k"},
                   %v: !qk {seqmix.dims = ["B", "T", 2, 64], seqmix.name = "v"})
    -> (!qk {seqmix.dims = ["B", "T", 2, 64], seqmix.name = "o"}) {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !m, !qk -> !qk
  return %o : !qk
}
