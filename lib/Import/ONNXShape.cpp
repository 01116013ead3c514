//===- ONNXShape.cpp - shape, layout and constant ONNX operators ----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Concat, Split, Slice,
// Gather, Expand, Trilu, Constant, ConstantOfShape, Shape, Size, Range.
// Shape-computing inputs (Reshape's shape, Slice's starts, ...) must be
// known at import time: constants, or values computed from the shapes of
// tensors through Shape, Gather, Concat, Slice, arithmetic, ... whose
// elements the importer tracks (ImportedValue::elements).
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/Endian.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix::onnx_import;

namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Index arithmetic on OpFoldResults that folds constants.
struct IndexMath {
  Importer &im;
  OpFoldResult c(int64_t v) { return im.builder().getIndexAttr(v); }
  /// `fold(x, y)` when both are constants and it folds, else an `OpT`.
  template <typename OpT, typename Fold>
  OpFoldResult binary(OpFoldResult a, OpFoldResult b, Fold fold) {
    auto x = getConstantIntValue(a), y = getConstantIntValue(b);
    if (x && y)
      if (std::optional<int64_t> folded = fold(*x, *y))
        return c(*folded);
    return OpT::create(im.builder(), im.loc(), im.toIndex(a), im.toIndex(b))
        .getResult();
  }
  OpFoldResult add(OpFoldResult a, OpFoldResult b) {
    return binary<arith::AddIOp>(
        a, b,
        [](int64_t x, int64_t y) -> std::optional<int64_t> { return x + y; });
  }
  OpFoldResult sub(OpFoldResult a, OpFoldResult b) {
    return binary<arith::SubIOp>(
        a, b,
        [](int64_t x, int64_t y) -> std::optional<int64_t> { return x - y; });
  }
  OpFoldResult mul(OpFoldResult a, OpFoldResult b) {
    auto x = getConstantIntValue(a), y = getConstantIntValue(b);
    if (x == 1 && !y)
      return b;
    if (y == 1 && !x)
      return a;
    return binary<arith::MulIOp>(
        a, b,
        [](int64_t x, int64_t y) -> std::optional<int64_t> { return x * y; });
  }
  OpFoldResult div(OpFoldResult a, OpFoldResult b) {
    if (getConstantIntValue(b) == 1 && !getConstantIntValue(a))
      return a;
    return binary<arith::DivSIOp>(
        a, b, [](int64_t x, int64_t y) -> std::optional<int64_t> {
          if (y == 0)
            return std::nullopt;
          return x / y;
        });
  }
  OpFoldResult ceilDiv(OpFoldResult a, OpFoldResult b) {
    return binary<arith::CeilDivSIOp>(
        a, b, [](int64_t x, int64_t y) -> std::optional<int64_t> {
          if (y <= 0)
            return std::nullopt;
          return (x + y - 1) / y;
        });
  }
  OpFoldResult min(OpFoldResult a, OpFoldResult b) {
    return binary<arith::MinSIOp>(
        a, b, [](int64_t x, int64_t y) -> std::optional<int64_t> {
          return std::min(x, y);
        });
  }
  OpFoldResult max(OpFoldResult a, OpFoldResult b) {
    return binary<arith::MaxSIOp>(
        a, b, [](int64_t x, int64_t y) -> std::optional<int64_t> {
          return std::max(x, y);
        });
  }
  /// The product of `sizes`.
  OpFoldResult product(ArrayRef<OpFoldResult> sizes) {
    OpFoldResult p = c(1);
    for (OpFoldResult s : sizes)
      p = mul(p, s);
    return p;
  }
};

/// Converts known elements (i64 attributes or index values) to index
/// OpFoldResults.
SmallVector<OpFoldResult> asIndex(Importer &im,
                                  ArrayRef<OpFoldResult> elements) {
  SmallVector<OpFoldResult> result;
  for (OpFoldResult e : elements) {
    if (std::optional<int64_t> c = getConstantIntValue(e))
      result.push_back(im.builder().getIndexAttr(*c));
    else
      result.push_back(e);
  }
  return result;
}

/// Sorted, unique, normalised axes for a tensor of `rank`.
FailureOr<SmallVector<int64_t>>
normalizeAxes(Importer &im, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t a : axes) {
    FailureOr<int64_t> n = im.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    result.push_back(*n);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return im.error() << "axes must not repeat";
  return result;
}

