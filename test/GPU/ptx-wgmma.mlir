// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa segments=passes" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa mma=wgmma segments=passes" \
// RUN:   | %extract_gpu_binary | FileCheck %s
// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa mma=sync segments=passes" \
// RUN:   | %extract_gpu_binary | FileCheck %s --check-prefix=SYNC
// RUN: not seqmix-opt %s --seqmix-form-gpu-kernels="mma=mfma" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BADMMA
// RUN: sed 's/sm_90a/sm_90/' %s | not seqmix-opt --seqmix-form-gpu-kernels="mma=wgmma" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NOTSM90A

// The bf16 kernels on sm_90a (mma=auto, the default, or mma=wgmma): the
// products are warpgroup MMAs, wgmma.mma_async m64n64k16 with bf16 inputs and
// f32 accumulators, per chunk in three commit groups: Q Kᵀ and Q S with both
// operands in shared memory (K/16 each; Q and K K-major, S transposed); Kᵀ Ṽ
// with both in shared memory (K/64 · 4; K and Ṽ transposed), which runs
// while the scores are masked (wait_group 1); A V with A in registers (4).
// Q, K, V and S sit in shared memory in the 128-byte swizzle (the layout
// aligned to 1024 bytes at run time); Ṽ is V with its rows scaled by the
// decays (and dt), written while the first group runs (without decay and dt
// the products read V itself). The copies and the stores of S and Ṽ are made
// visible to the async proxy before the barriers that precede the products.
// ptxas.test assembles the PTX (ENTRY, PTXAS).

// SYNC-NOT: wgmma
// SYNC: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// BADMMA: error: seqmix-form-gpu-kernels: mma must be auto, wgmma or sync, not 'mfma'
// NOTSM90A: error: seqmix-form-gpu-kernels: mma=wgmma needs an sm_90a target, not sm_90

// CHECK: .target sm_90a
// CHECK-NOT: .local
// CHECK-NOT: mma.sync

// ENTRY-DAG: Compiling entry function 'chunked_additive_none_k128_v128_h16x16_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k64_v128_h2x4_init_final_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_static_k128_v128_h4x8_init_final_seqlens64_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_scale3ff0000000000000_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly_wgmma' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_init_seqlens32_wgmma' for 'sm_90a'
// (with the four kernels of the segments carry)
// PTXAS-COUNT-10: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

!qk128 = tensor<8x4096x16x128xbf16>
!la = !seqmix.mixer<8x16x4096, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>
!qk64 = tensor<?x?x2x64xbf16>
!v128 = tensor<?x?x4x128xbf16>
!gla = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
!qk4 = tensor<1x?x4x128xbf16>
!v8 = tensor<1x?x8x128xbf16>
!ret = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = static, transition = additive>>
!x = tensor<?x?x8x64xbf16>
!bc1 = tensor<?x?x1x128xbf16>
!dt = tensor<?x?x8xf32>
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!mamba = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>
!long = !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!qkl = tensor<?x?x16x128xbf16>

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// Linear attention, K = 128: 8 + 8, 8, then 4 products; no Ṽ.
// CHECK-LABEL: .visible .entry chunked_additive_none_k128_v128_h16x16_wgmma(
// CHECK: .maxntid 128, 1, 1
// CHECK: cp.async.cg.shared.global
// CHECK: cp.async.wait_group 1;
// CHECK: fence.proxy.async.shared::cta;
// CHECK: bar.sync
// CHECK: wgmma.fence.sync.aligned;
// CHECK-COUNT-16: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, {{%rd[0-9]+}}, {{%rd[0-9]+}}, p, 1, 1, {{[01]}}, {{[01]}};
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK-NOT: bar.sync
// CHECK: wgmma.fence.sync.aligned;
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, {{%rd[0-9]+}}, {{%rd[0-9]+}}, p, 1, 1, 1, 1;
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK: wgmma.wait_group.sync.aligned 1;
// CHECK: wgmma.fence.sync.aligned;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, {%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, {{%rd[0-9]+}}, p, 1, 1, 1;
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK-NOT: wgmma.mma_async
// CHECK: ret;
func.func @la(%q: !qk128, %k: !qk128, %v: !qk128) -> !qk128 {
  %m = seqmix.semiseparable %q, %k : !qk128, !qk128 -> !la
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !la, !qk128 -> !qk128
  return %o : !qk128
}

