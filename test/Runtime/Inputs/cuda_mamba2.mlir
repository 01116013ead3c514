// Mamba2 SSD with its D skip on the GPU (examples/mamba2.mlir at K = N = 128,
// V = P = 64, 2 groups of 4 heads), B and T dynamic (compiled by
// compiled-cuda.test with seqmix-compile --target=sm_90a). The gate g = A·dt
// is an input (the GPU path has no host code on device buffers), and the form
// is pinned as in cuda_linear_attention.mlir.
!x = tensor<?x?x8x64xbf16>
!bc = tensor<?x?x2x128xbf16>
!dt = tensor<?x?x8xf32>
!heads = tensor<8xf32>
!state = tensor<?x8x128x64xf32>
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!mixer = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>
func.func @forward(%x: !x {seqmix.dims = ["B", "T", 8, 64], seqmix.name = "x"},
                   %dt: !dt {seqmix.dims = ["B", "T", 8], seqmix.name = "dt"},
                   %g: !dt {seqmix.dims = ["B", "T", 8], seqmix.name = "g"},
                   %B: !bc {seqmix.dims = ["B", "T", 2, 128], seqmix.name = "B"},
                   %C: !bc {seqmix.dims = ["B", "T", 2, 128], seqmix.name = "C"},
                   %D: !heads {seqmix.dims = [8], seqmix.name = "D"},
                   %s0: !state {seqmix.dims = ["B", 8, 128, 64], seqmix.name = "s0"})
    -> (!x {seqmix.dims = ["B", "T", 8, 64], seqmix.name = "y"},
        !state {seqmix.dims = ["B", 8, 128, 64], seqmix.name = "final"}) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc, !bc -> !ssd
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  %y, %final = seqmix.apply %m, %x init(%s0 : !state)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !mixer, !x -> !x, !state
  return %y, %final : !x, !state
}