/// Axes from input `i` (opset >= `inputSince`) or from the attribute.
FailureOr<std::optional<SmallVector<int64_t>>>
axesOperand(Importer &im, unsigned i, int64_t inputSince) {
  if (im.opset() >= inputSince) {
    if (!im.hasInput(i))
      return std::optional<SmallVector<int64_t>>();
    FailureOr<SmallVector<int64_t>> axes = im.constantInts(i, "axes");
    if (failed(axes))
      return failure();
    return std::optional<SmallVector<int64_t>>(*axes);
  }
  if (!im.hasAttr("axes"))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> axes = im.attrInts("axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(*axes);
}

LogicalResult importTranspose(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  FailureOr<SmallVector<int64_t>> perm = im.attrInts("perm", reversed);
  if (failed(perm))
    return failure();
  SmallVector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm->size()) != rank)
    return im.attrError("perm") << "has " << perm->size()
                                << " entries for an input of rank " << rank;
  for (int64_t &p : *perm) {
    if (p < -rank || p >= rank)
      return im.attrError("perm") << "is not a permutation";
    if (p < 0)
      p += rank;
    if (seen[p])
      return im.attrError("perm") << "is not a permutation";
    seen[p] = true;
  }
  im.setOutput(0, im.transpose(*x, *perm));
  return success();
}

LogicalResult importReshape(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<SmallVector<OpFoldResult>> shape =
      im.knownElements(1, "the target shape");
  FailureOr<int64_t> allowZero = im.attrInt("allowzero", 0);
  if (failed(x) || failed(shape) || failed(allowZero))
    return failure();
  IndexMath m{im};
  SmallVector<OpFoldResult> in = im.sizes(*x);
  SmallVector<OpFoldResult> out = asIndex(im, *shape);
  int inferred = -1;
  for (auto [i, s] : llvm::enumerate(out)) {
    std::optional<int64_t> c = getConstantIntValue(s);
    if (!c)
      continue;
    if (*c == -1) {
      if (inferred >= 0)
        return im.error() << "the target shape has more than one -1";
      inferred = i;
    } else if (*c == 0 && !*allowZero) {
      if (i >= in.size())
        return im.error() << "the target shape copies dimension " << i
                          << " (0), which the input of rank " << in.size()
                          << " does not have";
      s = in[i];
    } else if (*c < 0) {
      return im.error() << "the target shape has a negative size " << *c;
    }
  }
  OpFoldResult total = m.product(in);
  if (inferred >= 0) {
    SmallVector<OpFoldResult> others;
    for (auto [i, s] : llvm::enumerate(out))
      if (static_cast<int>(i) != inferred)
        others.push_back(s);
    // Cancel the sizes that the input and the other target sizes share
    // (B and T read by Shape), so that the inferred size stays static.
    SmallVector<OpFoldResult> inLeft(in.begin(), in.end());
    SmallVector<OpFoldResult> outLeft;
    for (OpFoldResult o : others) {
      auto it = llvm::find_if(inLeft, [&](OpFoldResult x) {
        return !getConstantIntValue(x) && Importer::sameSize(x, o);
      });
      if (it != inLeft.end())
        inLeft.erase(it);
      else
        outLeft.push_back(o);
    }
    total = m.product(inLeft);
    OpFoldResult rest = m.product(outLeft);
    std::optional<int64_t> t = getConstantIntValue(total),
                           r = getConstantIntValue(rest);
    if (t && r && (*r == 0 || *t % *r != 0))
      return im.error() << "cannot reshape " << x->getType() << " of " << *t
                        << " elements into a shape with " << *r
                        << " elements per inferred entry";
    out[inferred] = m.div(total, rest);
  } else {
    std::optional<int64_t> t = getConstantIntValue(total),
                           r = getConstantIntValue(m.product(out));
    if (t && r && *t != *r)
      return im.error() << "cannot reshape " << x->getType() << " (" << *t
                        << " elements) into " << *r << " elements";
  }
  Value r = im.reshape(*x, out);
  std::optional<SmallVector<OpFoldResult>> known;
  const ImportedValue *v = im.lookupInput(0);
  if (v->elements && typeOf(r).getRank() <= 1)
    known = v->elements;
  im.setOutput(0, r, known);
  return success();
}

LogicalResult importFlatten(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<int64_t> axisAttr = im.attrInt("axis", 1);
  if (failed(x) || failed(axisAttr))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  int64_t axis = *axisAttr < 0 ? *axisAttr + rank : *axisAttr;
  if (axis < 0 || axis > rank)
    return im.attrError("axis")
           << *axisAttr << " is out of range for rank " << rank;
  IndexMath m{im};
  SmallVector<OpFoldResult> in = im.sizes(*x);
  SmallVector<OpFoldResult> out = {
      m.product(ArrayRef<OpFoldResult>(in).take_front(axis)),
      m.product(ArrayRef<OpFoldResult>(in).drop_front(axis))};
  im.setOutput(0, im.reshape(*x, out));
  return success();
}

