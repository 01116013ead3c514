//===- EntryPoints.cpp - the ABI of a compiled library's entry points -----===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Target/EntryPoints.h"

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::seqmix;

//===----------------------------------------------------------------------===//
// DType
//===----------------------------------------------------------------------===//

StringRef seqmix::getDTypeEnumName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "SEQMIX_DTYPE_F32";
  case DType::F64:
    return "SEQMIX_DTYPE_F64";
  case DType::BF16:
    return "SEQMIX_DTYPE_BF16";
  case DType::F16:
    return "SEQMIX_DTYPE_F16";
  case DType::I32:
    return "SEQMIX_DTYPE_I32";
  case DType::I64:
    return "SEQMIX_DTYPE_I64";
  case DType::Bool:
    return "SEQMIX_DTYPE_BOOL";
  case DType::I8:
    return "SEQMIX_DTYPE_I8";
  case DType::I16:
    return "SEQMIX_DTYPE_I16";
  }
  llvm_unreachable("unknown dtype");
}

StringRef seqmix::getDTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::BF16:
    return "bf16";
  case DType::F16:
    return "f16";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "bool";
  case DType::I8:
    return "i8";
  case DType::I16:
    return "i16";
  }
  llvm_unreachable("unknown dtype");
}

unsigned seqmix::getDTypeSize(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::BF16:
  case DType::F16:
  case DType::I16:
    return 2;
  case DType::Bool:
  case DType::I8:
    return 1;
  }
  llvm_unreachable("unknown dtype");
}

std::optional<DType> seqmix::getDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF16())
    return DType::F16;
  // Signless or signed; the ABI has no unsigned types.
  if (type.isInteger(32) && !type.isUnsignedInteger())
    return DType::I32;
  if (type.isInteger(64) && !type.isUnsignedInteger())
    return DType::I64;
  if (type.isInteger(16) && !type.isUnsignedInteger())
    return DType::I16;
  if (type.isInteger(8) && !type.isUnsignedInteger())
    return DType::I8;
  // i1 is stored one byte per element (LLVM's store size of i1).
  if (type.isSignlessInteger(1))
    return DType::Bool;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// EntryPointABI
//===----------------------------------------------------------------------===//

std::string EntryPointABI::formatDim(const DimRule &dim) const {
  if (dim.isStatic())
    return std::to_string(dim.offset);
  std::string result = symbols[dim.symbol];
  if (dim.offset > 0)
    result += "+" + std::to_string(dim.offset);
  else if (dim.offset < 0)
    result += std::to_string(dim.offset);
  return result;
}

std::string EntryPointABI::format() const {
  std::string result;
  llvm::raw_string_ostream os(result);
  auto printArgs = [&](ArrayRef<ArgABI> args) {
    llvm::interleaveComma(args, os, [&](const ArgABI &arg) {
      os << arg.name << ": " << getDTypeName(arg.dtype) << "[";
      llvm::interleaveComma(arg.dims, os,
                            [&](const DimRule &d) { os << formatDim(d); });
      os << "]";
    });
  };
  os << "@" << name << "(";
  printArgs(inputs);
  os << ") -> (";
  printArgs(outputs);
  os << ")";
  return result;
}

//===----------------------------------------------------------------------===//
// Building the ABI
//===----------------------------------------------------------------------===//

namespace {
/// A parsed `seqmix.dims` entry: a static size or a symbol plus an offset.
struct DimEntry {
  std::optional<std::string> symbol;
  int64_t offset = 0;
};

/// Builds the ABI of one function.
class ABIBuilder {
public:
  ABIBuilder(func::FuncOp func) : func(func) { abi.name = func.getSymName(); }

  /// Everything but the inference of results without `seqmix.dims`; fills
  /// `needsInference` with the results that need it.
  LogicalResult build();
  /// Infers the dynamic dimensions of result `index` from `lowered`, the
  /// function after seqmix-lower-to-linalg.
  LogicalResult inferResult(unsigned index, func::FuncOp lowered);
  /// Checks that every symbol an output uses is bound by some input.
  LogicalResult checkSymbolsBound();

