//===- Passes.h - seqmix passes ---------------------------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace seqmix {

#define GEN_PASS_DECL
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"

/// The textual pipeline behind `seqmix-to-cpu-pipeline`: form selection,
/// expansion of chunked applies into chunk-level ops, lowering to linalg on
/// tensors, one-shot bufferization with results turned
/// into out-parameters, deallocation, and conversion to the LLVM dialect.
std::string getCPUPipeline();

/// Adds `seqmix-to-cpu-pipeline` to `pm` (a pass manager on builtin.module).
LogicalResult buildCPUPipeline(OpPassManager &pm);

/// Registers the pipelines (`seqmix-to-cpu-pipeline`).
void registerPipelines();

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H