LogicalResult importSqueeze(Importer &im) {
  if (failed(im.checkArity(1, 2)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = axesOperand(im, 1, 13);
  if (failed(x) || failed(axes))
    return failure();
  RankedTensorType type = typeOf(*x);
  SmallVector<int64_t> dims;
  if (*axes) {
    FailureOr<SmallVector<int64_t>> n =
        normalizeAxes(im, **axes, type.getRank());
    if (failed(n))
      return failure();
    dims = *n;
    for (int64_t d : dims)
      if (!type.isDynamicDim(d) && type.getDimSize(d) != 1)
        return im.error() << "cannot squeeze dimension " << d << " of size "
                          << type.getDimSize(d);
  } else {
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) == 1)
        dims.push_back(d);
  }
  Value r = im.squeezeDims(*x, dims);
  const ImportedValue *v = im.lookupInput(0);
  im.setOutput(0, r, v->elements);
  return success();
}

LogicalResult importUnsqueeze(Importer &im) {
  if (failed(im.checkArity(1, 2)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = axesOperand(im, 1, 13);
  if (failed(x) || failed(axes))
    return failure();
  if (!*axes)
    return im.error() << "axes are required";
  int64_t outRank = typeOf(*x).getRank() + (*axes)->size();
  FailureOr<SmallVector<int64_t>> dims = normalizeAxes(im, **axes, outRank);
  if (failed(dims))
    return failure();
  Value r = im.expandDims(*x, *dims);
  const ImportedValue *v = im.lookupInput(0);
  std::optional<SmallVector<OpFoldResult>> known;
  if (v->elements && outRank <= 1)
    known = v->elements;
  im.setOutput(0, r, known);
  return success();
}

LogicalResult importConcat(Importer &im) {
  if (failed(im.checkArity(1, 4096)))
    return failure();
  FailureOr<int64_t> axisAttr = im.attrInt("axis");
  if (failed(axisAttr))
    return failure();
  SmallVector<Value> inputs;
  bool allKnown = true;
  SmallVector<OpFoldResult> known;
  for (unsigned i = 0; i < im.numInputs(); ++i) {
    FailureOr<Value> v = im.input(i, 1);
    if (failed(v))
      return failure();
    if (!inputs.empty() &&
        (typeOf(*v).getRank() != typeOf(inputs[0]).getRank() ||
         typeOf(*v).getElementType() != typeOf(inputs[0]).getElementType()))
      return im.error() << "inputs must have one rank and element type, but "
                           "have "
                        << inputs[0].getType() << " and " << v->getType();
    const ImportedValue *iv = im.lookupInput(i);
    if (iv->elements)
      known.append(iv->elements->begin(), iv->elements->end());
    else
      allKnown = false;
    // Skip empty inputs (exporters concatenate empty shape pieces).
    if (typeOf(*v).getRank() == 1 && typeOf(*v).getDimSize(0) == 0)
      continue;
    inputs.push_back(*v);
  }
  int64_t rank = typeOf(*im.input(0)).getRank();
  FailureOr<int64_t> axis = im.normalizeAxis(*axisAttr, rank);
  if (failed(axis))
    return failure();
  Value r;
  if (inputs.empty())
    r = *im.input(0);
  else if (inputs.size() == 1)
    r = inputs[0];
  else
    r = tensor::ConcatOp::create(im.builder(), im.loc(), *axis, inputs);
  std::optional<SmallVector<OpFoldResult>> k;
  if (allKnown && rank == 1)
    k = known;
  im.setOutput(0, r, k);
  return success();
}

LogicalResult importSplit(Importer &im) {
  if (failed(im.checkArity(1, 2, 1, 4096)))
    return failure();
  FailureOr<Value> x = im.input(0, 1);
  FailureOr<int64_t> axisAttr = im.attrInt("axis", 0);
  if (failed(x) || failed(axisAttr))
    return failure();
  RankedTensorType type = typeOf(*x);
  FailureOr<int64_t> axis = im.normalizeAxis(*axisAttr, type.getRank());
  if (failed(axis))
    return failure();
  unsigned n = im.numOutputs();
  IndexMath m{im};
  SmallVector<OpFoldResult> in = im.sizes(*x);
  OpFoldResult dim = in[*axis];
  std::optional<int64_t> staticDim = getConstantIntValue(dim);
  SmallVector<OpFoldResult> splitSizes;
  std::optional<SmallVector<int64_t>> split;
  if (im.opset() >= 13) {
    if (im.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> s = im.constantInts(1, "split");
      if (failed(s))
        return failure();
      split = *s;
    }
  } else if (im.hasAttr("split")) {
    FailureOr<SmallVector<int64_t>> s = im.attrInts("split");
    if (failed(s))
      return failure();
    split = *s;
  }
  if (split) {
    if (split->size() != n)
      return im.error() << "split has " << split->size() << " sizes for " << n
                        << " outputs";
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0)
        return im.error() << "split sizes must be non-negative";
      sum += s;
      splitSizes.push_back(m.c(s));
    }
    if (staticDim && sum != *staticDim)
      return im.error() << "split sizes add up to " << sum
                        << ", but the dimension has size " << *staticDim;
  } else {
    int64_t parts = n;
    if (im.opset() >= 18) {
      FailureOr<int64_t> numOutputs = im.attrInt("num_outputs", n);
      if (failed(numOutputs))
        return failure();
      if (*numOutputs != static_cast<int64_t>(n) || n == 0)
        return im.attrError("num_outputs")
               << *numOutputs << " differs from the node's " << n << " outputs";
    }
    // Opset 18 allows a smaller last part; earlier opsets need equal parts.
    if (staticDim && im.opset() < 18 && *staticDim % parts != 0)
      return im.error() << "cannot split a dimension of size " << *staticDim
                        << " into " << parts << " equal parts";
    OpFoldResult chunk = m.ceilDiv(dim, m.c(parts));
    for (int64_t i = 0; i < parts; ++i) {
      OpFoldResult begin = m.min(m.mul(chunk, m.c(i)), dim);
      OpFoldResult end = m.min(m.mul(chunk, m.c(i + 1)), dim);
      splitSizes.push_back(m.sub(end, begin));
    }
  }
  OpFoldResult offset = m.c(0);
  SmallVector<OpFoldResult> strides(type.getRank(), m.c(1));
  for (unsigned i = 0; i < n; ++i) {
    SmallVector<OpFoldResult> offsets(type.getRank(), m.c(0));
    SmallVector<OpFoldResult> sizes = in;
    offsets[*axis] = offset;
    sizes[*axis] = splitSizes[i];
    Value part = tensor::ExtractSliceOp::create(im.builder(), im.loc(), *x,
                                                offsets, sizes, strides);
    im.setOutput(i, part);
    offset = m.add(offset, splitSizes[i]);
  }
  return success();
}

