//===- NVVMPipeline.cpp - seqmix-to-nvvm-pipeline -------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

/// Bufferization of the host code around the launches: function boundaries
/// with identity layouts, results turned into out-parameters that replace
/// the kernels' output allocations. No deallocation pipeline: its ownership
/// analysis rejects gpu.launch_func (unknown memory effects), and once the
/// outputs are out-parameters no allocation is left to free.
static constexpr StringLiteral kHostBufferization =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs hoist-dynamic-allocs "
    "modify-public-functions},"
    "canonicalize,cse";

LogicalResult seqmix::buildNVVMPipeline(OpPassManager &pm,
                                        const NVVMPipelineOptions &options,
                                        std::string *error) {
  // The check comes first: when the settings are wrong, it fails with a
  // diagnostic and no pass that could abort the process runs.
  SeqMixGPUTargetOptions target;
  target.chip = options.chip;
  target.ptx = options.ptx;
  target.optLevel = options.optLevel;
  target.format = options.format;
  pm.addPass(createSeqMixGPUTarget(target));
  if (std::optional<std::string> why = checkNVIDIATarget(
          options.chip, options.ptx, options.optLevel, options.format)) {
    if (error)
      *error = *why;
    return failure();
  }

  pm.addPass(createSeqMixSelectForm());
  SeqMixFormGPUKernelsOptions kernels;
  kernels.mma = options.mma;
  kernels.segments = options.segments;
  kernels.segmentTokens = options.segmentTokens;
  kernels.loads = options.loads;
  pm.addPass(createSeqMixFormGPUKernels(kernels));
  pm.addPass(createCanonicalizerPass());
  if (failed(parsePassPipeline(kHostBufferization, pm))) {
    if (error)
      *error = "internal error: the host bufferization pipeline is malformed";
    return failure();
  }

  unsigned ptx = options.ptx ? options.ptx : getMinimumPTXVersion(options.chip);
  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = llvm::formatv("+ptx{0}", ptx).str();
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = options.optLevel;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
  pm.addPass(createSeqMixStripTarget());
  return success();
}

void seqmix::registerNVVMPipeline() {
  PassPipelineRegistration<NVVMPipelineOptions>(
      "seqmix-to-nvvm-pipeline",
      "Compile a module with seqmix ops on tensors for an NVIDIA GPU: check "
      "the chip and PTX version, select forms, form the GPU kernels, "
      "bufferize the host code (results become out-parameters) and lower "
      "to NVVM, LLVM and a gpu.binary (cubin, or PTX with format=isa)",
      [](OpPassManager &pm, const NVVMPipelineOptions &options) {
        // Invalid options leave only seqmix-gpu-target in the pipeline,
        // which reports them.
        (void)buildNVVMPipeline(pm, options);
      });
}
