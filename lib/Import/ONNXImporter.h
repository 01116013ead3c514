//===- ONNXImporter.h - the ONNX importer's internals -----------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The importer walks the checked model (ONNXModel.h) node by node and emits
// func.func on tensors. Each op group lives in its own file and registers
// its handlers in an OpTable; a handler reads its node through the Importer
// (inputs, attributes, opset) and builds linalg, tensor, arith, math, scf or
// seqmix ops with the Importer's helpers. Handlers validate what they read
// (ranks, element types, attribute kinds and ranges) before they build
// anything, and report problems through `Importer::error`, which names the
// node, its op type and the opset.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_IMPORT_ONNXIMPORTER_H
#define SEQMIX_LIB_IMPORT_ONNXIMPORTER_H

#include "ONNXModel.h"

#include "seqmix/Import/ONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
namespace seqmix {
namespace onnx_import {

class Importer;

/// Imports one node; returns failure after reporting an error.
using OpHandler = LogicalResult (*)(Importer &);

/// Handlers by op type, for one domain.
using OpTable = llvm::StringMap<OpHandler>;

/// The handlers of each op group, added to the default domain's table.
void registerElementwiseOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerReductionOps(OpTable &table);
void registerContractionOps(OpTable &table);
void registerAttentionOps(OpTable &table);
/// The handlers of the ai.seqmix domain.
void registerSeqMixOps(OpTable &table);

/// The custom domain of the mixer nodes and its only version.
constexpr llvm::StringLiteral kSeqMixDomain = "ai.seqmix";

/// The newest default-domain opset the importer knows, and the oldest.
constexpr int64_t kMaxOpset = 28;
constexpr int64_t kMinOpset = 11;

/// What the importer knows about an ONNX value: the tensor, and for small
/// integer tensors of rank 0 or 1 whose elements are known at import time
/// (shapes computed by Shape, Gather, Concat, ...) those elements, each a
/// constant or an `index` value.
struct ImportedValue {
  Value value;
  std::optional<SmallVector<OpFoldResult>> elements;
};

/// A body of a linalg.generic: the block arguments in, the yielded value out.
using BodyBuilder =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

class Importer {
public:
  Importer(MLIRContext *context, const Model &model, StringRef fileName,
           const ONNXImportOptions &options);

  const ONNXImportOptions &getOptions() const { return options; }

  /// Builds the module, or returns null after reporting errors.
  OwningOpRef<ModuleOp> run();

  //===--------------------------------------------------------------------===//
  // The node being imported
  //===--------------------------------------------------------------------===//

  const Node &node() const { return *current; }
  /// The opset version of the node's domain.
  int64_t opset() const { return currentOpset; }
  OpBuilder &builder() { return b; }
  Location loc() const { return currentLoc; }
  MLIRContext *getContext() { return ctx; }

  /// An error at the node, starting "node 'name' (OpType, opset N): " (an
  /// unnamed node is "node #i", its position in the graph).
  InFlightDiagnostic error();
  /// How diagnostics name the node: "node 'name'", or "node #i".
  std::string nodeLabel() const;

  /// Inputs: `i` counts all inputs, omitted optional ones included.
  unsigned numInputs() const { return current->inputs.size(); }
  unsigned numOutputs() const { return current->outputs.size(); }
  bool hasInput(unsigned i) const {
    return i < current->inputs.size() && !current->inputs[i].empty();
  }
  bool hasOutput(unsigned i) const {
    return i < current->outputs.size() && !current->outputs[i].empty();
  }
  /// Checks the number of inputs and outputs given (omitted optional
  /// ones count).
  LogicalResult checkArity(unsigned minInputs, unsigned maxInputs,
                           unsigned minOutputs = 1, unsigned maxOutputs = 1);
  /// Input `i` as a ranked tensor; an error if it is missing.
  FailureOr<Value> input(unsigned i);
  /// Input `i` with a rank in [minRank, maxRank] (maxRank -1: no bound).
  FailureOr<Value> input(unsigned i, int64_t minRank, int64_t maxRank = -1);
  /// Input `i` with a floating-point element type.
  FailureOr<Value> floatInput(unsigned i, int64_t minRank = 0,
                              int64_t maxRank = -1);
  /// The known elements of input `i` (see ImportedValue), or an error that
  /// says it must be computable at import time.
  FailureOr<SmallVector<OpFoldResult>> knownElements(unsigned i,
                                                     StringRef what);
  /// The elements of input `i` as integer constants, or an error.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i, StringRef what);
  /// The elements of a rank-0 or single-element input as a float constant.
  std::optional<double> constantScalar(unsigned i);
  /// The ImportedValue of input `i`, or null.
  const ImportedValue *lookupInput(unsigned i) const;