  EntryPointABI abi;
  SmallVector<unsigned> needsInference;

private:
  /// An error at argument `index` (at the function for a result).
  InFlightDiagnostic emitArgError(bool isResult, unsigned index) {
    Location loc = isResult || func.isExternal()
                       ? func.getLoc()
                       : func.getArgument(index).getLoc();
    InFlightDiagnostic diag = mlir::emitError(loc)
                              << "@" << func.getSymName() << ": "
                              << (isResult ? "result " : "argument ") << index;
    return diag;
  }
  FailureOr<DimEntry> parseEntry(Attribute entry, bool isResult, unsigned index,
                                 unsigned dim);
  FailureOr<ArgABI> buildArg(Type type, DictionaryAttr attrs, bool isResult,
                             unsigned index);
  int32_t getOrAddSymbol(StringRef name);

  func::FuncOp func;
  llvm::StringMap<int32_t> symbolIndex;
};
} // namespace

/// Parses "NAME", "NAME+C" or "NAME-C" (blanks allowed around the sign).
static std::optional<DimEntry> parseSymbolicDim(StringRef text) {
  text = text.trim();
  size_t end = 0;
  if (text.empty() || !(llvm::isAlpha(text[0]) || text[0] == '_'))
    return std::nullopt;
  while (end < text.size() && (llvm::isAlnum(text[end]) || text[end] == '_'))
    ++end;
  DimEntry entry;
  entry.symbol = text.take_front(end).str();
  StringRef rest = text.drop_front(end).ltrim();
  if (rest.empty())
    return entry;
  bool negative = rest.front() == '-';
  if (!negative && rest.front() != '+')
    return std::nullopt;
  rest = rest.drop_front().ltrim();
  uint64_t value;
  if (rest.empty() || !llvm::all_of(rest, llvm::isDigit) ||
      rest.getAsInteger(10, value) || value > uint64_t(INT64_MAX))
    return std::nullopt;
  entry.offset = negative ? -int64_t(value) : int64_t(value);
  return entry;
}

FailureOr<DimEntry> ABIBuilder::parseEntry(Attribute entry, bool isResult,
                                           unsigned index, unsigned dim) {
  if (auto intAttr = dyn_cast<IntegerAttr>(entry)) {
    int64_t value = intAttr.getValue().getSExtValue();
    if (value < 0)
      return emitArgError(isResult, index)
             << ": entry " << dim << " of " << kDimsAttrName << " is " << value
             << ", a negative size";
    DimEntry result;
    result.offset = value;
    return result;
  }
  if (auto str = dyn_cast<StringAttr>(entry)) {
    if (std::optional<DimEntry> parsed = parseSymbolicDim(str.getValue()))
      return *parsed;
    return emitArgError(isResult, index)
           << ": entry " << dim << " of " << kDimsAttrName << " is \""
           << str.getValue()
           << "\"; expected a symbol name, optionally plus or minus an "
              "integer (\"T\", \"N+1\")";
  }
  return emitArgError(isResult, index)
         << ": entry " << dim << " of " << kDimsAttrName
         << " must be an integer or a string, not " << entry;
}

int32_t ABIBuilder::getOrAddSymbol(StringRef name) {
  auto [it, inserted] =
      symbolIndex.try_emplace(name, static_cast<int32_t>(abi.symbols.size()));
  if (inserted)
    abi.symbols.push_back(name.str());
  return it->second;
}

