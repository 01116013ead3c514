// RUN: seqmix-opt %s --seqmix-form-gpu-kernels="mma=sync" -split-input-file \
// RUN:   -verify-diagnostics | FileCheck %s

// Simple GLA with grouped value heads, an initial and a final state: one
// launch of a generated kernel, on buffers of the operands; the outputs are
// new buffers read back as tensors.

!qk = tensor<?x?x2x128xbf16>
!v = tensor<?x?x4x128xbf16>
!g = tensor<?x?x4xf32>
!s = tensor<?x4x128x128xf32>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>

// CHECK-LABEL: module attributes {gpu.container_module
// CHECK-LABEL: func.func @simple_gla
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x2x128xbf16>, %[[K:.*]]: tensor<?x?x2x128xbf16>, %[[V:.*]]: tensor<?x?x4x128xbf16>, %[[G:.*]]: tensor<?x?x4xf32>, %[[S0:.*]]: tensor<?x4x128x128xf32>)
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[V]], %c0
// CHECK-DAG: %[[T:.*]] = tensor.dim %[[V]], %c1
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK: %[[QF:.*]] = memref.collapse_shape %[[QB]] {{\[\[}}0, 1, 2, 3]] : memref<?x?x2x128xbf16> into memref<?xbf16>
// CHECK: %[[OB:.*]] = memref.alloc(%[[B]], %[[T]]) : memref<?x?x4x128xbf16>
// CHECK: %[[SB:.*]] = memref.alloc(%[[B]]) : memref<?x4x128x128xf32>
// CHECK: scf.if
// CHECK-NEXT: gpu.launch_func @seqmix_kernels::@chunked_additive_scalar_k128_v128_h2x4_init_final
// CHECK-SAME: blocks in (%c2, %c4, %[[B]]) threads in (%c128, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c106752_i32
// CHECK-SAME: args(%[[QF]] : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xf32>, %[[T]] : index)
// CHECK: %[[O:.*]] = bufferization.to_tensor %[[OB]] restrict writable
// CHECK: %[[ST:.*]] = bufferization.to_tensor %[[SB]] restrict writable
// CHECK: return %[[O]], %[[ST]]
// CHECK-NOT: seqmix.
// CHECK: gpu.module @seqmix_kernels
// CHECK: gpu.func @chunked_additive_scalar_k128_v128_h2x4_init_final(%{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xf32>, %{{.*}}: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK: gpu.dynamic_shared_memory
// CHECK: scf.for
// CHECK: gpu.shuffle up
// CHECK: gpu.barrier
// CHECK-COUNT-224: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK: scf.yield
func.func @simple_gla(%q: !qk, %k: !qk, %v: !v, %g: !g, %s0: !s) -> (!v, !s) {
  %m = seqmix.semiseparable %q, %k gate(%g : !g) : !qk, !qk -> !m
  %o, %sT = seqmix.apply %m, %v init(%s0 : !s)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !m, !v -> !v, !s
  return %o, %sT : !v, !s
}

// -----

// RetNet at K = 64 (half the shared memory), static shapes, its per-head log
// decay an argument; two applies of the same configuration share one kernel.

!qk = tensor<2x100x4x64xbf16>
!v = tensor<2x100x4x64xbf16>
!m = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 64, decay = static, transition = additive>>