LogicalResult importSlice(Importer &im) {
  if (failed(im.checkArity(3, 5)))
    return failure();
  FailureOr<Value> x = im.input(0, 1);
  FailureOr<SmallVector<int64_t>> starts = im.constantInts(1, "starts");
  FailureOr<SmallVector<int64_t>> ends = im.constantInts(2, "ends");
  if (failed(x) || failed(starts) || failed(ends))
    return failure();
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes, steps;
  if (im.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> a = im.constantInts(3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (im.hasInput(4)) {
    FailureOr<SmallVector<int64_t>> s = im.constantInts(4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return im.error() << "starts, ends, axes and steps must have one length";
  IndexMath m{im};
  SmallVector<OpFoldResult> in = im.sizes(*x);
  SmallVector<OpFoldResult> offsets(rank, m.c(0)), sizes = in,
                                                   strides(rank, m.c(1));
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> axis = im.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return im.error() << "axis " << *axis << " is sliced twice";
    seen[*axis] = true;
    int64_t step = steps[i];
    if (step <= 0)
      return im.error() << "steps must be positive (step " << step
                        << " on axis " << *axis << " is not supported)";
    OpFoldResult d = in[*axis];
    auto clampBound = [&](int64_t v) -> OpFoldResult {
      OpFoldResult r =
          v < 0 ? m.add(d, m.c(std::max<int64_t>(v, INT64_MIN / 2))) : m.c(v);
      if (v >= 0 && v >= (INT64_MAX >> 2))
        return d;
      return m.min(m.max(r, m.c(0)), d);
    };
    OpFoldResult start = clampBound((*starts)[i]);
    OpFoldResult end = clampBound((*ends)[i]);
    OpFoldResult len = m.max(m.sub(end, start), m.c(0));
    offsets[*axis] = start;
    sizes[*axis] = m.ceilDiv(len, m.c(step));
    strides[*axis] = m.c(step);
  }
  Value r = tensor::ExtractSliceOp::create(im.builder(), im.loc(), *x, offsets,
                                           sizes, strides);
  // Known elements of a 1-D input slice with constant bounds.
  std::optional<SmallVector<OpFoldResult>> known;
  const ImportedValue *v = im.lookupInput(0);
  if (v->elements && rank == 1) {
    std::optional<int64_t> o = getConstantIntValue(offsets[0]),
                           s = getConstantIntValue(sizes[0]),
                           st = getConstantIntValue(strides[0]);
    if (o && s && st) {
      SmallVector<OpFoldResult> elems;
      for (int64_t k = 0; k < *s; ++k)
        if (*o + k * *st < static_cast<int64_t>(v->elements->size()))
          elems.push_back((*v->elements)[*o + k * *st]);
      if (static_cast<int64_t>(elems.size()) == *s)
        known = elems;
    }
  }
  im.setOutput(0, r, known);
  return success();
}

LogicalResult importGather(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> data = im.input(0, 1);
  FailureOr<Value> indices = im.input(1);
  FailureOr<int64_t> axisAttr = im.attrInt("axis", 0);
  if (failed(data) || failed(indices) || failed(axisAttr))
    return failure();
  RankedTensorType dataType = typeOf(*data), idxType = typeOf(*indices);
  if (!idxType.getElementType().isInteger(32) &&
      !idxType.getElementType().isInteger(64))
    return im.error() << "indices must be int32 or int64, but have type "
                      << indices->getType();
  FailureOr<int64_t> axis = im.normalizeAxis(*axisAttr, dataType.getRank());
  if (failed(axis))
    return failure();

  // Known elements: a known 1-D data tensor with constant indices.
  const ImportedValue *dv = im.lookupInput(0), *iv = im.lookupInput(1);
  if (dv->elements && dataType.getRank() == 1 && iv->elements &&
      idxType.getRank() <= 1) {
    if (std::optional<SmallVector<int64_t>> idx =
            getConstantIntValues(*iv->elements)) {
      SmallVector<OpFoldResult> elems;
      int64_t n = dv->elements->size();
      bool ok = true;
      for (int64_t k : *idx) {
        if (k < -n || k >= n) {
          ok = false;
          break;
        }
        elems.push_back((*dv->elements)[k < 0 ? k + n : k]);
      }
      if (ok) {
        Value r = im.materializeInts(elems, idxType.getRank() == 0,
                                     dataType.getElementType());
        im.setOutput(0, r, elems);
        return success();
      }
    }
  }

  SmallVector<OpFoldResult> dataSizes = im.sizes(*data),
                            idxSizes = im.sizes(*indices), outSizes;
  outSizes.append(dataSizes.begin(), dataSizes.begin() + *axis);
  outSizes.append(idxSizes.begin(), idxSizes.end());
  outSizes.append(dataSizes.begin() + *axis + 1, dataSizes.end());
  int64_t outRank = outSizes.size();
  int64_t idxRank = idxType.getRank();
  MLIRContext *ctx = im.getContext();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t k = 0; k < idxRank; ++k)
    idxExprs.push_back(getAffineDimExpr(*axis + k, ctx));
  AffineMap idxMap = AffineMap::get(outRank, 0, idxExprs, ctx);
  Value axisSize = im.dimValue(*data, *axis);
  Value init = im.empty(outSizes, dataType.getElementType());
  Value dataV = *data;
  int64_t a = *axis;
  Value r = im.generic(
      *indices, init, {idxMap, identityMap(ctx, outRank)}, {},
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value neg =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
        idx = arith::SelectOp::create(
            b, l, neg, arith::AddIOp::create(b, l, idx, axisSize), idx);
        SmallVector<Value> coords;
        for (int64_t k = 0; k < a; ++k)
          coords.push_back(linalg::IndexOp::create(b, l, k));
        coords.push_back(idx);
        for (int64_t k = a + 1; k < dataType.getRank(); ++k)
          coords.push_back(linalg::IndexOp::create(b, l, k - 1 + idxRank));
        return tensor::ExtractOp::create(b, l, dataV, coords);
      });
  im.setOutput(0, r);
  return success();
}

LogicalResult importExpand(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<SmallVector<OpFoldResult>> shape =
      im.knownElements(1, "the target shape");
  if (failed(x) || failed(shape))
    return failure();
  SmallVector<OpFoldResult> target = asIndex(im, *shape);
  SmallVector<OpFoldResult> in = im.sizes(*x);
  int64_t rank = std::max(target.size(), in.size());
  SmallVector<OpFoldResult> out;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t ti = i - (rank - target.size()), xi = i - (rank - in.size());
    if (ti < 0) {
      out.push_back(in[xi]);
      continue;
    }
    if (xi < 0) {
      out.push_back(target[ti]);
      continue;
    }
    std::optional<int64_t> t = getConstantIntValue(target[ti]),
                           d = getConstantIntValue(in[xi]);
    if (t && *t < 0)
      return im.error() << "the target shape has a negative size " << *t;
    if (t == 1 || (d && t && *d == *t))
      out.push_back(in[xi]);
    else if (d == 1)
      out.push_back(target[ti]);
    else if (d && t)
      return im.error() << "cannot expand dimension " << i << " of size " << *d
                        << " to " << *t;
    else
      out.push_back(d ? in[xi] : target[ti]);
  }
  FailureOr<Value> r = im.broadcastTo(*x, out);
  return im.setResult(r);
}