FailureOr<ArgABI> ABIBuilder::buildArg(Type type, DictionaryAttr attrs,
                                       bool isResult, unsigned index) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return emitArgError(isResult, index)
           << " has type " << type
           << "; entry points take and return ranked tensors only";
  ArgABI arg;
  std::optional<DType> dtype = getDType(tensorType.getElementType());
  if (!dtype)
    return emitArgError(isResult, index)
           << " has element type " << tensorType.getElementType()
           << "; the ABI takes f32, f64, bf16, f16, i64, i32, i16, i8 and i1 (bool)";
  arg.dtype = *dtype;

  arg.name = llvm::formatv("{0}{1}", isResult ? "output" : "input", index);
  if (Attribute name = attrs ? attrs.get(kNameAttrName) : Attribute()) {
    auto str = dyn_cast<StringAttr>(name);
    if (!str || str.getValue().empty())
      return emitArgError(isResult, index)
             << ": " << kNameAttrName << " must be a non-empty string";
    arg.name = str.getValue();
  }

  ArrayRef<int64_t> shape = tensorType.getShape();
  Attribute dimsAttr = attrs ? attrs.get(kDimsAttrName) : Attribute();
  if (!dimsAttr) {
    bool dynamic = !tensorType.hasStaticShape();
    if (dynamic && !isResult)
      return emitArgError(isResult, index)
             << " has dynamic dimensions (" << type << "); name them with "
             << kDimsAttrName << " = [...] (strings for symbols, integers "
             << "for static sizes)";
    for (int64_t size : shape)
      arg.dims.push_back(
          {-1, ShapedType::isDynamic(size) ? ShapedType::kDynamic : size});
    if (dynamic)
      needsInference.push_back(index);
    return arg;
  }

  auto dims = dyn_cast<ArrayAttr>(dimsAttr);
  if (!dims)
    return emitArgError(isResult, index)
           << ": " << kDimsAttrName << " must be an array, not " << dimsAttr;
  if (dims.size() != shape.size())
    return emitArgError(isResult, index)
           << ": " << kDimsAttrName << " has " << dims.size()
           << " entries but the type " << type << " has rank " << shape.size();
  for (auto [i, entryAttr] : llvm::enumerate(dims)) {
    FailureOr<DimEntry> entry = parseEntry(entryAttr, isResult, index, i);
    if (failed(entry))
      return failure();
    int64_t size = shape[i];
    if (!entry->symbol) {
      if (!ShapedType::isDynamic(size) && size != entry->offset)
        return emitArgError(isResult, index)
               << ": entry " << i << " of " << kDimsAttrName << " is "
               << entry->offset << " but dimension " << i << " of " << type
               << " is " << size;
      arg.dims.push_back({-1, entry->offset});
      continue;
    }
    if (!ShapedType::isDynamic(size))
      return emitArgError(isResult, index)
             << ": entry " << i << " of " << kDimsAttrName << " names symbol '"
             << *entry->symbol << "' but dimension " << i << " of " << type
             << " is static (" << size << "); write " << size;
    arg.dims.push_back({getOrAddSymbol(*entry->symbol), entry->offset});
  }
  return arg;
}

LogicalResult ABIBuilder::build() {
  FunctionType type = func.getFunctionType();
  for (auto [i, input] : llvm::enumerate(type.getInputs())) {
    FailureOr<ArgABI> arg = buildArg(input, func.getArgAttrDict(i), false, i);
    if (failed(arg))
      return failure();
    abi.inputs.push_back(std::move(*arg));
  }
  for (auto [i, result] : llvm::enumerate(type.getResults())) {
    FailureOr<ArgABI> arg =
        buildArg(result, func.getResultAttrDict(i), true, i);
    if (failed(arg))
      return failure();
    abi.outputs.push_back(std::move(*arg));
  }
  return success();
}

LogicalResult ABIBuilder::checkSymbolsBound() {
  llvm::SmallBitVector bound(abi.symbols.size());
  for (const ArgABI &input : abi.inputs)
    for (const DimRule &dim : input.dims)
      if (!dim.isStatic())
        bound.set(dim.symbol);
  for (auto [i, output] : llvm::enumerate(abi.outputs))
    for (const DimRule &dim : output.dims)
      if (!dim.isStatic() && !bound.test(dim.symbol))
        return emitArgError(true, i)
               << ": symbol '" << abi.symbols[dim.symbol]
               << "' appears in no input, so a caller cannot bind it";
  return success();
}