// CHECK-LABEL: func.func @retnet
// CHECK: %[[GAMMA:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<4xf32> to memref<4xf32>
// CHECK: %[[GF:.*]] = memref.cast %[[GAMMA]] : memref<4xf32> to memref<?xf32>
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_static_k64_v64_h4x4
// CHECK-SAME: blocks in (%c1{{.*}}, %c4, %c2) threads in (%c128, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c64768_i32
// CHECK-SAME: %[[GF]] : memref<?xf32>
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_static_k64_v64_h4x4
// CHECK: gpu.module @seqmix_kernels
// CHECK-COUNT-1: gpu.func
// CHECK-NOT: gpu.func
func.func @retnet(%q: !qk, %k: !qk, %v: !v, %v2: !v, %log_gamma: tensor<4xf32>) -> (!v, !v) {
  %m = seqmix.semiseparable %q, %k gate(%log_gamma : tensor<4xf32>) : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !v -> !v
  %o2 = seqmix.apply %m, %v2 {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !v -> !v
  return %o, %o2 : !v, !v
}

// -----

// Causal linear attention with a scale given, no state operands: no gate
// argument, and the scale is part of the kernel's name.

!qk = tensor<?x?x8x128xbf16>
!v = tensor<?x?x8x256xbf16>
!m = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>

// CHECK-LABEL: func.func @linear_attention
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k128_v256_h8x8_scale3fe0000000000000
// CHECK-SAME: blocks in (%c4, %c8
// CHECK-SAME: args(%{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : index)
func.func @linear_attention(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k {scale = 0.5 : f64} : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 4>} : !m, !v -> !v
  return %o : !v
}

// -----

// f32 inputs: the FFMA kernel (ChunkedKernelF32.cpp), 256 threads, 135168
// bytes of shared memory at K = 128, f32 q, k, v and o.

!qk = tensor<?x?x2x128xf32>
!v = tensor<?x?x4x128xf32>
!g = tensor<?x?x4xf32>
!s = tensor<?x4x128x128xf32>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>

// CHECK-LABEL: func.func @simple_gla_f32
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_ffma_scalar_k128_v128_h2x4_init_final
// CHECK-SAME: blocks in (%c2, %c4, %{{.*}}) threads in (%c256, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c135168_i32
// CHECK-SAME: args(%{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : memref<?xf32>, %{{.*}} : index)
// CHECK: gpu.func @chunked_ffma_scalar_k128_v128_h2x4_init_final({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>, nvvm.minctasm = 1 : i32}
// CHECK: gpu.dynamic_shared_memory
// CHECK: scf.for
// CHECK-COUNT-3: gpu.barrier
// CHECK: scf.yield
func.func @simple_gla_f32(%q: !qk, %k: !qk, %v: !v, %g: !g, %s0: !s) -> (!v, !s) {
  %m = seqmix.semiseparable %q, %k gate(%g : !g) : !qk, !qk -> !m
  %o, %sT = seqmix.apply %m, %v init(%s0 : !s)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
      : !m, !v -> !v, !s
  return %o, %sT : !v, !s
}

// -----

!qk = tensor<?x?x4x64xbf16>
!v = tensor<?x?x4x64xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

func.func @no_form(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  // expected-error @below {{cannot be put on the GPU by seqmix-form-gpu-kernels: it has no #seqmix.form (run seqmix-select-form with a GPU #seqmix.target first, or pin one)}}
  %o = seqmix.apply %m, %v : !m, !v -> !v
  return %o : !v
}

// -----

!qk = tensor<?x?x4x64xbf16>
!v = tensor<?x?x4x64xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

func.func @recurrent(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  // expected-error @below {{only #seqmix.form<chunked> with carry = onchip or segments is supported yet}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent>} : !m, !v -> !v
  return %o : !v
}

// -----

!qk = tensor<?x?x4x128xbf16>
!v = tensor<?x?x4x128xbf16>
!g = tensor<?x?x4xf32>
!b = tensor<?x?x4xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>

func.func @delta(%q: !qk, %k: !qk, %g: !g, %beta: !b, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k gate(%g : !g) beta(%beta : !b) : !qk, !qk -> !m
  // expected-error @below {{only causal mixers with the additive transition are supported yet}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>} : !m, !v -> !v
  return %o : !v
}

// -----

!qk = tensor<?x?x4x128xf32>
!v = tensor<?x?x4x128xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>

func.func @mixed_types(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  // expected-error @below {{q, k and v must have the same element type}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>} : !m, !v -> !v
  return %o : !v
}

// -----