LogicalResult importTrilu(Importer &im) {
  if (failed(im.checkArity(1, 2)))
    return failure();
  FailureOr<Value> x = im.input(0, 2);
  FailureOr<int64_t> upper = im.attrInt("upper", 1);
  if (failed(x) || failed(upper))
    return failure();
  int64_t k = 0;
  if (im.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> kv = im.constantInts(1, "k");
    if (failed(kv))
      return failure();
    if (kv->size() != 1)
      return im.error() << "k must be a single value";
    k = (*kv)[0];
  }
  RankedTensorType type = typeOf(*x);
  int64_t rank = type.getRank();
  Type elt = type.getElementType();
  Value zero = isa<FloatType>(elt) || isa<IntegerType>(elt) ? im.scalar(elt, 0)
                                                            : Value();
  AffineMap id = identityMap(im.getContext(), rank);
  bool up = *upper != 0;
  Value r = im.generic(
      *x, im.empty(im.sizes(*x), elt), {id, id}, {},
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value i = linalg::IndexOp::create(b, l, rank - 2);
        Value j = linalg::IndexOp::create(b, l, rank - 1);
        Value diff = arith::SubIOp::create(b, l, j, i);
        Value kc = arith::ConstantIndexOp::create(b, l, k);
        Value keep = arith::CmpIOp::create(
            b, l, up ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            diff, kc);
        return arith::SelectOp::create(b, l, keep, a[0], zero);
      });
  im.setOutput(0, r);
  return success();
}

