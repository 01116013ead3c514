// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: FileCheck %s --check-prefix=EXP < %t.ptx
// RUN: FileCheck %s --check-prefix=NONE < %t.ptx

// The PTX of the chunked kernels for f32 inputs (FFMA, no tensor cores):
// decay none, static and scalar, K = 64 and 128, with and without initial
// and final states, grouped value heads, packed batches (seqlens, i32 and
// i64). Each kernel has 256 threads and `.minnctapersm 1`, cp.async copies
// of 16 bytes, 16-byte shared loads, and exactly the fma.rn.f32 of one chunk
// step: per thread 16 · K each for Q Kᵀ, Q S and the state update, and
// 16 · 64 for A V (4096 at K = 64, 7168 at K = 128).
// ptxas.test assembles the same PTX with ptxas (ENTRY and PTXAS lines).

// CHECK: .version 8.0
// CHECK: .target sm_90a
// NONE: .target sm_90a
// NONE-NOT: .local
// NONE-NOT: mma

// ENTRY-DAG: Compiling entry function 'chunked_ffma_none_k64_v64_h2x2' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_ffma_static_k128_v128_h2x4_init_final' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_ffma_scalar_k64_v128_h2x4_init_final' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_ffma_scalar_k128_v128_h4x8_final' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_ffma_scalar_k128_v128_h2x4_init_final_seqlens32' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_ffma_none_k64_v64_h2x2_seqlens64' for 'sm_90a'
// PTXAS-COUNT-6: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

!none64 = !seqmix.mixer<?x2x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
!static128 = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = static, transition = additive>>
!scalar64 = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
!scalar128 = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!packed128 = !seqmix.mixer<1x4x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!packed64 = !seqmix.mixer<1x2x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// CHECK-LABEL: .visible .entry chunked_ffma_none_k64_v64_h2x2(
// CHECK: .maxntid 256, 1, 1
// CHECK: .minnctapersm 1
// CHECK: cp.async.cg.shared.global [{{%r[0-9]+|%rd[0-9]+}}{{.*}}], [{{%rd[0-9]+}}], 16, {{%r[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group 0;
// CHECK: bar.sync
// CHECK: ld.shared.v4
// CHECK-COUNT-4096: fma.rn.f32
// CHECK-NOT: fma.rn.f32
// CHECK: st.global.v4
// EXP-LABEL: .visible .entry chunked_ffma_none_k64_v64_h2x2(
// EXP-NOT: ex2.approx
// EXP: ret;
func.func @linear_attention(%q: tensor<?x?x2x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>)
    -> tensor<?x?x2x64xf32> {
  %m = seqmix.semiseparable %q, %k : tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32> -> !none64
  %o = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !none64, tensor<?x?x2x64xf32> -> tensor<?x?x2x64xf32>
  return %o : tensor<?x?x2x64xf32>
}

