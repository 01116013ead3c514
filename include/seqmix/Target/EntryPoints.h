//===- EntryPoints.h - the ABI of compiled entry points ---------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// What `seqmix-compile` reads from a module before lowering it: the entry
// points (public func.func with bodies), and for each its inputs and outputs
// with their element types and shape rules, in the terms of SeqMixABI.h.
//
// Dimensions that are not static are named symbols. An input or result names
// them with the argument or result attribute `seqmix.dims`, an array with one
// entry per dimension: an integer (a static size) or a string, a symbol name
// optionally plus or minus a constant:
//
//   func.func @f(%x: tensor<?x?x4xf32> {seqmix.dims = ["B", "T", 4]},
//                %cu: tensor<?xi32> {seqmix.dims = ["N+1"]})
//       -> (tensor<?x?x4xf32> {seqmix.dims = ["B", "T", 4]})
//
// A result without `seqmix.dims` has its dynamic dimensions inferred from the
// inputs (ValueBoundsConstraintSet on a lowered clone of the module). The
// optional string attribute `seqmix.name` names an input or result in the
// library's metadata (default: input<i>, output<i>).
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_TARGET_ENTRYPOINTS_H
#define SEQMIX_TARGET_ENTRYPOINTS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace seqmix {

/// The argument and result attribute that names dimensions.
constexpr StringLiteral kDimsAttrName = "seqmix.dims";
/// The argument and result attribute that names an input or output.
constexpr StringLiteral kNameAttrName = "seqmix.name";

/// Element types of the ABI; the values are those of `seqmix_dtype`.
enum class DType : int32_t {
  F32 = 0,
  F64 = 1,
  BF16 = 2,
  F16 = 3,
  I32 = 4,
  I64 = 5,
  Bool = 6,
  I8 = 7,
  I16 = 8,
};

/// The `SEQMIX_DTYPE_*` spelling of `dtype` ("SEQMIX_DTYPE_F32").
StringRef getDTypeEnumName(DType dtype);
/// The short spelling of `dtype` ("f32").
StringRef getDTypeName(DType dtype);
/// The size of one element in bytes.
unsigned getDTypeSize(DType dtype);
/// The dtype of `type`, or nothing when the ABI has none.
std::optional<DType> getDType(Type type);

/// One dimension (`seqmix_dim`): the static size `offset` when `symbol` is
/// negative, else the value of symbol `symbol` plus `offset`.
struct DimRule {
  int32_t symbol = -1;
  int64_t offset = 0;

  bool isStatic() const { return symbol < 0; }
  bool operator==(const DimRule &other) const {
    return symbol == other.symbol && offset == other.offset;
  }
};

/// An input or output of an entry point (`seqmix_arg_info`).
struct ArgABI {
  std::string name;
  DType dtype;
  SmallVector<DimRule> dims;
};

/// An entry point (`seqmix_function_info`, less the device).
struct EntryPointABI {
  std::string name;
  SmallVector<ArgABI> inputs;
  SmallVector<ArgABI> outputs;
  /// Symbol names, in the order of their first appearance.
  SmallVector<std::string> symbols;

  /// `dim` spelled with the symbol names: "B", "N+1", "4".
  std::string formatDim(const DimRule &dim) const;
  /// The signature in one line: "@f(x: f32[B,T,4]) -> (f32[B,T,4])".
  std::string format() const;
};

/// Collects the entry points of `module` (public func.func with a body) and
/// builds their ABI. Results without `seqmix.dims` are inferred on a clone
/// of `module` lowered to linalg; `module` itself is not changed. Emits
/// errors on the functions at fault and fails when any is malformed or when
/// there is no entry point at all.
FailureOr<std::vector<EntryPointABI>> buildEntryPointABIs(ModuleOp module);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_TARGET_ENTRYPOINTS_H
