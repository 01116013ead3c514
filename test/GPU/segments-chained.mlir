// RUN: seqmix-opt %s --seqmix-form-gpu-kernels="segments=chained" | FileCheck %s
// RUN: seqmix-opt %s --seqmix-form-gpu-kernels="segments=chained segment-tokens=512" | FileCheck %s --check-prefix=TOKENS
// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa segments=chained" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: not seqmix-opt %s --seqmix-form-gpu-kernels="segments=scan" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-KIND
// RUN: not seqmix-opt %s --seqmix-form-gpu-kernels="segments=chained segment-tokens=100" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-TOKENS

// The chained segments carry (segments=chained; the default is passes,
// segments.mlir): one launch
// of N·nseg CTAs per (V tile, value head), segments of 256 tokens at
// K = 128 and 384 at K = 64 (segment-tokens sets them), when the on-chip
// carry would leave multiprocessors idle. Besides the segments' offsets it
// needs one prefix state per sequence, head and V tile (`carry`) and the
// flags, zeroed before the launch.
// ptxas.test assembles the PTX (ENTRY and PTXAS lines).

// ENTRY-DAG: Compiling entry function 'segment_offsets' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_init_final_seqlens32_chained_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_static_k64_v64_h8x8_seqlens32_chained_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h2x8_dt_skip_seqlens32_scale3ff0000000000000_chained_wgmma' for 'sm_90a'
// PTXAS-COUNT-7: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

// BAD-KIND: error: seqmix-form-gpu-kernels: segments must be chained or passes, not 'scan'
// BAD-TOKENS: error: seqmix-form-gpu-kernels: segment-tokens must be a multiple of the chunk (64), not 100

!mixer = !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!retnet = !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 64, decay = static, transition = additive>>
!bc = tensor<?x?x2x128xbf16>
!x = tensor<?x?x8x64xbf16>
!dt = tensor<?x?x8xf32>
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!sum = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// CHECK-LABEL: func.func @scalar
// Split when 32 B CTAs leave multiprocessors idle (the rule of
// seqmix-select-form), then into ceil(T / 256) segments.
// CHECK:      arith.divui %c264, %{{.*}}
// CHECK:      %[[NSEG:.*]] = arith.ceildivui %{{.*}}, %c256
// CHECK:      scf.if
// CHECK:        gpu.alloc async {{.*}} : memref<?xi32>
// CHECK:        gpu.alloc async {{.*}} : memref<?xf32>
// CHECK:        %[[FLAGS:.*]], %{{.*}} = gpu.alloc async {{.*}} : memref<?xi32>
// CHECK:        gpu.memset async {{.*}} %[[FLAGS]], %c0_i32
// CHECK:        gpu.launch_func  @seqmix_kernels::@segment_offsets
// CHECK-NOT:    gpu.launch_func
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_scalar_k128_v128_h16x16_init_final_seqlens32_chained_wgmma blocks in (%c2, %c16, %{{.*}})
// CHECK-NOT:    gpu.launch_func
// CHECK-COUNT-3: gpu.dealloc async
// CHECK:      } else {
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_scalar_k128_v128_h16x16_init_final_wgmma
// TOKENS-LABEL: func.func @scalar
// TOKENS:       arith.ceildivui %{{.*}}, %c512
func.func @scalar(%q: tensor<?x?x16x128xbf16>, %k: tensor<?x?x16x128xbf16>, %v: tensor<?x?x16x128xbf16>,
                  %g: tensor<?x?x16xf32>, %s0: tensor<?x16x128x128xf32>)
    -> (tensor<?x?x16x128xbf16>, tensor<?x16x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x16xf32>) : tensor<?x?x16x128xbf16>, tensor<?x?x16x128xbf16> -> !mixer
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x16x128x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 2>}
      : !mixer, tensor<?x?x16x128xbf16> -> tensor<?x?x16x128xbf16>, tensor<?x16x128x128xf32>
  return %o, %sT : tensor<?x?x16x128xbf16>, tensor<?x16x128x128xf32>
}

// K = 64: segments of 384 tokens; B = 1 and T = 8192 are static: 22
// segments (23 offsets), one 64×64 prefix per head (8·4096 floats), 8 flags
// and the ticket counter.
// CHECK-LABEL: func.func @static
// CHECK:        gpu.alloc async {{.*}} (%c23{{.*}}) : memref<?xi32>
// CHECK:        gpu.alloc async {{.*}} (%c32768{{.*}}) : memref<?xf32>
// CHECK:        gpu.alloc async {{.*}} (%c9{{.*}}) : memref<?xi32>
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_static_k64_v64_h8x8_seqlens32_chained_wgmma blocks in (%c1{{.*}}, %c8{{.*}}, %c22{{.*}})
func.func @static(%q: tensor<1x8192x8x64xbf16>, %k: tensor<1x8192x8x64xbf16>, %v: tensor<1x8192x8x64xbf16>,
                  %lg: tensor<8xf32>) -> tensor<1x8192x8x64xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%lg : tensor<8xf32>) : tensor<1x8192x8x64xbf16>, tensor<1x8192x8x64xbf16> -> !retnet
  %o = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 1>}
      : !retnet, tensor<1x8192x8x64xbf16> -> tensor<1x8192x8x64xbf16>
  return %o : tensor<1x8192x8x64xbf16>
}

// Mamba2's form (gate, dt and D; grouped heads): the same carry.
// CHECK-LABEL: func.func @mamba2
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_scalar_k128_v64_h2x8_dt_skip_seqlens32_scale3ff0000000000000_chained_wgmma
func.func @mamba2(%x: !x, %dt: !dt, %g: !dt, %B: !bc, %C: !bc, %D: tensor<8xf32>) -> !x {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc, !bc -> !ssd
  %skip = seqmix.diagonal %D : tensor<8xf32> -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  %y = seqmix.apply %m, %x
      {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 1>}
      : !sum, !x -> !x
  return %y : !x
}

}

// One CTA, in the order of its ticket (flags[0]): phase A (Kᵀ Ṽ only, two
// m-tiles of four k-steps), the wait for the predecessor's flag (acquire,
// with a back-off), the prefix read and the successor's written at the GPU's
// coherence point, the flag released after a fence; then phase B (Q Kᵀ,
// Q S, Kᵀ Ṽ and A V: 8 + 8 + 8 + 4).
// PTX-LABEL: .visible .entry chunked_additive_scalar_k128_v128_h16x16_init_final_seqlens32_chained_wgmma(
// PTX:         atom.global.add.u32
// PTX-COUNT-8: wgmma.mma_async
// PTX:         ld.acquire.gpu.global.u32
// PTX:         nanosleep.u32
// PTX-COUNT-32: ld.relaxed.gpu.global.v2.f32
// PTX-COUNT-32: st.relaxed.gpu.global.v2.f32
// PTX:         fence.acq_rel.gpu
// PTX:         st.release.gpu.global.u32
// PTX-COUNT-28: wgmma.mma_async
// PTX-NOT:     wgmma.mma_async
// PTX-LABEL: .visible .entry
