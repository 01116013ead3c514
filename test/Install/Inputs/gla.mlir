func.func @gla(%q: tensor<?x?x4x32xbf16>, %k: tensor<?x?x4x32xbf16>,
               %g: tensor<?x?x4x32xf32>, %v: tensor<?x?x4x16xbf16>) -> tensor<?x?x4x16xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x4x32xf32>)
      : tensor<?x?x4x32xbf16>, tensor<?x?x4x32xbf16>
      -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 32, decay = diagonal, transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 32, decay = diagonal, transition = additive>>,
        tensor<?x?x4x16xbf16> -> tensor<?x?x4x16xbf16>
  return %o : tensor<?x?x4x16xbf16>
}
