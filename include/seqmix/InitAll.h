//===- InitAll.h - register everything SeqMix provides ----------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The one registration header that every SeqMix tool, plugin and embedding
// compiler includes.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_INITALL_H
#define SEQMIX_INITALL_H

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

namespace mlir {
namespace seqmix {

/// Adds the seqmix dialect to `registry`.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<SeqMixDialect>();
}

/// Registers the seqmix passes and pipelines with the global registry.
inline void registerAllPasses() {
  registerSeqMixPasses();
  registerSeqMixConversionPasses();
  registerPipelines();
  registerNVVMPipeline();
}

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_INITALL_H