!qk = tensor<?x?x4x96xbf16>
!v = tensor<?x?x4x128xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 96, decay = none, transition = additive>>

func.func @key_dim(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  // expected-error @below {{K must be 64 or 128, not 96}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>} : !m, !v -> !v
  return %o : !v
}

// -----

!qk = tensor<?x?x4x64xbf16>
!v = tensor<?x?x4x128xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

func.func @split_v(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  // expected-error @below {{split_v must be V / 64 = 2}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !v -> !v
  return %o : !v
}

// -----

!qk = tensor<?x?x4x64xbf16>
!g = tensor<?x?x4xf32>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>

func.func @host_tensor_math(%q: !qk, %k: !qk, %v: !qk, %a: !g, %dt: !g) -> !qk {
  // expected-error @below {{cannot be compiled for the GPU: it computes on tensors outside a seqmix.apply}}
  %g = arith.mulf %a, %dt : !g
  %m = seqmix.semiseparable %q, %k gate(%g : !g) : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !qk -> !qk
  return %o : !qk
}

// -----

// Mamba2 SSD with its D skip: q = C, k = B (2 groups), scalar gate A·dt, dt,
// scale 1, plus a seqmix.diagonal of D. The launch passes dt and D after the
// gate, in the kernel's ABI order; the sum, the scan and the diagonal are
// gone after formation. dt takes two stages of 256 bytes of shared memory
// more, D 16 bytes.

!bc = tensor<?x?x2x128xbf16>
!x = tensor<?x?x8x64xbf16>
!dt = tensor<?x?x8xf32>
!heads = tensor<8xf32>
!s = tensor<?x8x128x64xf32>
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!m = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>

// CHECK-LABEL: func.func @mamba2
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8x64xbf16>, %[[DT:.*]]: tensor<?x?x8xf32>, %[[G:.*]]: tensor<?x?x8xf32>, %[[B:.*]]: tensor<?x?x2x128xbf16>, %[[C:.*]]: tensor<?x?x2x128xbf16>, %[[D:.*]]: tensor<8xf32>, %[[S0:.*]]: tensor<?x8x128x64xf32>)
// CHECK-DAG: bufferization.to_buffer %[[C]] read_only
// CHECK-DAG: bufferization.to_buffer %[[B]] read_only
// CHECK-DAG: %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
// CHECK-DAG: %[[GF:.*]] = memref.collapse_shape %[[GB]]
// CHECK-DAG: %[[DTB:.*]] = bufferization.to_buffer %[[DT]] read_only
// CHECK-DAG: %[[DTF:.*]] = memref.collapse_shape %[[DTB]]
// CHECK-DAG: %[[DB:.*]] = bufferization.to_buffer %[[D]] read_only : tensor<8xf32> to memref<8xf32>
// CHECK-DAG: %[[DF:.*]] = memref.cast %[[DB]] : memref<8xf32> to memref<?xf32>
// CHECK-DAG: %[[S0B:.*]] = bufferization.to_buffer %[[S0]] read_only
// CHECK-DAG: %[[S0F:.*]] = memref.collapse_shape %[[S0B]]
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_scalar_k128_v64_h2x8_dt_skip_init_final_scale3ff0000000000000
// CHECK-SAME: blocks in (%c1{{.*}}, %c8, %{{.*}}) threads in (%c128, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c107280_i32
// CHECK-SAME: args(%{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xbf16>, %[[GF]] : memref<?xf32>, %[[DTF]] : memref<?xf32>, %[[DF]] : memref<?xf32>, %[[S0F]] : memref<?xf32>, %{{.*}} : memref<?xbf16>, %{{.*}} : memref<?xf32>, %{{.*}} : index)
// CHECK-NOT: seqmix.
// CHECK: gpu.func @chunked_additive_scalar_k128_v64_h2x8_dt_skip_init_final_scale3ff0000000000000(%{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xbf16>, %{{.*}}: memref<?xf32>, %{{.*}}: index)
// CHECK: nvgpu.device_async_copy %{{.*}}, %{{.*}}, 1, %{{.*}} : memref<?xf32> to memref<64xf32, #gpu.address_space<workgroup>>
// CHECK: scf.for
// CHECK-COUNT-224: nvvm.mma.sync
// CHECK: gpu.barrier
func.func @mamba2(%x: !x, %dt: !dt, %g: !dt, %B: !bc, %C: !bc, %D: !heads, %s0: !s) -> (!x, !s) {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc, !bc -> !ssd
  %skip = seqmix.diagonal %D : !heads -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  %y, %final = seqmix.apply %m, %x init(%s0 : !s)
      {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>}
      : !m, !x -> !x, !s
  return %y, %final : !x, !s
}

