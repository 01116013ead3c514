// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa mma=sync" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s < %t.ptx

// Packed variable-length batches: the kernel reads the offsets of its
// sequence (blockIdx.z) from seqlens (i32 or i64) and otherwise computes the
// same products as the unpacked kernel.
// ptxas.test assembles the same PTX with ptxas (ENTRY and PTXAS lines).

// CHECK: .target sm_90a
// CHECK-NOT: .local

// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h2x4_init_final_seqlens32' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_none_k64_v64_h2x2_seqlens64' for 'sm_90a'
// PTXAS-COUNT-2: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

!mixer = !seqmix.mixer<1x4x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!plain = !seqmix.mixer<1x2x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v128_h2x4_init_final_seqlens32(
// CHECK: ld.global.b32
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
func.func @packed_i32(%q: tensor<1x?x2x128xbf16>, %k: tensor<1x?x2x128xbf16>, %v: tensor<1x?x4x128xbf16>,
                      %g: tensor<1x?x4xf32>, %s0: tensor<?x4x128x128xf32>, %cu: tensor<?xi32>)
    -> (tensor<1x?x4x128xbf16>, tensor<?x4x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x?x4xf32>) : tensor<1x?x2x128xbf16>, tensor<1x?x2x128xbf16> -> !mixer
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x4x128x128xf32>) seqlens(%cu : tensor<?xi32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !mixer, tensor<1x?x4x128xbf16> -> tensor<1x?x4x128xbf16>, tensor<?x4x128x128xf32>
  return %o, %sT : tensor<1x?x4x128xbf16>, tensor<?x4x128x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_additive_none_k64_v64_h2x2_seqlens64(
// CHECK: ld.global.b32
// CHECK-COUNT-128: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
func.func @packed_i64(%q: tensor<1x?x2x64xbf16>, %k: tensor<1x?x2x64xbf16>, %v: tensor<1x?x2x64xbf16>,
                      %cu: tensor<?xi64>) -> tensor<1x?x2x64xbf16> {
  %m = seqmix.semiseparable %q, %k : tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16> -> !plain
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<?xi64>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !plain, tensor<1x?x2x64xbf16> -> tensor<1x?x2x64xbf16>
  return %o : tensor<1x?x2x64xbf16>
}

}