/// A tensor from an attribute of Constant.
FailureOr<Tensor> constantAttrTensor(Importer &im) {
  const Node &node = im.node();
  if (node.attributes.size() != 1)
    return im.error() << "expects exactly one value attribute, but has "
                      << node.attributes.size();
  const Attr &a = node.attributes[0];
  Tensor t;
  auto put = [&](auto v, unsigned size) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(v));
    for (unsigned i = 0; i < size; ++i)
      t.data.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  };
  if (a.name == "value") {
    if (a.kind != Attr::Kind::Tensor || !a.t)
      return im.attrError("value")
             << "must be TENSOR, but is " << attributeKindName(a.kind);
    return *a.t;
  }
  if (a.name == "value_float" && a.kind == Attr::Kind::Float) {
    t.dtype = static_cast<int32_t>(DType::Float);
    put(a.f, 4);
  } else if (a.name == "value_floats" && a.kind == Attr::Kind::Floats) {
    t.dtype = static_cast<int32_t>(DType::Float);
    t.dims = {static_cast<int64_t>(a.floats.size())};
    for (float f : a.floats)
      put(f, 4);
  } else if (a.name == "value_int" && a.kind == Attr::Kind::Int) {
    t.dtype = static_cast<int32_t>(DType::Int64);
    put(a.i, 8);
  } else if (a.name == "value_ints" && a.kind == Attr::Kind::Ints) {
    t.dtype = static_cast<int32_t>(DType::Int64);
    t.dims = {static_cast<int64_t>(a.ints.size())};
    for (int64_t i : a.ints)
      put(i, 8);
  } else {
    return im.attrError(a.name)
           << "of kind " << attributeKindName(a.kind)
           << " is not supported (sparse and string constants are not)";
  }
  return t;
}

LogicalResult importConstant(Importer &im) {
  if (failed(im.checkArity(0, 0)))
    return failure();
  FailureOr<Tensor> t = constantAttrTensor(im);
  if (failed(t))
    return failure();
  FailureOr<Value> c =
      im.constant(*t, "the value of node '" + im.node().name + "'");
  if (failed(c))
    return failure();
  std::optional<SmallVector<OpFoldResult>> known;
  if (t->dims.size() <= 1 && t->numElements() <= 64)
    if (std::optional<SmallVector<int64_t>> ints = Importer::tensorInts(*t)) {
      known.emplace();
      for (int64_t v : *ints)
        known->push_back(im.builder().getI64IntegerAttr(v));
    }
  im.setOutput(0, *c, known);
  return success();
}

