// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a format=isa mma=sync" \
// RUN:   | %extract_gpu_binary > %t.ptx
// RUN: FileCheck %s < %t.ptx

// The PTX of the chunked kernels of Mamba2 SSD (examples/mamba2.mlir): q = C
// and k = B with G groups as the q/k heads, the scalar gate A·dt, dt, scale 1
// and the D skip (seqmix.add of a seqmix.diagonal, in either order). K = N =
// 128 and V = P = 64 with one and two groups of 8 heads, with and without the
// states, packed sequences; K = 64 with V = 128. dt reaches shared memory by
// 4-byte cp.async (cp.async.ca) beside Q, K and V; D is read from shared
// memory in the output step, where v comes from the chunk's V tile
// (ld.shared.v2.b16). The tensor-core products are those of the kernel
// without dt and D (224 at K = 128, 128 at K = 64).
// ptxas.test assembles the same PTX with ptxas (ENTRY and PTXAS lines).

// CHECK: .target sm_90a
// CHECK-NOT: .local

// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_scale3ff0000000000000' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h2x8_dt_skip_scale3ff0000000000000' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h2x8_dt_skip_final_scale3ff0000000000000' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_seqlens32_scale3ff0000000000000' for 'sm_90a'
// ENTRY-DAG: Compiling entry function 'chunked_additive_scalar_k64_v128_h2x8_dt_skip_init_final_scale3ff0000000000000' for 'sm_90a'
// PTXAS-COUNT-5: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT: bytes spill

!x = tensor<?x?x8x64xbf16>          // x, y: [B, T, H, P]
!bc1 = tensor<?x?x1x128xbf16>       // B, C: [B, T, G, N]
!bc2 = tensor<?x?x2x128xbf16>
!dt = tensor<?x?x8xf32>             // dt, g = A·dt: [B, T, H]
!heads = tensor<8xf32>              // D: [H]
!state = tensor<?x8x128x64xf32>     // [B, H, N, P]
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!mixer = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>
!rmixer = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.diagonal, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>]>>

module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {

// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_scale3ff0000000000000(
// CHECK: .maxntid 128, 1, 1
// CHECK: cp.async.ca.shared.global [{{%rd[0-9]+}}+106752], [{{%rd[0-9]+}}], 4, {{%r[0-9]+}};
// CHECK: cp.async.commit_group;
// CHECK: shfl.sync.up.b32
// CHECK: cp.async.wait_group 1;
// CHECK: bar.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: ld.shared.b32 {{%r[0-9]+}}, [__dynamic_shmem__0+107264];
// CHECK: ld.shared.v2.b16
// CHECK: cvt.rn.bf16x2.f32
func.func @g1_init_final(%x: !x, %dt: !dt, %g: !dt, %B: !bc1, %C: !bc1, %D: !heads, %s0: !state) -> (!x, !state) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc1, !bc1 -> !ssd
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  %y, %final = seqmix.apply %m, %x init(%s0 : !state)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !mixer, !x -> !x, !state
  return %y, %final : !x, !state
}

// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v64_h2x8_dt_skip_scale3ff0000000000000(
// CHECK: cp.async.ca.shared.global [{{%rd[0-9]+}}+106752], [{{%rd[0-9]+}}], 4, {{%r[0-9]+}};
// CHECK: bar.sync
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: ld.shared.b32 {{%r[0-9]+}}, [__dynamic_shmem__0+107264];
// CHECK: ld.shared.v2.b16
// CHECK: cvt.rn.bf16x2.f32
func.func @g2_skip_first(%x: !x, %dt: !dt, %g: !dt, %B: !bc2, %C: !bc2, %D: !heads) -> !x {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc2, !bc2 -> !ssd
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %skip, %ssd : !skip, !ssd
  %y = seqmix.apply %m, %x
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !rmixer, !x -> !x
  return %y : !x
}

// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v64_h2x8_dt_skip_final_scale3ff0000000000000(
// CHECK: cp.async.ca.shared.global
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: ld.shared.v2.b16
func.func @g2_final(%x: !x, %dt: !dt, %g: !dt, %B: !bc2, %C: !bc2, %D: !heads) -> (!x, !state) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc2, !bc2 -> !ssd
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  %y, %final = seqmix.apply %m, %x
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !mixer, !x -> !x, !state
  return %y, %final : !x, !state
}

// Packed sequences: dt is read at the sequence's token offsets, like the gate.
// CHECK-LABEL: .visible .entry chunked_additive_scalar_k128_v64_h1x8_dt_skip_init_final_seqlens32_scale3ff0000000000000(
// CHECK: ld.global.b32
// CHECK: cp.async.ca.shared.global
// CHECK-COUNT-224: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: ld.shared.v2.b16
func.func @g1_packed(%x: tensor<1x?x8x64xbf16>, %dt: tensor<1x?x8xf32>, %g: tensor<1x?x8xf32>,
                     %B: tensor<1x?x1x128xbf16>, %C: tensor<1x?x1x128xbf16>, %D: !heads,
                     %s0: !state, %cu: tensor<?xi32>) -> (tensor<1x?x8x64xbf16>, !state) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : tensor<1x?x8xf32>) dt(%dt : tensor<1x?x8xf32>) {scale = 1.0 : f64}
      : tensor<1x?x1x128xbf16>, tensor<1x?x1x128xbf16>
      -> !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
  %skip = seqmix.diagonal %D : !heads -> !seqmix.mixer<1x8x?, #seqmix.diagonal>
  %m = seqmix.add %ssd, %skip
      : !seqmix.mixer<1x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
        !seqmix.mixer<1x8x?, #seqmix.diagonal>
  %y, %final = seqmix.apply %m, %x init(%s0 : !state) seqlens(%cu : tensor<?xi32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !seqmix.mixer<1x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>,
        tensor<1x?x8x64xbf16> -> tensor<1x?x8x64xbf16>, !state
  return %y, %final : tensor<1x?x8x64xbf16>, !state
}

// K = N = 64, V = P = 128 (two CTAs per head): dt after G at byte 64768, D
// at 65280.
// CHECK-LABEL: .visible .entry chunked_additive_scalar_k64_v128_h2x8_dt_skip_init_final_scale3ff0000000000000(
// CHECK: cp.async.ca.shared.global [{{%rd[0-9]+}}+64768], [{{%rd[0-9]+}}], 4, {{%r[0-9]+}};
// CHECK-COUNT-128: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: ld.shared.b32 {{%r[0-9]+}}, [__dynamic_shmem__0+65280];
// CHECK: ld.shared.v2.b16
func.func @k64(%x: tensor<?x?x8x128xbf16>, %dt: !dt, %g: !dt, %B: tensor<?x?x2x64xbf16>, %C: tensor<?x?x2x64xbf16>,
               %D: !heads, %s0: tensor<?x8x64x128xf32>) -> (tensor<?x?x8x128xbf16>, tensor<?x8x64x128xf32>) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64}
      : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %ssd, %skip
      : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>, !skip
  %y, %final = seqmix.apply %m, %x init(%s0 : tensor<?x8x64x128xf32>)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = scalar, transition = additive>, #seqmix.diagonal]>>,
        tensor<?x?x8x128xbf16> -> tensor<?x?x8x128xbf16>, tensor<?x8x64x128xf32>
  return %y, %final : tensor<?x?x8x128xbf16>, tensor<?x8x64x128xf32>
}

}
