//===- ONNXImporter.cpp - the graph walk, inputs, outputs, constants ------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"
#include "seqmix/Import/ONNX.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::onnx_import;

AffineMap mlir::seqmix::onnx_import::identityMap(MLIRContext *ctx,
                                                 unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

Importer::Importer(MLIRContext *context, const Model &model, StringRef fileName,
                   const ONNXImportOptions &options)
    : ctx(context), model(model), fileName(fileName.str()), options(options),
      b(context), currentLoc(UnknownLoc::get(context)) {
  registerElementwiseOps(onnxOps);
  registerShapeOps(onnxOps);
  registerReductionOps(onnxOps);
  registerContractionOps(onnxOps);
  registerAttentionOps(onnxOps);
  registerSeqMixOps(seqmixOps);
}

//===----------------------------------------------------------------------===//
// Errors, inputs, outputs, attributes
//===----------------------------------------------------------------------===//

std::string Importer::nodeLabel() const {
  if (current->name.empty())
    return "node #" + std::to_string(currentIndex);
  return "node '" + current->name + "'";
}

void Importer::setCurrentNode(const Node &node, unsigned index) {
  current = &node;
  currentIndex = index;
  currentLoc = nodeLoc(node, index);
  auto opsetIt = model.opsets.find(node.domain);
  currentOpset = opsetIt == model.opsets.end() ? 0 : opsetIt->second;
}

InFlightDiagnostic Importer::error() {
  InFlightDiagnostic diag = mlir::emitError(currentLoc);
  diag << nodeLabel() << " (" << current->opType;
  if (!current->domain.empty())
    diag << ", domain '" << current->domain << "'";
  diag << ", opset " << currentOpset << "): ";
  return diag;
}

LogicalResult Importer::checkArity(unsigned minInputs, unsigned maxInputs,
                                   unsigned minOutputs, unsigned maxOutputs) {
  if (numInputs() < minInputs || numInputs() > maxInputs)
    return error() << "expects " << minInputs
                   << (minInputs == maxInputs ? "" : " to ")
                   << (minInputs == maxInputs ? "" : std::to_string(maxInputs))
                   << " inputs, but has " << numInputs();
  if (numOutputs() < minOutputs || numOutputs() > maxOutputs)
    return error() << "expects " << minOutputs
                   << (minOutputs == maxOutputs ? "" : " to ")
                   << (minOutputs == maxOutputs ? ""
                                                : std::to_string(maxOutputs))
                   << " outputs, but has " << numOutputs();
  for (unsigned i = 0; i < minOutputs; ++i)
    if (!hasOutput(i))
      return error() << "output " << i << " has no name";
  return success();
}

const ImportedValue *Importer::lookupInput(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = values.find(current->inputs[i]);
  return it == values.end() ? nullptr : &it->second;
}

FailureOr<Value> Importer::input(unsigned i) {
  if (!hasInput(i))
    return error() << "input " << i << " is required";
  const ImportedValue *v = lookupInput(i);
  if (!v)
    return error() << "input '" << current->inputs[i]
                   << "' is not defined by a graph input, an initializer or "
                      "an earlier node";
  return v->value;
}

FailureOr<Value> Importer::input(unsigned i, int64_t minRank, int64_t maxRank) {
  FailureOr<Value> v = input(i);
  if (failed(v))
    return failure();
  int64_t rank = cast<RankedTensorType>(v->getType()).getRank();
  if (rank < minRank || (maxRank >= 0 && rank > maxRank)) {
    InFlightDiagnostic diag = error();
    diag << "input " << i << " ('" << current->inputs[i]
         << "') must have rank ";
    if (minRank == maxRank)
      diag << minRank;
    else if (maxRank < 0)
      diag << ">= " << minRank;
    else
      diag << minRank << " to " << maxRank;
    diag << ", but has type " << v->getType();
    return diag;
  }
  return v;
}

FailureOr<Value> Importer::floatInput(unsigned i, int64_t minRank,
                                      int64_t maxRank) {
  FailureOr<Value> v = input(i, minRank, maxRank);
  if (failed(v))
    return failure();
  if (!isa<FloatType>(cast<RankedTensorType>(v->getType()).getElementType()))
    return error() << "input " << i << " ('" << current->inputs[i]
                   << "') must have a floating-point element type, but has "
                      "type "
                   << v->getType();
  return v;
}

FailureOr<SmallVector<OpFoldResult>> Importer::knownElements(unsigned i,
                                                             StringRef what) {
  if (failed(input(i)))
    return failure();
  const ImportedValue *v = lookupInput(i);
  if (!v->elements)
    return error() << what << " (input '" << current->inputs[i]
                   << "') must be computable at import time (a constant, or "
                      "computed from shapes by Shape, Gather, Concat, ...)";
  return *v->elements;
}

FailureOr<SmallVector<int64_t>> Importer::constantInts(unsigned i,
                                                       StringRef what) {
  FailureOr<SmallVector<OpFoldResult>> elems = knownElements(i, what);
  if (failed(elems))
    return failure();
  SmallVector<int64_t> result;
  for (OpFoldResult e : *elems) {
    std::optional<int64_t> c = getConstantIntValue(e);
    if (!c)
      return error() << what << " (input '" << current->inputs[i]
                     << "') must be a constant";
    result.push_back(*c);
  }
  return result;
}

std::optional<double> Importer::constantScalar(unsigned i) {
  const ImportedValue *v = lookupInput(i);
  if (!v)
    return std::nullopt;
  if (v->elements && v->elements->size() == 1)
    if (std::optional<int64_t> c = getConstantIntValue((*v->elements)[0]))
      return static_cast<double>(*c);
  DenseElementsAttr attr;
  if (auto cst = v->value.getDefiningOp<arith::ConstantOp>())
    attr = dyn_cast<DenseElementsAttr>(cst.getValue());
  if (!attr || !attr.isSplat())
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return attr.getSplatValue<APFloat>().convertToDouble();
  if (attr.getElementType().isInteger(1))
    return attr.getSplatValue<bool>() ? 1.0 : 0.0;
  if (isa<IntegerType>(attr.getElementType()))
    return static_cast<double>(attr.getSplatValue<APInt>().getSExtValue());
  return std::nullopt;
}

void Importer::setOutput(unsigned i, Value value,
                         std::optional<SmallVector<OpFoldResult>> elements) {
  if (!hasOutput(i))
    return;
  values[current->outputs[i]] = ImportedValue{value, std::move(elements)};
}

static const Attr *findAttr(const Node &node, StringRef name) {
  return node.getAttribute(name);
}

InFlightDiagnostic Importer::attrError(StringRef name) {
  return error() << "attribute '" << name << "' ";
}

FailureOr<int64_t> Importer::attrInt(StringRef name,
                                     std::optional<int64_t> dflt) {
  const Attr *a = findAttr(*current, name);
  if (!a) {
    if (dflt)
      return *dflt;
    return error() << "attribute '" << name << "' is required";
  }
  if (a->kind != Attr::Kind::Int)
    return attrError(name) << "must be INT, but is "
                           << attributeKindName(a->kind);
  return a->i;
}

FailureOr<double> Importer::attrFloat(StringRef name,
                                      std::optional<double> dflt) {
  const Attr *a = findAttr(*current, name);
  if (!a) {
    if (dflt)
      return *dflt;
    return error() << "attribute '" << name << "' is required";
  }
  if (a->kind != Attr::Kind::Float)
    return attrError(name) << "must be FLOAT, but is "
                           << attributeKindName(a->kind);
  return static_cast<double>(a->f);
}

FailureOr<std::string> Importer::attrString(StringRef name,
                                            std::optional<std::string> dflt) {
  const Attr *a = findAttr(*current, name);
  if (!a) {
    if (dflt)
      return *dflt;
    return error() << "attribute '" << name << "' is required";
  }
  if (a->kind != Attr::Kind::String)
    return attrError(name) << "must be STRING, but is "
                           << attributeKindName(a->kind);
  return a->s;
}

FailureOr<SmallVector<int64_t>>
Importer::attrInts(StringRef name, std::optional<SmallVector<int64_t>> dflt) {
  const Attr *a = findAttr(*current, name);
  if (!a) {
    if (dflt)
      return *dflt;
    return error() << "attribute '" << name << "' is required";
  }
  if (a->kind != Attr::Kind::Ints)
    return attrError(name) << "must be INTS, but is "
                           << attributeKindName(a->kind);
  return SmallVector<int64_t>(a->ints.begin(), a->ints.end());
}

//===----------------------------------------------------------------------===//
// Types and constants
//===----------------------------------------------------------------------===//

Type Importer::elementType(int32_t dtype) {
  switch (static_cast<DType>(dtype)) {
  case DType::Float:
    return b.getF32Type();
  case DType::Double:
    return b.getF64Type();
  case DType::Float16:
    return b.getF16Type();
  case DType::BFloat16:
    return b.getBF16Type();
  case DType::Int8:
    return b.getI8Type();
  case DType::Int16:
    return b.getI16Type();
  case DType::Int32:
    return b.getI32Type();
  case DType::Int64:
    return b.getI64Type();
  case DType::Bool:
    return b.getI1Type();
  default:
    return {};
  }
}

Value Importer::scalar(Type type, double value) {
  if (isa<IndexType>(type))
    return arith::ConstantIndexOp::create(b, currentLoc,
                                          static_cast<int64_t>(value));
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, currentLoc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(
      b, currentLoc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value Importer::index(int64_t value) {
  return arith::ConstantIndexOp::create(b, currentLoc, value);
}

std::optional<SmallVector<int64_t>> Importer::tensorInts(const Tensor &t) {
  unsigned size;
  if (t.dtype == static_cast<int32_t>(DType::Int64))
    size = 8;
  else if (t.dtype == static_cast<int32_t>(DType::Int32))
    size = 4;
  else
    return std::nullopt;
  if (t.data.size() != static_cast<size_t>(t.numElements()) * size)
    return std::nullopt;
  SmallVector<int64_t> result;
  for (size_t off = 0; off < t.data.size(); off += size) {
    const char *p = t.data.data() + off;
    result.push_back(
        size == 8 ? static_cast<int64_t>(llvm::support::endian::read64le(p))
                  : static_cast<int64_t>(static_cast<int32_t>(
                        llvm::support::endian::read32le(p))));
  }
  return result;
}

FailureOr<Value> Importer::constant(const Tensor &tensor, StringRef what) {
  Type elt = elementType(tensor.dtype);
  if (!elt)
    return mlir::emitError(currentLoc)
           << what << " has data type " << dtypeName(tensor.dtype)
           << ", which the importer does not support";
  unsigned size = dtypeByteSize(tensor.dtype);
  if (tensor.data.size() != static_cast<size_t>(tensor.numElements()) * size)
    return mlir::emitError(currentLoc)
           << what << " has " << tensor.data.size() << " bytes of data, "
           << "but its dims need " << tensor.numElements() * size;
  auto type = RankedTensorType::get(tensor.dims, elt);
  DenseElementsAttr attr;
  if (elt.isInteger(1)) {
    SmallVector<bool> bits;
    bits.reserve(tensor.data.size());
    for (char c : tensor.data)
      bits.push_back(c != 0);
    attr = DenseElementsAttr::get(type, bits);
  } else {
    bool detectedSplat = false;
    ArrayRef<char> raw(tensor.data.data(), tensor.data.size());
    if (tensor.numElements() == 0 ||
        !DenseElementsAttr::isValidRawBuffer(type, raw, detectedSplat))
      attr = DenseElementsAttr::get(type, ArrayRef<mlir::Attribute>{});
    else
      attr = DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  if (!attr)
    return mlir::emitError(currentLoc) << what << ": cannot build a constant";
  return arith::ConstantOp::create(b, currentLoc, attr).getResult();
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

LogicalResult Importer::checkType(const ValueInfo &info, Type &type,
                                  StringRef what) {
  Location loc = currentLoc;
  if (!info.isTensor)
    return mlir::emitError(loc)
           << what << " '" << info.name << "' is not a tensor (or has no type)";
  Type elt = elementType(info.dtype);
  if (!elt)
    return mlir::emitError(loc)
           << what << " '" << info.name << "' has data type "
           << dtypeName(info.dtype) << ", which the importer does not support";
  if (!info.hasShape)
    return mlir::emitError(loc) << what << " '" << info.name
                                << "' has no shape (its rank is unknown)";
  SmallVector<int64_t> shape;
  for (const Dim &d : info.dims)
    shape.push_back(d.isStatic() ? d.value : ShapedType::kDynamic);
  type = RankedTensorType::get(shape, elt);
  return success();
}

Location Importer::nodeLoc(const Node &node, unsigned index) {
  std::string name =
      node.name.empty() ? node.opType + "_" + std::to_string(index) : node.name;
  return NameLoc::get(StringAttr::get(ctx, name),
                      FileLineColLoc::get(ctx, fileName, 0, 0));
}

LogicalResult Importer::importNode(const Node &node, unsigned index) {
  setCurrentNode(node, index);
  b.setInsertionPointToEnd(b.getInsertionBlock());
  const OpTable *table = nullptr;
  auto opsetIt = model.opsets.find(node.domain);
  if (node.domain.empty())
    table = &onnxOps;
  else if (node.domain == kSeqMixDomain)
    table = &seqmixOps;
  auto unsupported = [&]() {
    return mlir::emitError(currentLoc)
           << nodeLabel() << ": unsupported op type '" << node.opType
           << "' (domain '" << (node.domain.empty() ? "ai.onnx" : node.domain)
           << "', opset " << currentOpset << ")";
  };
  for (const std::string &f : model.functions)
    if (f == node.domain + "::" + node.opType)
      return mlir::emitError(currentLoc)
             << nodeLabel() << " calls the model-local function '"
             << node.opType << "' (domain '" << node.domain
             << "'), which the importer does not inline: inline it first "
                "(onnx.inliner.inline_local_functions)";
  if (!table)
    return unsupported();
  if (opsetIt == model.opsets.end())
    return mlir::emitError(currentLoc)
           << nodeLabel() << " (" << node.opType
           << "): the model imports no opset of domain '"
           << (node.domain.empty() ? "ai.onnx" : node.domain) << "'";
  // The default domain's opset decides every operator's version.
  if (node.domain.empty() &&
      (currentOpset < kMinOpset || currentOpset > kMaxOpset))
    return error() << "the model's default-domain opset " << currentOpset
                   << " is not supported (supported: " << kMinOpset << " to "
                   << kMaxOpset << ")";
  auto it = table->find(node.opType);
  if (it == table->end())
    return unsupported();
  // Every input must be defined before the node uses it.
  for (unsigned i = 0; i < node.inputs.size(); ++i)
    if (!node.inputs[i].empty() && !values.count(node.inputs[i]))
      return error() << "input '" << node.inputs[i]
                     << "' is not defined by a graph input, an initializer "
                        "or an earlier node";
  for (const std::string &out : node.outputs)
    if (!out.empty() && values.count(out))
      return error() << "output '" << out << "' is already defined";
  return it->second(*this);
}

LogicalResult Importer::declareInputs(SmallVectorImpl<Type> &types,
                                      SmallVectorImpl<Attribute> &argAttrs,
                                      SmallVectorImpl<std::string> &argNames) {
  const Graph &g = model.graph;
  llvm::StringSet<> initializers;
  for (const Tensor &t : g.initializers)
    initializers.insert(t.name);
  llvm::StringSet<> seen;
  for (const ValueInfo &in : g.inputs) {
    // Before IR version 4 initializers were listed as inputs too; they stay
    // constants.
    if (initializers.count(in.name))
      continue;
    if (!seen.insert(in.name).second)
      return mlir::emitError(currentLoc)
             << "graph input '" << in.name << "' is declared twice";
    Type type;
    // A data type or kind the importer does not support is an error at the
    // first node that reads the input, when there is one.
    if (!in.isTensor || !elementType(in.dtype)) {
      for (auto [index, node] : llvm::enumerate(g.nodes)) {
        if (!llvm::is_contained(node.inputs, in.name))
          continue;
        setCurrentNode(node, index);
        if (!in.isTensor)
          return error() << "input '" << in.name
                         << "' (a graph input) is not a tensor (or has no "
                            "type)";
        return error() << "input '" << in.name
                       << "' (a graph input) has data type "
                       << dtypeName(in.dtype)
                       << ", which the importer does not support";
      }
    }
    if (failed(checkType(in, type, "graph input")))
      return failure();
    types.push_back(type);
    argNames.push_back(in.name);
    bool anyDynamic = false;
    SmallVector<Attribute> dims;
    for (const Dim &d : in.dims) {
      if (d.isStatic()) {
        dims.push_back(b.getI64IntegerAttr(d.value));
      } else {
        anyDynamic = true;
        dims.push_back(b.getStringAttr(d.param.empty() ? "?" : d.param));
      }
    }
    SmallVector<NamedAttribute> attrs;
    attrs.push_back(b.getNamedAttr("seqmix.name", b.getStringAttr(in.name)));
    if (anyDynamic)
      attrs.push_back(b.getNamedAttr("seqmix.dims", b.getArrayAttr(dims)));
    argAttrs.push_back(b.getDictionaryAttr(attrs));
  }
  return success();
}

static std::string makeIdentifier(StringRef name) {
  std::string id;
  for (char c : name)
    id.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
  if (id.empty())
    return "main";
  if (llvm::isDigit(id[0]))
    id.insert(id.begin(), '_');
  return id;
}

LogicalResult Importer::importGraph(ModuleOp module) {
  const Graph &g = model.graph;
  currentLoc = FileLineColLoc::get(ctx, fileName, 0, 0);

  // The default domain's opset decides every operator's version; a missing
  // or unsupported one is an error at the first node of that domain
  // (importNode), and for the model when the graph has none.
  bool anyDefaultDomainNode = llvm::any_of(
      g.nodes, [](const Node &node) { return node.domain.empty(); });
  auto opsetIt = model.opsets.find("");
  if (!anyDefaultDomainNode && opsetIt != model.opsets.end() &&
      (opsetIt->second < kMinOpset || opsetIt->second > kMaxOpset))
    return mlir::emitError(currentLoc)
           << "the model's default-domain opset " << opsetIt->second
           << " is not supported (supported: " << kMinOpset << " to "
           << kMaxOpset << ")";
  auto seqmixIt = model.opsets.find(kSeqMixDomain.str());
  if (seqmixIt != model.opsets.end() && seqmixIt->second != 1)
    return mlir::emitError(currentLoc)
           << "domain 'ai.seqmix' has version " << seqmixIt->second
           << ", but the importer knows only version 1";

  SmallVector<Type> argTypes;
  SmallVector<Attribute> argAttrs;
  SmallVector<std::string> argNames;
  if (failed(declareInputs(argTypes, argAttrs, argNames)))
    return failure();

  std::string name = options.functionName.empty() ? makeIdentifier(g.name)
                                                  : options.functionName;
  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, currentLoc, name,
                                   b.getFunctionType(argTypes, {}));
  func.setAllArgAttrs(argAttrs);
  Block *entry = func.addEntryBlock();
  entryBlock = entry;
  b.setInsertionPointToEnd(entry);
  for (auto [i, argName] : llvm::enumerate(argNames))
    values[argName] = ImportedValue{entry->getArgument(i), std::nullopt};

  // Dimensions with the same dim_param are one size: later ones read the
  // first one's tensor.dim (Reshape, Attention, ... compare sizes).
  llvm::StringMap<Value> symbols;
  for (auto [i, argName] : llvm::enumerate(argNames)) {
    const ValueInfo *info = nullptr;
    for (const ValueInfo &in : g.inputs)
      if (in.name == argName)
        info = &in;
    if (!info)
      continue;
    for (auto [d, dim] : llvm::enumerate(info->dims)) {
      if (dim.isStatic() || dim.param.empty())
        continue;
      Value arg = entry->getArgument(i);
      auto it = symbols.find(dim.param);
      if (it == symbols.end())
        symbols[dim.param] = dimValue(arg, d);
      else
        dimCache[std::make_pair(arg, static_cast<int64_t>(d))] = it->second;
    }
  }

  // Initializers become constants; small integer ones are known elements.
  for (const Tensor &t : g.initializers) {
    currentLoc = NameLoc::get(StringAttr::get(ctx, t.name),
                              FileLineColLoc::get(ctx, fileName, 0, 0));
    if (values.count(t.name))
      return mlir::emitError(currentLoc)
             << "initializer '" << t.name << "' is defined twice";
    FailureOr<Value> c = constant(t, "initializer '" + t.name + "'");
    if (failed(c))
      return failure();
    ImportedValue v{*c, std::nullopt};
    if (t.dims.size() <= 1 && t.numElements() <= 64)
      if (std::optional<SmallVector<int64_t>> ints = tensorInts(t)) {
        SmallVector<OpFoldResult> elems;
        for (int64_t x : *ints)
          elems.push_back(b.getI64IntegerAttr(x));
        v.elements = std::move(elems);
      }
    values[t.name] = std::move(v);
  }

  for (auto [i, node] : llvm::enumerate(g.nodes))
    if (failed(importNode(node, i)))
      return failure();

  // The results, with the declared types where they say more.
  currentLoc = FileLineColLoc::get(ctx, fileName, 0, 0);
  b.setInsertionPointToEnd(entry);
  SmallVector<Value> results;
  SmallVector<Attribute> resultAttrs;
  if (g.outputs.empty())
    return mlir::emitError(currentLoc) << "the graph has no outputs";
  for (const ValueInfo &out : g.outputs) {
    auto it = values.find(out.name);
    if (it == values.end())
      return mlir::emitError(currentLoc)
             << "graph output '" << out.name
             << "' is not produced by any node, input or initializer";
    Value v = it->second.value;
    auto type = cast<RankedTensorType>(v.getType());
    if (out.isTensor && out.dtype != 0) {
      Type declared = elementType(out.dtype);
      if (!declared)
        return mlir::emitError(currentLoc)
               << "graph output '" << out.name << "' has data type "
               << dtypeName(out.dtype)
               << ", which the importer does not support";
      if (declared != type.getElementType())
        return mlir::emitError(currentLoc)
               << "graph output '" << out.name << "' is declared "
               << dtypeName(out.dtype) << " but computed as "
               << type.getElementType();
    }
    if (out.isTensor && out.hasShape) {
      if (static_cast<int64_t>(out.dims.size()) != type.getRank())
        return mlir::emitError(currentLoc)
               << "graph output '" << out.name << "' is declared with rank "
               << out.dims.size() << " but computed as " << type;
      SmallVector<int64_t> shape(type.getShape());
      bool refine = false;
      for (auto [i, d] : llvm::enumerate(out.dims)) {
        if (!d.isStatic())
          continue;
        if (ShapedType::isDynamic(shape[i])) {
          shape[i] = d.value;
          refine = true;
        } else if (shape[i] != d.value) {
          return mlir::emitError(currentLoc)
                 << "graph output '" << out.name << "' is declared with "
                 << "dimension " << i << " = " << d.value << " but computed as "
                 << type;
        }
      }
      if (refine)
        v = tensor::CastOp::create(
            b, currentLoc, RankedTensorType::get(shape, type.getElementType()),
            v);
    }
    results.push_back(v);
    resultAttrs.push_back(b.getDictionaryAttr(
        b.getNamedAttr("seqmix.name", b.getStringAttr(out.name))));
  }
  func::ReturnOp::create(b, currentLoc, results);
  func.setFunctionType(
      b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  func.setAllResultAttrs(resultAttrs);
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  ctx->loadDialect<arith::ArithDialect, func::FuncDialect,
                   linalg::LinalgDialect, math::MathDialect, scf::SCFDialect,
                   tensor::TensorDialect, SeqMixDialect>();
  Location loc = FileLineColLoc::get(ctx, fileName, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  auto opset = model.opsets.find("");
  if (opset != model.opsets.end())
    module->getOperation()->setAttr("onnx.opset",
                                    b.getI64IntegerAttr(opset->second));
  if (!model.producerName.empty())
    module->getOperation()->setAttr(
        "onnx.producer", b.getStringAttr(model.producerName +
                                         (model.producerVersion.empty()
                                              ? ""
                                              : " " + model.producerVersion)));
  if (failed(importGraph(*module)))
    return nullptr;
  if (failed(mlir::verify(*module)))
    return nullptr;
  if (options.cleanup) {
    // Fold the importer's bookkeeping (repeated sizes, constant shapes).
    PassManager pm(ctx);
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (failed(pm.run(*module)))
      return nullptr;
  }
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp>
mlir::seqmix::importONNX(llvm::StringRef bytes, llvm::StringRef fileName,
                         MLIRContext *context,
                         const ONNXImportOptions &options) {
  ReadOptions readOptions;
  readOptions.allowExternalData = options.allowExternalData;
  readOptions.baseDir = llvm::sys::path::parent_path(fileName).str();
  Model model;
  std::string message;
  Location loc = FileLineColLoc::get(context, fileName, 0, 0);
  if (!readModel(bytes.data(), bytes.size(), readOptions, model, message)) {
    mlir::emitError(loc) << message;
    return nullptr;
  }
  Importer importer(context, model, fileName, options);
  return importer.run();
}

void mlir::seqmix::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, scf::SCFDialect, tensor::TensorDialect,
                  SeqMixDialect>();
}
