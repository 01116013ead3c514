// RUN: seqmix-opt %s --seqmix-form-gpu-kernels="mma=sync segments=passes" | FileCheck %s
// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa mma=sync segments=passes" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx

// The segments carry in passes (the default; segments-chained.mlir covers
// segments=chained): when B·Hv·(V/64) CTAs would leave multiprocessors idle
// (fewer than 2 · 132 on sm_90a), each sequence is split into nseg segments
// of whole chunks (at least 4 chunks each), computed when the function runs;
// otherwise the on-chip kernel runs alone.
// ptxas.test assembles the PTX (ENTRY and PTXAS lines).

// ENTRY-DAG: Compiling entry function 'segment_offsets' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'segment_decay_h16' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'segment_scan_scalar_h16_s16384_init_final' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'segment_scan_static_h8_s4096' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_init_seqlens32' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_init_final' for 'sm_90a'
// PTXAS-COUNT-10: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

!mixer = !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!retnet = !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 64, decay = static, transition = additive>>

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// CHECK-LABEL: func.func @scalar
// 32 CTAs per sequence: nseg = max(1, min(264 / (32 B), T / 256)).
// CHECK:      arith.muli %{{.*}}, %c32
// CHECK:      arith.divui %c264, %{{.*}}
// CHECK:      arith.divui %{{.*}}, %c256
// CHECK:      scf.if
// CHECK:        gpu.alloc async {{.*}} : memref<?xi32>
// CHECK-COUNT-3: gpu.alloc async {{.*}} : memref<?xf32>
// CHECK:        gpu.launch_func  @seqmix_kernels::@segment_offsets
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly
// CHECK:        gpu.launch_func  @seqmix_kernels::@segment_decay_h16
// CHECK:        gpu.launch_func  @seqmix_kernels::@segment_scan_scalar_h16_s16384_init_final
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_scalar_k128_v128_h16x16_init_seqlens32
// CHECK-COUNT-4: gpu.dealloc async
// CHECK:      } else {
// CHECK:        gpu.launch_func  @seqmix_kernels::@chunked_additive_scalar_k128_v128_h16x16_init_final
func.func @scalar(%q: tensor<?x?x16x128xbf16>, %k: tensor<?x?x16x128xbf16>, %v: tensor<?x?x16x128xbf16>,
                  %g: tensor<?x?x16xf32>, %s0: tensor<?x16x128x128xf32>)
    -> (tensor<?x?x16x128xbf16>, tensor<?x16x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x16xf32>) : tensor<?x?x16x128xbf16>, tensor<?x?x16x128xbf16> -> !mixer
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x16x128x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 2>}
      : !mixer, tensor<?x?x16x128xbf16> -> tensor<?x?x16x128xbf16>, tensor<?x16x128x128xf32>
  return %o, %sT : tensor<?x?x16x128xbf16>, tensor<?x16x128x128xf32>
}

// Static decay, no states: the scan takes log γ and the segment lengths; no
// decay kernel. B = 1 and T = 8192 are static: 8 CTAs, nseg = 32.
// CHECK-LABEL: func.func @static
// CHECK-NOT:    segment_decay
// CHECK:        gpu.launch_func  @seqmix_kernels::@segment_scan_static_h8_s4096 blocks in (%c16{{.*}}, %c8{{.*}}, %c1{{.*}})
func.func @static(%q: tensor<1x8192x8x64xbf16>, %k: tensor<1x8192x8x64xbf16>, %v: tensor<1x8192x8x64xbf16>,
                  %lg: tensor<8xf32>) -> tensor<1x8192x8x64xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%lg : tensor<8xf32>) : tensor<1x8192x8x64xbf16>, tensor<1x8192x8x64xbf16> -> !retnet
  %o = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 1>}
      : !retnet, tensor<1x8192x8x64xbf16> -> tensor<1x8192x8x64xbf16>
  return %o : tensor<1x8192x8x64xbf16>
}

}

// PTX: .visible .entry segment_offsets(
// The first pass computes states only: per warp and chunk K/64 · 4 · 8
// products K̃ᵀ V and nothing else; no q is copied and no o stored.
// PTX-LABEL: .visible .entry chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly(
// PTX-COUNT-64: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-NOT: mma.sync
// PTX-NOT: st.global.b32
// PTX-LABEL: .visible .entry segment_decay_h16(
// PTX: shfl.sync.bfly.b32
// PTX: bar.sync