// Simple GLA, K = 64, grouped, states: 4 + 4, Ṽ (16-byte stores, a fence
// and a barrier while the first group runs), 4, 4.
// CHECK-LABEL: .visible .entry chunked_additive_scalar_k64_v128_h2x4_init_final_wgmma(
// CHECK: fence.proxy.async.shared::cta;
// CHECK: bar.sync
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK: st.shared.v4.b32
// CHECK: fence.proxy.async.shared::cta;
// CHECK: bar.sync
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK: wgmma.wait_group.sync.aligned 1;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK-NOT: wgmma.mma_async
// CHECK: ret;
func.func @gla(%q: !qk64, %k: !qk64, %v: !v128, %g: tensor<?x?x4xf32>, %s0: tensor<?x4x64x128xf32>)
    -> (!v128, tensor<?x4x64x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x4xf32>) : !qk64, !qk64 -> !gla
  %o, %s = seqmix.apply %m, %v init(%s0 : tensor<?x4x64x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !gla, !v128 -> !v128, tensor<?x4x64x128xf32>
  return %o, %s : !v128, tensor<?x4x64x128xf32>
}

// RetNet, K = 128, grouped, packed sequences (i64 offsets), states.
// CHECK-LABEL: .visible .entry chunked_additive_static_k128_v128_h4x8_init_final_seqlens64_wgmma(
// CHECK-COUNT-16: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK: st.shared.v4.b32
// CHECK-COUNT-12: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK-NOT: wgmma.mma_async
// CHECK: ret;
func.func @retnet(%q: !qk4, %k: !qk4, %v: !v8, %lg: tensor<8xf32>, %s0: tensor<?x8x128x128xf32>,
                  %offsets: tensor<?xi64>) -> (!v8, tensor<?x8x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%lg : tensor<8xf32>) : !qk4, !qk4 -> !ret
  %o, %s = seqmix.apply %m, %v init(%s0 : tensor<?x8x128x128xf32>) seqlens(%offsets : tensor<?xi64>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !ret, !v8 -> !v8, tensor<?x8x128x128xf32>
  return %o, %s : !v8, tensor<?x8x128x128xf32>
}

// Mamba2 SSD: dt scales Ṽ too; D from shared memory.
// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_scale3ff0000000000000_wgmma(
// CHECK: cp.async.ca.shared.global
// CHECK-COUNT-16: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK: st.shared.v4.b32
// CHECK-COUNT-12: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK-NOT: wgmma.mma_async
// CHECK: ret;
func.func @mamba2(%x: !x, %dt: !dt, %g: !dt, %B: !bc1, %C: !bc1, %D: tensor<8xf32>,
                  %s0: tensor<?x8x128x64xf32>) -> (!x, tensor<?x8x128x64xf32>) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc1, !bc1 -> !ssd
  %skip = seqmix.diagonal %D : tensor<8xf32> -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  %y, %final = seqmix.apply %m, %x init(%s0 : tensor<?x8x128x64xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !mamba, !x -> !x, tensor<?x8x128x64xf32>
  return %y, %final : !x, tensor<?x8x128x64xf32>
}

// The segments carry: the state-only first pass has only the second group
// (8 products) and stores no output.
// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly_wgmma(
// CHECK: st.shared.v4.b32
// CHECK: bar.sync
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n64k16
// CHECK-NOT: wgmma.mma_async
// CHECK-NOT: st.global.b32
// CHECK: ret;
func.func @long(%q: !qkl, %k: !qkl, %v: !qkl, %g: tensor<?x?x16xf32>) -> !qkl {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x16xf32>) : !qkl, !qkl -> !long
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 2>}
      : !long, !qkl -> !qkl
  return %o : !qkl
}

}
