//===- SeqMix.h - seqmix dialect --------------------------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The seqmix dialect: its ops, types and attributes.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIX_H
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIX_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrInterfaces.h.inc"
#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.h.inc"
#include "seqmix/Dialect/SeqMix/IR/SeqMixEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixTypes.h.inc"

#define GET_OP_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.h.inc"

namespace mlir {
namespace seqmix {

/// The structures a mixer is a sum of: the terms of a `#seqmix.sum`, or the
/// structure itself.
llvm::SmallVector<MixerStructureAttrInterface>
getStructureTerms(MixerStructureAttrInterface structure);

/// Builds the structure of the sum of `lhs` and `rhs`, flattening sums.
SumAttr buildSum(MixerStructureAttrInterface lhs,
                 MixerStructureAttrInterface rhs);

/// Whether `form` is a valid way to compute a mixer of this structure.
/// On failure, `reason` says why.
bool isFormApplicable(MixerStructureAttrInterface structure, FormKind form,
                      std::string *reason = nullptr);

/// The default scale of a mixer with key dimension `k`: k^-1/2.
double getDefaultScale(int64_t k);

/// The `#seqmix.target` of the module enclosing `op`, or null.
TargetAttr getTarget(Operation *op);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIX_H