// CHECK-LABEL: .visible .entry chunked_ffma_static_k128_v128_h2x4_init_final(
// CHECK: .maxntid 256, 1, 1
// CHECK: .minnctapersm 1
// CHECK: cp.async.cg.shared.global
// CHECK: shfl.sync.up.b32
// CHECK: shfl.sync.idx.b32
// CHECK: cp.async.wait_group 0;
// CHECK: bar.sync
// CHECK-COUNT-7168: fma.rn.f32
// CHECK-NOT: fma.rn.f32
// CHECK: st.global.v4
// EXP-LABEL: .visible .entry chunked_ffma_static_k128_v128_h2x4_init_final(
// EXP: ex2.approx.ftz.f32
func.func @retnet(%q: tensor<?x?x2x128xf32>, %k: tensor<?x?x2x128xf32>, %v: tensor<?x?x4x128xf32>,
                  %lg: tensor<4xf32>, %s0: tensor<?x4x128x128xf32>)
    -> (tensor<?x?x4x128xf32>, tensor<?x4x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%lg : tensor<4xf32>) : tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32> -> !static128
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x4x128x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !static128, tensor<?x?x4x128xf32> -> tensor<?x?x4x128xf32>, tensor<?x4x128x128xf32>
  return %o, %sT : tensor<?x?x4x128xf32>, tensor<?x4x128x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_ffma_scalar_k64_v128_h2x4_init_final(
// CHECK: .maxntid 256, 1, 1
// CHECK: .minnctapersm 1
// CHECK: cp.async.cg.shared.global
// CHECK: shfl.sync.up.b32
// CHECK: bar.sync
// CHECK-COUNT-4096: fma.rn.f32
// CHECK-NOT: fma.rn.f32
// CHECK: st.global.v4
// EXP-LABEL: .visible .entry chunked_ffma_scalar_k64_v128_h2x4_init_final(
// EXP: ex2.approx.ftz.f32
func.func @simple_gla_k64(%q: tensor<?x?x2x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x4x128xf32>,
                          %g: tensor<?x?x4xf32>, %s0: tensor<?x4x64x128xf32>)
    -> (tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x4xf32>) : tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32> -> !scalar64
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x4x64x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !scalar64, tensor<?x?x4x128xf32> -> tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>
  return %o, %sT : tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_ffma_scalar_k128_v128_h4x8_final(
// CHECK: .maxntid 256, 1, 1
// CHECK: .minnctapersm 1
// CHECK: bar.sync
// CHECK-COUNT-7168: fma.rn.f32
// CHECK-NOT: fma.rn.f32
// CHECK: st.global.v4
// EXP-LABEL: .visible .entry chunked_ffma_scalar_k128_v128_h4x8_final(
// EXP: ex2.approx.ftz.f32
func.func @simple_gla_grouped(%q: tensor<?x?x4x128xf32>, %k: tensor<?x?x4x128xf32>, %v: tensor<?x?x8x128xf32>,
                              %g: tensor<?x?x8xf32>)
    -> (tensor<?x?x8x128xf32>, tensor<?x8x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x8xf32>) : tensor<?x?x4x128xf32>, tensor<?x?x4x128xf32> -> !scalar128
  %o, %sT = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !scalar128, tensor<?x?x8x128xf32> -> tensor<?x?x8x128xf32>, tensor<?x8x128x128xf32>
  return %o, %sT : tensor<?x?x8x128xf32>, tensor<?x8x128x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_ffma_scalar_k128_v128_h2x4_init_final_seqlens32(
// CHECK: .maxntid 256, 1, 1
// CHECK: ld.global.b32
// CHECK: bar.sync
// CHECK-COUNT-7168: fma.rn.f32
// CHECK-NOT: fma.rn.f32
func.func @packed_i32(%q: tensor<1x?x2x128xf32>, %k: tensor<1x?x2x128xf32>, %v: tensor<1x?x4x128xf32>,
                      %g: tensor<1x?x4xf32>, %s0: tensor<?x4x128x128xf32>, %cu: tensor<?xi32>)
    -> (tensor<1x?x4x128xf32>, tensor<?x4x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x?x4xf32>) : tensor<1x?x2x128xf32>, tensor<1x?x2x128xf32> -> !packed128
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x4x128x128xf32>) seqlens(%cu : tensor<?xi32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !packed128, tensor<1x?x4x128xf32> -> tensor<1x?x4x128xf32>, tensor<?x4x128x128xf32>
  return %o, %sT : tensor<1x?x4x128xf32>, tensor<?x4x128x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_ffma_none_k64_v64_h2x2_seqlens64(
// CHECK: .maxntid 256, 1, 1
// CHECK: ld.global.b32
// CHECK: bar.sync
// CHECK-COUNT-4096: fma.rn.f32
// CHECK-NOT: fma.rn.f32
func.func @packed_i64(%q: tensor<1x?x2x64xf32>, %k: tensor<1x?x2x64xf32>, %v: tensor<1x?x2x64xf32>,
                      %cu: tensor<?xi64>) -> tensor<1x?x2x64xf32> {
  %m = seqmix.semiseparable %q, %k : tensor<1x?x2x64xf32>, tensor<1x?x2x64xf32> -> !packed64
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<?xi64>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !packed64, tensor<1x?x2x64xf32> -> tensor<1x?x2x64xf32>
  return %o : tensor<1x?x2x64xf32>
}

}