LogicalResult importConstantOfShape(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<SmallVector<OpFoldResult>> shape = im.knownElements(0, "the shape");
  if (failed(shape))
    return failure();
  Type elt = im.builder().getF32Type();
  double value = 0;
  if (const Attr *a = im.node().getAttribute("value")) {
    if (a->kind != Attr::Kind::Tensor || !a->t)
      return im.attrError("value") << "must be TENSOR";
    elt = im.elementType(a->t->dtype);
    if (!elt)
      return im.attrError("value") << "has data type " << dtypeName(a->t->dtype)
                                   << ", which the importer does not support";
    if (a->t->numElements() != 1)
      return im.attrError("value") << "must hold one element";
    FailureOr<Value> c = im.constant(*a->t, "attribute 'value'");
    if (failed(c))
      return failure();
    auto attr = cast<DenseElementsAttr>(
        cast<arith::ConstantOp>(c->getDefiningOp()).getValue());
    c->getDefiningOp()->erase();
    if (isa<FloatType>(elt))
      value = (*attr.getValues<APFloat>().begin()).convertToDouble();
    else if (elt.isInteger(1))
      value = *attr.getValues<bool>().begin();
    else
      value = static_cast<double>(
          (*attr.getValues<APInt>().begin()).getSExtValue());
  }
  SmallVector<OpFoldResult> sizes = asIndex(im, *shape);
  for (OpFoldResult s : sizes)
    if (std::optional<int64_t> c = getConstantIntValue(s); c && *c < 0)
      return im.error() << "the shape has a negative size " << *c;
  Value r;
  if (std::optional<SmallVector<int64_t>> st = getConstantIntValues(sizes)) {
    auto type = RankedTensorType::get(*st, elt);
    Attribute v = isa<FloatType>(elt)
                      ? Attribute(im.builder().getFloatAttr(elt, value))
                      : Attribute(im.builder().getIntegerAttr(
                            elt, static_cast<int64_t>(value)));
    r = arith::ConstantOp::create(im.builder(), im.loc(),
                                  SplatElementsAttr::get(type, v));
  } else {
    r = im.filled(sizes, elt, value);
  }
  std::optional<SmallVector<OpFoldResult>> known;
  if (isa<IntegerType>(elt) && !elt.isInteger(1) && sizes.size() == 1)
    if (std::optional<int64_t> n = getConstantIntValue(sizes[0]); n && *n <= 64)
      known = SmallVector<OpFoldResult>(
          *n, im.builder().getI64IntegerAttr(static_cast<int64_t>(value)));
  im.setOutput(0, r, known);
  return success();
}

LogicalResult importShape(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  FailureOr<int64_t> start = im.attrInt("start", 0);
  FailureOr<int64_t> end = im.attrInt("end", rank);
  if (failed(start) || failed(end))
    return failure();
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::min(std::max<int64_t>(v, 0), rank);
  };
  int64_t s = clamp(*start), e = clamp(*end);
  SmallVector<OpFoldResult> sizes = im.sizes(*x), elems;
  for (int64_t i = s; i < e; ++i) {
    if (std::optional<int64_t> c = getConstantIntValue(sizes[i]))
      elems.push_back(im.builder().getI64IntegerAttr(*c));
    else
      elems.push_back(sizes[i]);
  }
  im.setOutput(0, im.materializeInts(elems, false), elems);
  return success();
}

LogicalResult importSize(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  IndexMath m{im};
  OpFoldResult n = m.product(im.sizes(*x));
  SmallVector<OpFoldResult> elems;
  if (std::optional<int64_t> c = getConstantIntValue(n))
    elems.push_back(im.builder().getI64IntegerAttr(*c));
  else
    elems.push_back(n);
  im.setOutput(0, im.materializeInts(elems, true), elems);
  return success();
}

