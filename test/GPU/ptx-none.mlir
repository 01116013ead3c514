// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa mma=sync" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s < %t.ptx

// The PTX of the chunked kernels of causal linear attention (decay none): K = 64 and 128,
// with and without initial and final states, plain and grouped value heads.
// Each kernel has 128 threads, cp.async copies of 16 bytes, ldmatrix, and
// exactly the tensor-core products of one chunk step (per warp: K/16 · 8 for
// Q Kᵀ and for Q S, 4 · 8 for A V, K/64 · 4 · 8 for K̃ᵀ V) as bf16 mma.sync
// with fp32 accumulators.
// ptxas.test assembles the same PTX with ptxas (ENTRY and PTXAS lines).

// CHECK: .version 8.0
// CHECK: .target sm_90a
// CHECK-NOT: .local

// ENTRY-DAG: Compiling entry function 'chunked_additive_none_k64_v128_h2x2_final' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_none_k64_v128_h2x4_init_final' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_none_k128_v128_h2x4' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_none_k128_v128_h4x8_init_final' for 'sm_90a'
// PTXAS-COUNT-4: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// CHECK-LABEL: .visible .entry chunked_additive_none_k64_v128_h2x2_final(
// CHECK: .maxntid 128, 1, 1
// CHECK: cp.async.cg.shared.global [{{%r[0-9]+|%rd[0-9]+}}{{.*}}], [{{%rd[0-9]+}}], 16, {{%r[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group 1;
// CHECK: bar.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-COUNT-128: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: cvt.rn.bf16x2.f32
func.func @k64_zero_final(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x128xbf16>)
    -> (tensor<?x?x2x128xbf16>, tensor<?x2x64x128xf32>) {
  %m = seqmix.semiseparable %q, %k : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> !seqmix.mixer<?x2x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
  %o, %sT = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !seqmix.mixer<?x2x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>, tensor<?x?x2x128xbf16> -> tensor<?x?x2x128xbf16>, tensor<?x2x64x128xf32>
  return %o, %sT : tensor<?x?x2x128xbf16>, tensor<?x2x64x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_additive_none_k64_v128_h2x4_init_final(
// CHECK: .maxntid 128, 1, 1
// CHECK: cp.async.cg.shared.global [{{%r[0-9]+|%rd[0-9]+}}{{.*}}], [{{%rd[0-9]+}}], 16, {{%r[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group 1;
// CHECK: bar.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-COUNT-128: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: cvt.rn.bf16x2.f32
func.func @k64_init_final(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x4x128xbf16>, %s0: tensor<?x4x64x128xf32>)
    -> (tensor<?x?x4x128xbf16>, tensor<?x4x64x128xf32>) {
  %m = seqmix.semiseparable %q, %k : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x4x64x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>, tensor<?x?x4x128xbf16> -> tensor<?x?x4x128xbf16>, tensor<?x4x64x128xf32>
  return %o, %sT : tensor<?x?x4x128xbf16>, tensor<?x4x64x128xf32>
}

// CHECK-LABEL: .visible .entry chunked_additive_none_k128_v128_h2x4(
// CHECK: .maxntid 128, 1, 1
// CHECK: cp.async.cg.shared.global [{{%r[0-9]+|%rd[0-9]+}}{{.*}}], [{{%rd[0-9]+}}], 16, {{%r[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group 1;
// CHECK: bar.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: cvt.rn.bf16x2.f32
func.func @k128_zero(%q: tensor<?x?x2x128xbf16>, %k: tensor<?x?x2x128xbf16>, %v: tensor<?x?x4x128xbf16>)
    -> (tensor<?x?x4x128xbf16>) {
  %m = seqmix.semiseparable %q, %k : tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16> -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>
  %o = seqmix.apply %m, %v
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>, tensor<?x?x4x128xbf16> -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}

// CHECK-LABEL: .visible .entry chunked_additive_none_k128_v128_h4x8_init_final(
// CHECK: .maxntid 128, 1, 1
// CHECK: cp.async.cg.shared.global [{{%r[0-9]+|%rd[0-9]+}}{{.*}}], [{{%rd[0-9]+}}], 16, {{%r[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: cp.async.wait_group 1;
// CHECK: bar.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: cvt.rn.bf16x2.f32
func.func @k128_init_final(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x4x128xbf16>, %v: tensor<?x?x8x128xbf16>, %s0: tensor<?x8x128x128xf32>)
    -> (tensor<?x?x8x128xbf16>, tensor<?x8x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16> -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>
  %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<?x8x128x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>, tensor<?x?x8x128xbf16> -> tensor<?x?x8x128xbf16>, tensor<?x8x128x128xf32>
  return %o, %sT : tensor<?x?x8x128xbf16>, tensor<?x8x128x128xf32>
}

}
