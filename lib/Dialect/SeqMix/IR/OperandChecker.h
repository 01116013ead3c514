//===- OperandChecker.h - verifier helpers of the seqmix ops ----*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Helpers shared by the verifiers of the seqmix ops (SeqMixOps.cpp,
// SeqMixChunkOps.cpp): each reports a problem with the operand's name and
// what was expected.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_DIALECT_SEQMIX_IR_OPERANDCHECKER_H
#define SEQMIX_LIB_DIALECT_SEQMIX_IR_OPERANDCHECKER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace seqmix {
namespace detail {

/// Checks the operands of one op and reports each problem with the operand's
/// name and what was expected.
class OperandChecker {
public:
  explicit OperandChecker(Operation *op) : op(op) {}

  /// `value` (called `name`) is a ranked tensor of rank `layout.size()`;
  /// `layout` names its dimensions, e.g. {"B", "T", "H", "K"}.
  /// `kind` is "operand" or "result".
  LogicalResult rank(StringRef name, Value value, ArrayRef<StringRef> layout,
                     StringRef kind = "operand") {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getRank() == static_cast<int64_t>(layout.size()))
      return success();
    return op->emitOpError()
           << kind << " '" << name << "' must be a rank-" << layout.size()
           << " tensor " << format(layout) << ", but got " << type;
  }

  /// The element type of `value` is one of `allowed`.
  LogicalResult elementType(StringRef name, Value value, ArrayRef<Type> allowed,
                            StringRef allowedText, StringRef kind = "operand") {
    Type elt = cast<ShapedType>(value.getType()).getElementType();
    if (llvm::is_contained(allowed, elt))
      return success();
    return op->emitOpError() << kind << " '" << name << "' must have element "
                             << "type " << allowedText << ", but got " << elt;
  }

  /// Dimension `what` is `actual` in `name` and `expected` in `reference`;
  /// they must agree unless one of them is dynamic.
  LogicalResult dim(StringRef what, StringRef name, int64_t actual,
                    StringRef reference, int64_t expected) {
    if (ShapedType::isDynamic(actual) || ShapedType::isDynamic(expected) ||
        actual == expected)
      return success();
    return op->emitOpError()
           << what << " of '" << name << "' (" << actual << ") and of '"
           << reference << "' (" << expected << ") differ";
  }

  /// A dimension that the semantics needs to know at compile time.
  LogicalResult isStatic(StringRef what, StringRef name, int64_t value) {
    if (ShapedType::isDynamic(value))
      return op->emitOpError() << what << " of '" << name << "' must be static";
    if (value == 0)
      return op->emitOpError()
             << what << " of '" << name << "' must be positive";
    return success();
  }

  /// Starts a free-form error of the op.
  InFlightDiagnostic fail() { return op->emitOpError(); }

private:
  static std::string format(ArrayRef<StringRef> layout) {
    std::string s = "[";
    llvm::raw_string_ostream os(s);
    llvm::interleave(layout, os, ", ");
    os << "]";
    return s;
  }
  Operation *op;
};

inline ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// The floating-point element types the seqmix ops take.
inline SmallVector<Type> floatTypes(MLIRContext *ctx) {
  Builder b(ctx);
  return {b.getBF16Type(), b.getF16Type(), b.getF32Type()};
}
inline constexpr StringLiteral kFloatTypesText = "bf16, f16 or f32";

} // namespace detail
} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_DIALECT_SEQMIX_IR_OPERANDCHECKER_H
