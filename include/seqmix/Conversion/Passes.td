//===- Passes.td - seqmix conversion passes ----------------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_CONVERSION_PASSES_TD
#define SEQMIX_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqMixGPUTarget : Pass<"seqmix-gpu-target", "::mlir::ModuleOp"> {
  let summary = "Check an NVIDIA chip and PTX version and record the chip on "
                "the module";
  let description = [{
    Checks that `chip` is a chip the GPU kernels of SeqMix support (`sm_80`,
    `sm_90`, `sm_90a`, the GPU chips of `#seqmix.target`: bf16 tensor cores
    through `mma.sync`) and that `ptx` is a PTX ISA version that LLVM 22 emits, that
    CUDA 13 accepts and that is at least the chip's minimum (7.0 for `sm_80`,
    7.8 for `sm_90`, 8.0 for `sm_90a`). An unsupported setting is
    reported as an error on the module: later, upstream's NVPTX back end would
    abort the process instead (`LLVM ERROR: Cannot select`, or `PTX version
    6.0 does not support target 'sm_90a'`). `ptx = 0` means the chip's
    minimum. `opt-level` (0 to 3) and `format` (the formats of
    `gpu-module-to-binary`) are checked too, so that a pipeline can pass
    them on.

    A module without a `seqmix.target` attribute gets
    `#seqmix.target<chip = "...">`, so that `seqmix-select-form` chooses
    GPU forms; a module whose target names another chip is an error.

    ```mlir
    // seqmix-opt --seqmix-gpu-target="chip=sm_90a ptx=80"
    module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {}
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "Target chip (sm_80, sm_90, sm_90a)">,
    Option<"ptx", "ptx", "unsigned", /*default=*/"0",
           "PTX ISA version times ten (80 for PTX 8.0); 0 for the chip's "
           "minimum">,
    Option<"optLevel", "opt-level", "int", /*default=*/"3",
           "Optimisation level of the NVPTX back end (0 to 3)">,
    Option<"format", "format", "std::string", /*default=*/"\"bin\"",
           "What gpu-module-to-binary is to produce: bin, isa, fatbin, llvm "
           "or offload">,
  ];
  let dependentDialects = ["::mlir::seqmix::SeqMixDialect"];
}

def SeqMixFormGPUKernels : Pass<"seqmix-form-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Turn chunked seqmix.apply ops into launches of generated "
                "GPU kernels";
  let description = [{
    Replaces every `seqmix.apply` whose form is
    `#seqmix.form<chunked, chunk = 64, carry = onchip, split_v = V/64>` by a
    `gpu.launch_func` of a kernel that it generates into the `gpu.module`
    `@seqmix_kernels` (one kernel per distinct configuration). Supported:
    a single causal semiseparable term with the additive transition and
    decay `none`, `static` or `scalar` (causal linear attention, RetNet and
    Lightning attention, simple GLA), bf16 q, k and v, key dimension
    K = 64 or 128, value dimension V a multiple of 64, optional initial and
    final states, dynamic B and T, and grouped value heads. Any other
    `seqmix.apply` is an error naming what is not supported.

    The kernel has one CTA of 128 threads (4 warps) per (value tile of 64,
    value head, batch element). It walks the chunks of 64 tokens with the
    K×64 fp32 state in registers; per chunk, `Q Kᵀ`, `(Q Kᵀ ∘ D) V`,
    `Q S` and `Kᵀ V` run on the tensor cores (bf16 inputs, fp32
    accumulation): through `wgmma.mma_async` (m64n64k16, operands in
    128-byte-swizzled shared memory) when `mma` is `wgmma`, or `auto` with an
    sm_90a target, else through `nvvm.mma.sync` (m16n8k16). See
    `docs/GPU.md`.

    The pass works on tensors and bufferizes the launch itself: inputs
    through `bufferization.to_buffer` and `memref.collapse_shape` to
    one-dimensional memrefs, outputs into `memref.alloc` buffers read back
    with `bufferization.to_tensor`. Run one-shot bufferization with
    function-boundary bufferization and `buffer-results-to-out-params`
    with hoisted allocations afterwards (as `seqmix-to-nvvm-pipeline`
    does): the kernel then writes into the caller's output buffers.

    ```mlir
    %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>} : ...
    // becomes
    gpu.launch_func @seqmix_kernels::@chunked_additive_scalar_...
        blocks in (%c2, %c16, %b) threads in (%c128, %c1, %c1)
        dynamic_shared_memory_size %smem args(...)
    ```
  }];
  let options = [
    Option<"mma", "mma", "std::string", /*default=*/"\"auto\"",
           "The tensor-core instruction of the bf16 kernels: `wgmma` "
           "(sm_90a's warpgroup MMA, 128-byte-swizzled shared operands), "
           "`sync` (mma.sync) or `auto` (wgmma when the module's "
           "#seqmix.target is sm_90a, mma.sync otherwise)">,
    Option<"segments", "segments", "std::string", /*default=*/"\"passes\"",
           "How the bf16 kernels run carry = segments: `passes` (a "
           "state-only pass, a scan and an output pass) or `chained` (one "
           "launch: each segment's CTA computes its local state, takes its "
           "predecessor's prefix state and computes its outputs, k and v "
           "read again from L2; slower on an H100 at the benchmark shapes, "
           "see docs/GPU.md). The f32 kernels always use `passes`">,
    Option<"segmentTokens", "segment-tokens", "unsigned", /*default=*/"0",
           "Tokens per segment of the chained segments carry (a multiple of "
           "the chunk, 64); 0 picks it from K (see docs/GPU.md)">,
    Option<"loads", "loads", "std::string", /*default=*/"\"cp-async\"",
           "How the wgmma kernels load their Q, K and V tiles: `cp-async` "
           "(16 bytes per thread and copy) or `tma` (sm_90a's tensor memory "
           "accelerator: one thread issues cp.async.bulk.tensor per 64×64 "
           "box, completion on a per-stage mbarrier; the host makes the "
           "tensor maps with seqmix_runtime_tensor_map, and the inputs must "
           "be 16-byte aligned). The chained segments carry and the "
           "mma.sync and f32 kernels always use cp.async">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def SeqMixStripTarget : Pass<"seqmix-strip-target", "::mlir::ModuleOp"> {
  let summary = "Remove the seqmix.target attribute from the module";
  let description = [{
    The last step of `seqmix-to-nvvm-pipeline`: once the kernels are formed,
    nothing reads `seqmix.target`, and without it the module holds upstream
    dialects only, so that `mlir-translate --mlir-to-llvmir` (or any host
    compiler without the seqmix dialect) takes it.

    ```mlir
    module attributes {gpu.container_module, seqmix.target = #seqmix.target<chip = "sm_90a">} {}
    // becomes
    module attributes {gpu.container_module} {}
    ```
  }];
}

#endif // SEQMIX_CONVERSION_PASSES_TD