LogicalResult importRange(Importer &im) {
  if (failed(im.checkArity(3, 3)))
    return failure();
  SmallVector<Value> args;
  for (unsigned i = 0; i < 3; ++i) {
    FailureOr<Value> v = im.input(i, 0, 1);
    if (failed(v))
      return failure();
    if (typeOf(*v).getNumElements() != 1)
      return im.error() << "input " << i << " must be a scalar";
    args.push_back(*v);
  }
  Type elt = typeOf(args[0]).getElementType();
  if (elt.isInteger(1) || elt.isInteger(8) ||
      typeOf(args[1]).getElementType() != elt ||
      typeOf(args[2]).getElementType() != elt)
    return im.error() << "start, limit and delta must have one numeric "
                         "element type";
  bool isFloat = isa<FloatType>(elt);
  std::optional<double> start = im.constantScalar(0),
                        limit = im.constantScalar(1),
                        delta = im.constantScalar(2);
  if (start && limit && delta) {
    if (*delta == 0)
      return im.error() << "delta must not be zero";
    double count = std::ceil((*limit - *start) / *delta);
    if (!(count >= 0))
      count = 0;
    if (count > (1 << 24))
      return im.error() << "the range has " << count
                        << " elements, more than the importer materialises";
    int64_t n = static_cast<int64_t>(count);
    auto type = RankedTensorType::get({n}, elt);
    DenseElementsAttr attr;
    std::optional<SmallVector<OpFoldResult>> known;
    if (isFloat) {
      SmallVector<APFloat> values;
      for (int64_t i = 0; i < n; ++i) {
        APFloat f(*start + i * *delta);
        bool lost;
        f.convert(cast<FloatType>(elt).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &lost);
        values.push_back(f);
      }
      attr = DenseElementsAttr::get(type, values);
    } else {
      SmallVector<APInt> values;
      known.emplace();
      for (int64_t i = 0; i < n; ++i) {
        int64_t v =
            static_cast<int64_t>(*start) + i * static_cast<int64_t>(*delta);
        values.push_back(APInt(elt.getIntOrFloatBitWidth(), v, true));
        known->push_back(im.builder().getI64IntegerAttr(v));
      }
      attr = DenseElementsAttr::get(type, values);
      if (n > 64)
        known.reset();
    }
    im.setOutput(0, arith::ConstantOp::create(im.builder(), im.loc(), attr),
                 known);
    return success();
  }
  // Dynamic: n = max(ceil((limit - start) / delta), 0).
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  SmallVector<Value> s;
  for (Value a : args) {
    SmallVector<Value> zeros(typeOf(a).getRank(),
                             arith::ConstantIndexOp::create(b, loc, 0));
    s.push_back(tensor::ExtractOp::create(b, loc, a, zeros));
  }
  Value n;
  if (isFloat) {
    Value q = arith::DivFOp::create(
        b, loc, arith::SubFOp::create(b, loc, s[1], s[0]), s[2]);
    n = arith::FPToSIOp::create(b, loc, b.getI64Type(),
                                math::CeilOp::create(b, loc, q));
    n = arith::IndexCastOp::create(b, loc, b.getIndexType(), n);
  } else {
    Value diff = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), arith::SubIOp::create(b, loc, s[1], s[0]));
    Value d = arith::IndexCastOp::create(b, loc, b.getIndexType(), s[2]);
    n = arith::CeilDivSIOp::create(b, loc, diff, d);
  }
  n = arith::MaxSIOp::create(b, loc, n,
                             arith::ConstantIndexOp::create(b, loc, 0));
  Value init = im.empty({OpFoldResult(n)}, elt);
  AffineMap id = identityMap(im.getContext(), 1);
  Value r = im.generic(
      {}, init, {id}, {}, [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        Value i = linalg::IndexOp::create(nb, l, 0);
        Value iv = Importer::convertScalar(
            nb, l, arith::IndexCastOp::create(nb, l, nb.getI64Type(), i), elt);
        if (isFloat)
          return arith::AddFOp::create(nb, l, s[0],
                                       arith::MulFOp::create(nb, l, iv, s[2]));
        return arith::AddIOp::create(nb, l, s[0],
                                     arith::MulIOp::create(nb, l, iv, s[2]));
      });
  im.setOutput(0, r);
  return success();
}
} // namespace

void mlir::seqmix::onnx_import::registerShapeOps(OpTable &table) {
  table["Transpose"] = importTranspose;
  table["Reshape"] = importReshape;
  table["Flatten"] = importFlatten;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Concat"] = importConcat;
  table["Split"] = importSplit;
  table["Slice"] = importSlice;
  table["Gather"] = importGather;
  table["Expand"] = importExpand;
  table["Trilu"] = importTrilu;
  table["Constant"] = importConstant;
  table["ConstantOfShape"] = importConstantOfShape;
  table["Shape"] = importShape;
  table["Size"] = importSize;
  table["Range"] = importRange;
}
