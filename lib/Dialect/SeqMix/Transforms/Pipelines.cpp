//===- Pipelines.cpp - registered seqmix pipelines ------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

std::string seqmix::getCPUPipeline() {
  // Elementwise arith and math on tensors become linalg.generic, which
  // bufferizes. Results of public functions become out-parameters too
  // (modify-public-functions): the C interface of an entry point is
  // f(inputs..., outputs...). Not hoist-static-allocs: it crashes on a
  // function that returns its argument. The clones that deallocation inserts
  // become allocations and copies. Integer powers with a 64-bit exponent
  // (math.ipowi, math.fpowi, which LLVM's powi cannot take) become outlined
  // functions; math ops that LLVM has no intrinsic for (erf, ...) calls to
  // libm.
  return "seqmix-select-form,"
         "seqmix-expand-chunked,"
         "seqmix-lower-to-linalg,"
         "func.func(convert-elementwise-to-linalg),"
         "canonicalize,cse,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map "
         "allow-return-allocs-from-loops},"
         "buffer-results-to-out-params{modify-public-functions},"
         "buffer-deallocation-pipeline,"
         "convert-bufferization-to-memref,"
         "canonicalize,"
         "func.func(convert-linalg-to-loops),"
         "arith-expand{include-bf16=true},"
         "convert-math-to-funcs{min-width-of-fpowi-exponent=33},"
         "convert-scf-to-cf,"
         "expand-strided-metadata,"
         "lower-affine,"
         "finalize-memref-to-llvm,"
         "convert-math-to-llvm,"
         "convert-math-to-libm,"
         "convert-arith-to-llvm,"
         "convert-index-to-llvm,"
         "convert-cf-to-llvm,"
         "convert-func-to-llvm,"
         "reconcile-unrealized-casts";
}

LogicalResult seqmix::buildCPUPipeline(OpPassManager &pm) {
  return parsePassPipeline(getCPUPipeline(), pm);
}

void seqmix::registerPipelines() {
  PassPipelineRegistration<>(
      "seqmix-to-cpu-pipeline",
      "Lower a module with seqmix ops on tensors to the LLVM dialect for the "
      "CPU: form selection, seqmix-expand-chunked, seqmix-lower-to-linalg, "
      "one-shot bufferization "
      "(results become out-parameters), deallocation, conversion to LLVM",
      [](OpPassManager &pm) {
        if (failed(seqmix::buildCPUPipeline(pm)))
          llvm::report_fatal_error("seqmix-to-cpu-pipeline is malformed");
      });
}
