// RUN: seqmix-opt %S/ptx-wgmma.mlir \
// RUN:   --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa segments=passes loads=tma" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: FileCheck %s --check-prefix=STATEONLY < %t.ptx
// RUN: not seqmix-opt %S/ptx-wgmma.mlir --seqmix-form-gpu-kernels="mma=sync loads=tma" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SYNC
// RUN: not seqmix-opt %S/ptx-wgmma.mlir --seqmix-form-gpu-kernels="loads=bulk" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD

// The wgmma kernels of ptx-wgmma.mlir with loads=tma: thread 0 initialises
// one mbarrier per stage (arrival count 1), and per chunk announces the
// stage's bytes (expect_tx: Q and K of 64 × 128 bf16 and V of 64 × 64, 40960
// bytes at K = 128) and issues one cp.async.bulk.tensor per 64 × 64 box
// (Q and K two each at K = 128, V one) at (column, head, row) of the tensor
// maps, which are kernel arguments (i64 device addresses); every thread waits
// on the stage's mbarrier with the parity of its use. The state-only kernel
// loads K and V only (24576 bytes). ptxas.test assembles the PTX (TMAENTRY,
// PTXAS).

// SYNC: error: seqmix-form-gpu-kernels: loads=tma needs the wgmma kernels
// BAD: error: seqmix-form-gpu-kernels: loads must be cp-async or tma, not 'bulk'

// CHECK: .entry chunked_additive_none_k128_v128_h16x16_wgmma_tma(
// (q, k, v and o as 5 parameters each, T, then the maps of q, k and v)
// CHECK: .param .u64 chunked_additive_none_k128_v128_h16x16_wgmma_tma_param_20,
// CHECK-NEXT: .param .u64 chunked_additive_none_k128_v128_h16x16_wgmma_tma_param_21,
// CHECK-NEXT: .param .u64 chunked_additive_none_k128_v128_h16x16_wgmma_tma_param_22,
// CHECK-NEXT: .param .u64 chunked_additive_none_k128_v128_h16x16_wgmma_tma_param_23
// CHECK-NEXT: )
// CHECK-COUNT-2: mbarrier.init.shared::cta.b64 [%r{{[0-9]+}}], 1;
// CHECK: fence.mbarrier_init.release.cluster;
// CHECK: bar.sync
// CHECK: mov.b32 [[BYTES:%r[0-9]+]], 40960;
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64 _, [[[BAR:%r[0-9]+]]], [[BYTES]];
// CHECK-COUNT-5: cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r{{[0-9]+}}], [%rd{{[0-9]+}}, {%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}], [[[BAR]]];
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK-COUNT-5: cp.async.bulk.tensor.3d
// CHECK-NOT: cp.async.cg
// CHECK: mbarrier.try_wait.parity.shared::cta.b64 done, [%r{{[0-9]+}}], %r{{[0-9]+}};
// CHECK-NEXT: @!done bra seqmix_wait;
// CHECK: fence.proxy.async.shared::cta;
// CHECK: wgmma.mma_async
// CHECK: .entry chunked_additive_scalar_k64_v128_h2x4_init_final_wgmma_tma(

// STATEONLY: .entry chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly_wgmma_tma(
// STATEONLY: mov.b32 [[BYTES:%r[0-9]+]], 24576;
// STATEONLY: mbarrier.arrive.expect_tx.shared::cta.b64 _, [%r{{[0-9]+}}], [[BYTES]];
// STATEONLY-COUNT-3: cp.async.bulk.tensor.3d
// STATEONLY-NOT: cp.async.bulk.tensor
// STATEONLY: mbarrier.arrive.expect_tx

// TMAENTRY-DAG: Compiling entry function 'chunked_additive_none_k128_v128_h16x16_wgmma_tma' for 'sm_90a'
// TMAENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k64_v128_h2x4_init_final_wgmma_tma' for 'sm_90a'
// TMAENTRY-DAG: Compiling entry function 'chunked_additive_static_k128_v128_h4x8_init_final_seqlens64_wgmma_tma' for 'sm_90a'
// TMAENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_scale3ff0000000000000_wgmma_tma' for 'sm_90a'
// TMAENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_final_seqlens32_stateonly_wgmma_tma' for 'sm_90a'
// TMAENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v128_h16x16_init_seqlens32_wgmma_tma' for 'sm_90a'
