// RUN: seqmix-opt %s --seqmix-form-gpu-kernels="mma=wgmma loads=tma" | FileCheck %s

// loads=tma: the host code makes a tensor map of q, k and v each
// (seqmix_runtime_tensor_map(base, B·T rows, heads, columns): the device
// address of the map) and passes them to the kernels after their other
// arguments; the segments carry's state-only pass takes k's and v's only.
// The chained carry keeps cp.async.

!qk = tensor<?x?x2x128xbf16>
!v = tensor<?x?x4x64xbf16>
!m = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>

// CHECK-LABEL: module attributes {gpu.container_module
// CHECK: func.func private @seqmix_runtime_tensor_map(!llvm.ptr, i64, i64, i64) -> i64
// CHECK-LABEL: func.func @onchip
// CHECK-DAG: %[[B:.*]] = tensor.dim %{{.*}}, %c0
// CHECK-DAG: %[[T:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: %[[ROWS:.*]] = arith.muli %[[B]], %[[T]] : index
// CHECK: %[[QP:.*]] = memref.extract_aligned_pointer_as_index %[[QF:.*]] : memref<?xbf16> -> index
// CHECK: %[[QI:.*]] = arith.index_castui %[[QP]] : index to i64
// CHECK: %[[QB:.*]] = llvm.inttoptr %[[QI]] : i64 to !llvm.ptr
// CHECK: %[[R:.*]] = arith.index_castui %[[ROWS]] : index to i64
// CHECK: %[[QMAP:.*]] = call @seqmix_runtime_tensor_map(%[[QB]], %[[R]], %c2_i64, %c128_i64) : (!llvm.ptr, i64, i64, i64) -> i64
// CHECK: %[[KMAP:.*]] = call @seqmix_runtime_tensor_map(%{{.*}}, %{{.*}}, %c2_i64{{.*}}, %c128_i64{{.*}})
// CHECK: %[[VMAP:.*]] = call @seqmix_runtime_tensor_map(%{{.*}}, %{{.*}}, %c4_i64, %c64_i64)
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k128_v64_h2x4_wgmma_tma
// CHECK-SAME: %[[T]] : index, %[[QMAP]] : i64, %[[KMAP]] : i64, %[[VMAP]] : i64)
func.func @onchip(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 1>} : !m, !v -> !v
  return %o : !v
}

// CHECK-LABEL: func.func @segments
// CHECK: %[[QMAP:.*]] = call @seqmix_runtime_tensor_map
// CHECK: %[[KMAP:.*]] = call @seqmix_runtime_tensor_map
// CHECK: %[[VMAP:.*]] = call @seqmix_runtime_tensor_map
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k128_v64_h2x4_final_seqlens32_stateonly_wgmma_tma
// CHECK-SAME: : index, %[[KMAP]] : i64, %[[VMAP]] : i64)
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k128_v64_h2x4_init_seqlens32_wgmma_tma
// CHECK-SAME: : index, %[[QMAP]] : i64, %[[KMAP]] : i64, %[[VMAP]] : i64)
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_none_k128_v64_h2x4_wgmma_tma
// CHECK-SAME: : index, %[[QMAP]] : i64, %[[KMAP]] : i64, %[[VMAP]] : i64)
func.func @segments(%q: !qk, %k: !qk, %v: !v) -> !v {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 1>} : !m, !v -> !v
  return %o : !v
}

// CHECK: gpu.module @seqmix_kernels
// CHECK: gpu.func @chunked_additive_none_k128_v64_h2x4_wgmma_tma(
// CHECK-SAME: %{{.*}}: index, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64) kernel