// -----

// A diagonal per token (Hydra's D + fc_D(x)) is not Mamba2's D.

!bc = tensor<?x?x2x128xbf16>
!x = tensor<?x?x8x64xbf16>
!dt = tensor<?x?x8xf32>
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!m = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.diagonal, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>]>>

func.func @diagonal_per_token(%x: !x, %dt: !dt, %g: !dt, %B: !bc, %C: !bc, %d: !dt) -> !x {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc, !bc -> !ssd
  %skip = seqmix.diagonal %d : !dt -> !skip
  %m = seqmix.add %skip, %ssd : !skip, !ssd
  // expected-error @below {{the diagonal term must be one weight per value head (d of shape [Hv], Mamba2's D); a diagonal per token (d of shape [B, T, Hv]) is not supported}}
  %y = seqmix.apply %m, %x {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !x -> !x
  return %y : !x
}

// -----

// D must be f32, like the gates and dt.

!bc = tensor<?x?x2x128xbf16>
!x = tensor<?x?x8x64xbf16>
!dt = tensor<?x?x8xf32>
!ssd = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
!skip = !seqmix.mixer<?x8x?, #seqmix.diagonal>
!m = !seqmix.mixer<?x8x?, #seqmix.sum<[#seqmix.semiseparable<state = 128, decay = scalar, transition = additive>, #seqmix.diagonal]>>

func.func @diagonal_bf16(%x: !x, %dt: !dt, %g: !dt, %B: !bc, %C: !bc, %D: tensor<8xbf16>) -> !x {
  %ssd = seqmix.semiseparable %C, %B gate(%g : !dt) dt(%dt : !dt) {scale = 1.0 : f64} : !bc, !bc -> !ssd
  %skip = seqmix.diagonal %D : tensor<8xbf16> -> !skip
  %m = seqmix.add %ssd, %skip : !ssd, !skip
  // expected-error @below {{the diagonal term's d must be f32}}
  %y = seqmix.apply %m, %x {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !x -> !x
  return %y : !x
}

// -----

// A sum of two scans (a Hydra-like mixer) is not a scan plus a diagonal.

!qk = tensor<?x?x4x64xbf16>
!v = tensor<?x?x4x64xbf16>
!ss = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
!m = !seqmix.mixer<?x4x?, #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = none, transition = additive>, #seqmix.semiseparable<state = 64, decay = none, transition = additive>]>>

func.func @two_scans(%q: !qk, %k: !qk, %v: !v) -> !v {
  %a = seqmix.semiseparable %q, %k : !qk, !qk -> !ss
  %b = seqmix.semiseparable %k, %q : !qk, !qk -> !ss
  %m = seqmix.add %a, %b : !ss, !ss
  // expected-error @below {{a sum of mixers must be a seqmix.semiseparable plus a seqmix.diagonal (Mamba2's D skip); this one adds 'seqmix.semiseparable' and 'seqmix.semiseparable'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !v -> !v
  return %o : !v
}

// -----

// A constant would be a host global that the kernel cannot read.

!qk = tensor<2x100x4x64xbf16>
!m = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 64, decay = static, transition = additive>>

func.func @constant_gate(%q: !qk, %k: !qk, %v: !qk) -> !qk {
  // expected-error @below {{cannot be compiled for the GPU: it computes on tensors outside a seqmix.apply}}
  %log_gamma = arith.constant dense<-0.03125> : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%log_gamma : tensor<4xf32>) : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !qk -> !qk
  return %o : !qk
}

// -----

// Two diagonals on top of a scan: the sum nests, which is not supported.

!qk = tensor<?x?x4x64xbf16>
!v = tensor<?x?x4x64xbf16>
!d = tensor<4xf32>
!ss = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
!diag = !seqmix.mixer<?x4x?, #seqmix.diagonal>
!m1 = !seqmix.mixer<?x4x?, #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = none, transition = additive>, #seqmix.diagonal]>>
!m2 = !seqmix.mixer<?x4x?, #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = none, transition = additive>, #seqmix.diagonal, #seqmix.diagonal]>>

func.func @nested_sum(%q: !qk, %k: !qk, %v: !v, %d1: !d, %d2: !d) -> !v {
  %a = seqmix.semiseparable %q, %k : !qk, !qk -> !ss
  %x = seqmix.diagonal %d1 : !d -> !diag
  %y = seqmix.diagonal %d2 : !d -> !diag
  %s = seqmix.add %a, %x : !ss, !diag
  %m = seqmix.add %s, %y : !m1, !diag
  // expected-error @below {{a sum of mixers must be a seqmix.semiseparable plus a seqmix.diagonal (Mamba2's D skip); this one adds 'seqmix.add' and 'seqmix.diagonal'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m2, !v -> !v
  return %o : !v
}

// -----

// Linear attention at K = 64: its kernel's shared memory lets 3 CTAs share a
// multiprocessor, which would put 512 CTAs in waves of 396 and 116, so the
// launch asks for just more than a third of a multiprocessor's 228 KiB (2
// fit: waves of 264 and 248). 256 CTAs fill one wave either way and keep
// the kernel's own size; with B unknown the choice is made when it runs.

!qk = tensor<16x100x32x64xbf16>
!m = !seqmix.mixer<16x32x100, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
!qkd = tensor<?x100x32x64xbf16>
!md = !seqmix.mixer<?x32x100, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
!qk8 = tensor<8x100x32x64xbf16>
!m8 = !seqmix.mixer<8x32x100, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

// CHECK-LABEL: func.func @occupancy
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k64_v64_h32x32
// CHECK-SAME: blocks in (%c1{{.*}}, %c32, %c16) threads in (%c128, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c76816_i32
// CHECK: %[[CTAS:.*]] = arith.muli %{{.*}}, %c32
// CHECK: %[[SMEM:.*]] = arith.select %{{.*}}, %c76816{{.*}}, %c{{[0-9_]+}} : index
// CHECK: %[[SMEM32:.*]] = arith.index_cast %[[SMEM]] : index to i32
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k64_v64_h32x32
// CHECK-SAME: dynamic_shared_memory_size %[[SMEM32]]
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k64_v64_h32x32
// CHECK-SAME: blocks in (%c1{{.*}}, %c32{{.*}}, %c8) threads in (%c128{{.*}}, %c1{{.*}}, %c1{{.*}}) dynamic_shared_memory_size %c64768_i32
func.func @occupancy(%q: !qk, %v: !qk, %qd: !qkd, %vd: !qkd, %q8: !qk8, %v8: !qk8) -> (!qk, !qkd, !qk8) {
  %m = seqmix.semiseparable %q, %q : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !qk -> !qk
  %md = seqmix.semiseparable %qd, %qd : !qkd, !qkd -> !md
  %od = seqmix.apply %md, %vd {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !md, !qkd -> !qkd
  %m8 = seqmix.semiseparable %q8, %q8 : !qk8, !qk8 -> !m8
  %o8 = seqmix.apply %m8, %v8 {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m8, !qk8 -> !qk8
  return %o, %od, %o8 : !qk, !qkd, !qk8
}