LogicalResult ABIBuilder::inferResult(unsigned index, func::FuncOp lowered) {
  SmallVector<func::ReturnOp> returns;
  lowered.walk([&](func::ReturnOp op) { returns.push_back(op); });
  ArgABI &output = abi.outputs[index];
  for (auto [d, dim] : llvm::enumerate(output.dims)) {
    if (dim.offset != ShapedType::kDynamic)
      continue;
    // Every return must agree with the rule.
    auto holds = [&](auto &&predicate) {
      return !returns.empty() && llvm::all_of(returns, [&](func::ReturnOp op) {
        return predicate(op.getOperand(index));
      });
    };
    std::optional<DimRule> rule;
    // 1. Equal to a named dimension of an input.
    for (auto [a, input] : llvm::enumerate(abi.inputs)) {
      for (auto [j, inDim] : llvm::enumerate(input.dims)) {
        if (rule || inDim.isStatic())
          continue;
        Value arg = lowered.getArgument(a);
        if (holds([&](Value v) {
              FailureOr<bool> equal = ValueBoundsConstraintSet::areEqual(
                  {v, static_cast<int64_t>(d)}, {arg, static_cast<int64_t>(j)});
              return succeeded(equal) && *equal;
            }))
          rule = inDim;
      }
    }
    // 2. A named dimension of an input plus a constant.
    for (auto [a, input] : llvm::enumerate(abi.inputs)) {
      for (auto [j, inDim] : llvm::enumerate(input.dims)) {
        if (rule || inDim.isStatic())
          continue;
        Value arg = lowered.getArgument(a);
        std::optional<int64_t> delta;
        if (holds([&](Value v) {
              FailureOr<int64_t> c =
                  ValueBoundsConstraintSet::computeConstantDelta(
                      v, arg, static_cast<int64_t>(d), static_cast<int64_t>(j));
              if (failed(c) || (delta && *delta != *c))
                return false;
              delta = *c;
              return true;
            }))
          rule = DimRule{inDim.symbol, inDim.offset + *delta};
      }
    }
    // 3. A constant.
    if (!rule) {
      std::optional<int64_t> constant;
      if (holds([&](Value v) {
            FailureOr<int64_t> c =
                ValueBoundsConstraintSet::computeConstantBound(
                    presburger::BoundType::EQ, {v, static_cast<int64_t>(d)});
            if (failed(c) || (constant && *constant != *c))
              return false;
            constant = *c;
            return true;
          }))
        rule = DimRule{-1, *constant};
    }
    if (!rule)
      return func.emitError()
             << "cannot express dimension " << d << " of result " << index
             << " of @" << func.getSymName()
             << " in terms of the inputs: name it with " << kDimsAttrName;
    dim = *rule;
  }
  return success();
}

FailureOr<std::vector<EntryPointABI>>
seqmix::buildEntryPointABIs(ModuleOp module) {
  std::vector<ABIBuilder> builders;
  bool failedAny = false;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    StringRef name = func.getSymName();
    if (llvm::isDigit(name.front()) || !llvm::all_of(name, [](char c) {
          return llvm::isAlnum(c) || c == '_';
        })) {
      func.emitError() << "entry point @\"" << name
                       << "\" is not a C identifier: rename it or make it "
                          "private";
      failedAny = true;
      continue;
    }
    ABIBuilder builder(func);
    if (failed(builder.build())) {
      failedAny = true;
      continue;
    }
    // Results named in full can be checked now.
    if (builder.needsInference.empty() && failed(builder.checkSymbolsBound())) {
      failedAny = true;
      continue;
    }
    builders.push_back(std::move(builder));
  }
  if (failedAny)
    return failure();
  if (builders.empty())
    return module.emitError()
           << "no entry points: the module has no public func.func with a "
              "body";

  if (llvm::any_of(builders, [](const ABIBuilder &b) {
        return !b.needsInference.empty();
      })) {
    // Lower a clone to linalg on tensors, where the results' shapes are
    // visible to the value-bounds analysis.
    OwningOpRef<ModuleOp> clone = module.clone();
    // The start of seqmix-to-cpu-pipeline, up to bufferization: the results
    // are still tensors, shaped by linalg, tensor and scf ops.
    PassManager pm(module.getContext());
    pm.addPass(createSeqMixSelectForm());
    pm.addPass(createSeqMixLowerToLinalg());
    pm.addPass(createConvertElementwiseToLinalgPass());
    pm.addPass(createCanonicalizerPass());
    if (failed(pm.run(*clone)))
      return failure();
    // tensor.concat has no value bounds; as tensor.empty and insert_slice
    // its result's sizes are sums of its operands'.
    RewritePatternSet patterns(module.getContext());
    tensor::populateDecomposeTensorConcatPatterns(patterns);
    (void)applyPatternsGreedily(*clone, std::move(patterns));
    for (ABIBuilder &builder : builders) {
      auto lowered = clone->lookupSymbol<func::FuncOp>(builder.abi.name);
      for (unsigned index : builder.needsInference)
        if (failed(builder.inferResult(index, lowered)))
          failedAny = true;
    }
  }
  for (ABIBuilder &builder : builders)
    if (!builder.needsInference.empty() && failed(builder.checkSymbolsBound()))
      failedAny = true;
  if (failedAny)
    return failure();

  std::vector<EntryPointABI> result;
  for (ABIBuilder &builder : builders)
    result.push_back(std::move(builder.abi));
  return result;
}
