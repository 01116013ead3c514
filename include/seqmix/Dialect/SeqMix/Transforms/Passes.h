//===- Passes.h - seqmix passes ---------------------------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace seqmix {

#define GEN_PASS_DECL
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_H