  /// Sets output `i` (ignored when the node leaves it out).
  void setOutput(unsigned i, Value value,
                 std::optional<SmallVector<OpFoldResult>> elements = {});
  /// Sets output 0 to `value` and succeeds, or fails if `value` did (its
  /// error already reported).
  LogicalResult setResult(FailureOr<Value> value) {
    if (failed(value))
      return failure();
    setOutput(0, *value);
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Attributes (each checks the attribute's kind)
  //===--------------------------------------------------------------------===//

  bool hasAttr(StringRef name) const {
    return current->getAttribute(name) != nullptr;
  }
  FailureOr<int64_t> attrInt(StringRef name,
                             std::optional<int64_t> dflt = std::nullopt);
  FailureOr<double> attrFloat(StringRef name,
                              std::optional<double> dflt = std::nullopt);
  FailureOr<std::string>
  attrString(StringRef name, std::optional<std::string> dflt = std::nullopt);
  FailureOr<SmallVector<int64_t>>
  attrInts(StringRef name,
           std::optional<SmallVector<int64_t>> dflt = std::nullopt);
  /// An error for an attribute value out of range.
  InFlightDiagnostic attrError(StringRef name);

  //===--------------------------------------------------------------------===//
  // Types and constants
  //===--------------------------------------------------------------------===//

  /// The MLIR element type of an ONNX data type, or null if unsupported.
  Type elementType(int32_t dtype);
  /// An arith.constant of an ONNX tensor; `what` names it in errors.
  FailureOr<Value> constant(const Tensor &tensor, StringRef what);
  /// The integer elements of a constant tensor of INT32 or INT64.
  static std::optional<SmallVector<int64_t>> tensorInts(const Tensor &t);

  /// A scalar constant of `type` (integer, float or index).
  Value scalar(Type type, double value);
  Value index(int64_t value);

  //===--------------------------------------------------------------------===//
  // Tensor helpers (ONNXBuilders.cpp)
  //===--------------------------------------------------------------------===//

  /// Normalises `axis` (possibly negative) into [0, rank), or reports it.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis");
  /// The sizes of a ranked tensor: constants or tensor.dim values.
  SmallVector<OpFoldResult> sizes(Value tensor);
  Value dimValue(Value tensor, int64_t dim);
  /// An uninitialised tensor / one filled with a scalar value.
  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType);
  Value filled(ArrayRef<OpFoldResult> sizes, Type elementType, double value);
  Value fill(Value init, Value scalarValue);
  /// linalg.generic with one result written into `init`.
  Value generic(ValueRange inputs, Value init, ArrayRef<AffineMap> maps,
                ArrayRef<unsigned> reductionDims, BodyBuilder body);
  /// The numpy broadcast of the operands' shapes; reports incompatible ones.
  FailureOr<SmallVector<OpFoldResult>> broadcastShape(ValueRange operands);
  /// Elementwise op with numpy broadcasting of all operands to one shape.
  FailureOr<Value> elementwise(ValueRange operands, Type resultElementType,
                               BodyBuilder body);
  /// Broadcasts `value` to `sizes` (numpy, right-aligned).
  FailureOr<Value> broadcastTo(Value value, ArrayRef<OpFoldResult> sizes);
  /// Converts every element to `elementType`.
  Value convert(Value tensor, Type elementType);
  /// Converts one scalar inside a generic body.
  static Value convertScalar(OpBuilder &b, Location loc, Value v, Type to);
  /// linalg.transpose by `perm`.
  Value transpose(Value tensor, ArrayRef<int64_t> perm);
  /// Reshapes to `newSizes` (same number of elements): expand_shape or
  /// collapse_shape when only unit dims change or dims are merged/split in
  /// order with static sizes, else tensor.reshape.
  Value reshape(Value tensor, ArrayRef<OpFoldResult> newSizes);
  /// Inserts unit dimensions at the (sorted, output) positions `dims`.
  Value expandDims(Value tensor, ArrayRef<int64_t> dims);
  /// Removes dimensions `dims` (sorted), whose sizes must be 1.
  Value squeezeDims(Value tensor, ArrayRef<int64_t> dims);
  /// Whether two sizes are known to be equal (equal constants, or the same
  /// dimension of the same tensor).
  static bool sameSize(OpFoldResult a, OpFoldResult b);
  /// Collapses the dims [begin, end) into one.
  Value collapseRange(Value tensor, int64_t begin, int64_t end);
  /// A rank-1 i64 tensor (or rank-0 if `scalarResult`) of known elements.
  Value materializeInts(ArrayRef<OpFoldResult> elements, bool scalarResult,
                        Type elementType = {});
  /// An index value of an OpFoldResult.
  Value toIndex(OpFoldResult ofr);
  /// Reductions over `axes` (sorted, unique), keeping them as unit dims if
  /// `keepDims`. `combine` folds one element into the accumulator;
  /// `initValue` starts it.
  enum class ReduceKind { Sum, Max, Min, Prod };
  Value reduce(Value tensor, ArrayRef<int64_t> axes, bool keepDims,
               ReduceKind kind);

private:
  LogicalResult importGraph(ModuleOp module);
  LogicalResult declareInputs(SmallVectorImpl<Type> &types,
                              SmallVectorImpl<Attribute> &argAttrs,
                              SmallVectorImpl<std::string> &argNames);
  LogicalResult importNode(const Node &node, unsigned index);
  LogicalResult checkType(const ValueInfo &info, Type &type, StringRef what);
  Location nodeLoc(const Node &node, unsigned index);

  MLIRContext *ctx;
  const Model &model;
  std::string fileName;
  ONNXImportOptions options;
  OpBuilder b;
  llvm::StringMap<ImportedValue> values;
  /// tensor.dim values created in the entry block, by (tensor, dim).
  llvm::DenseMap<std::pair<Value, int64_t>, Value> dimCache;
  Block *entryBlock = nullptr;
  OpTable onnxOps;
  OpTable seqmixOps;

  /// Makes `node` (at `index` in the graph) the current node.
  void setCurrentNode(const Node &node, unsigned index);

  const Node *current = nullptr;
  unsigned currentIndex = 0;
  int64_t currentOpset = 0;
  Location currentLoc;
};

/// "(d0, d1, ...) -> (...)" helpers.
AffineMap identityMap(MLIRContext *ctx, unsigned rank);

} // namespace onnx_import
} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_IMPORT_ONNXIMPORTER_H
