// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="format=isa mma=sync" | FileCheck %s
// RUN: seqmix-opt %s --seqmix-to-nvvm-pipeline="format=isa mma=sync" \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM

// The whole pipeline on a module without a pinned form: seqmix-select-form
// picks the chunked form with the state on chip for sm_90a, the kernel is
// formed and compiled into a gpu.binary, and the host function takes the
// output and the final state as out-parameters (memref descriptors) that the
// kernel writes directly: no allocation and no copy is left on the host. The
// result holds upstream dialects only, which mlir-translate turns into LLVM
// IR calling the mgpu* runtime functions.

!qk = tensor<8x4096x16x128xbf16>
!v = tensor<8x4096x16x128xbf16>
!g = tensor<8x4096x16xf32>
!s = tensor<8x16x128x128xf32>
!m = !seqmix.mixer<8x16x4096, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>

// CHECK: module attributes {gpu.container_module} {
// CHECK-LABEL: llvm.func @forward(
// CHECK-NOT: llvm.call @malloc
// CHECK: gpu.launch_func @seqmix_kernels::@chunked_additive_scalar_k128_v128_h16x16_init_final
// CHECK-NOT: llvm.call
// CHECK: llvm.return
// CHECK: gpu.binary @seqmix_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">
// CHECK-SAME: assembly = "
// CHECK-SAME: .entry chunked_additive_scalar_k128_v128_h16x16_init_final

// LLVM-LABEL: define void @forward(
// LLVM: call ptr @mgpuModuleGetFunction
// LLVM: call ptr @mgpuStreamCreate()
// LLVM: call void @mgpuLaunchKernel(ptr %{{.*}}, i64 2, i64 16, i64 8, i64 128, i64 1, i64 1, i32 106752,
// LLVM: call void @mgpuStreamSynchronize
// LLVM: call ptr @mgpuModuleLoadJIT(ptr @seqmix_kernels_binary, i32 3)
module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {
  func.func @forward(%q: !qk, %k: !qk, %v: !v, %g: !g, %s0: !s) -> (!v, !s) {
    %m = seqmix.semiseparable %q, %k gate(%g : !g) : !qk, !qk -> !m
    %o, %sT = seqmix.apply %m, %v init(%s0 : !s) : !m, !v -> !v, !s
    return %o, %sT : !v, !s
  }
}
