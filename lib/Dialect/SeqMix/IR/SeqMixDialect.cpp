//===- SeqMixDialect.cpp - seqmix dialect ---------------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::seqmix;

#include "seqmix/Dialect/SeqMix/IR/SeqMixDialect.cpp.inc"

namespace {
/// Every seqmix op is pure and has no regions: each may be inlined.
struct SeqMixInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void SeqMixDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.cpp.inc"
      >();
  addInterfaces<SeqMixInlinerInterface>();
}

LogicalResult SeqMixDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() == getTargetAttrName()) {
    if (!isa<TargetAttr>(attr.getValue()))
      return op->emitError() << "'" << getTargetAttrName()
                             << "' must be a #seqmix.target attribute, but got "
                             << attr.getValue();
    if (!isa<ModuleOp>(op))
      return op->emitError() << "'" << getTargetAttrName()
                             << "' may only be placed on a builtin.module";
    return success();
  }
  return op->emitError() << "unknown seqmix attribute '"
                         << attr.getName().getValue() << "'";
}

TargetAttr mlir::seqmix::getTarget(Operation *op) {
  for (Operation *cur = op; cur; cur = cur->getParentOp())
    if (auto module = dyn_cast<ModuleOp>(cur))
      if (auto target = module->getAttrOfType<TargetAttr>(
              SeqMixDialect::getTargetAttrName()))
        return target;
  return {};
}
