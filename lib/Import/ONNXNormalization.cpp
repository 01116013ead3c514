//===- ONNXNormalization.cpp - reductions, softmax, norms, CumSum ---------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// ReduceSum/Mean/Max/Min/Prod (axes as an attribute before opset 13 or 18,
// as an input after), Softmax and LogSoftmax (one axis from opset 13, the
// coerced-2-D trailing axes before), LayerNormalization,
// RMSNormalization and CumSum (a scf.for over the axis, linear in its
// length).
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::seqmix::onnx_import;

namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

using ReduceKind = Importer::ReduceKind;

/// The number of elements of `x` over `axes`, as a scalar of `floatType`.
Value countOf(Importer &im, Value x, ArrayRef<int64_t> axes, Type floatType) {
  SmallVector<OpFoldResult> sizes = im.sizes(x);
  int64_t constant = 1;
  Value dynamic;
  OpBuilder &b = im.builder();
  for (int64_t a : axes) {
    if (std::optional<int64_t> c = getConstantIntValue(sizes[a])) {
      constant *= *c;
      continue;
    }
    Value v = im.toIndex(sizes[a]);
    dynamic = dynamic ? arith::MulIOp::create(b, im.loc(), dynamic, v) : v;
  }
  if (!dynamic)
    return im.scalar(floatType, static_cast<double>(constant));
  Value n = arith::MulIOp::create(b, im.loc(), dynamic, im.index(constant));
  n = arith::IndexCastOp::create(b, im.loc(), b.getI64Type(), n);
  return arith::SIToFPOp::create(b, im.loc(), floatType, n);
}

FailureOr<Value> binary(Importer &im, Value x, Value y,
                        Value (*fn)(OpBuilder &, Location, Value, Value)) {
  return im.elementwise({x, y}, typeOf(x).getElementType(),
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return fn(b, l, a[0], a[1]);
                        });
}

Value addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
Value subF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
Value mulF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
Value divF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::DivFOp::create(b, l, x, y);
}

/// Applies `fn` to every element with the captured scalar `s`.
Value withScalar(Importer &im, Value x, Value s,
                 Value (*fn)(OpBuilder &, Location, Value, Value)) {
  return *im.elementwise(x, typeOf(x).getElementType(),
                         [&](OpBuilder &b, Location l, ValueRange a) {
                           return fn(b, l, a[0], s);
                         });
}

/// The axes of a reduction: the `axes` input (from `inputSince`) or
/// attribute; all axes if none are given (unless noop_with_empty_axes).
FailureOr<std::optional<SmallVector<int64_t>>>
reductionAxes(Importer &im, int64_t rank, int64_t inputSince) {
  std::optional<SmallVector<int64_t>> raw;
  if (im.opset() >= inputSince) {
    if (im.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> a = im.constantInts(1, "axes");
      if (failed(a))
        return failure();
      raw = *a;
    }
  } else if (im.hasAttr("axes")) {
    FailureOr<SmallVector<int64_t>> a = im.attrInts("axes");
    if (failed(a))
      return failure();
    raw = *a;
  }
  if (!raw || raw->empty()) {
    FailureOr<int64_t> noop = im.attrInt("noop_with_empty_axes", 0);
    if (failed(noop))
      return failure();
    if (*noop && im.opset() >= inputSince)
      return std::optional<SmallVector<int64_t>>();
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    return std::optional<SmallVector<int64_t>>(all);
  }
  SmallVector<int64_t> axes;
  for (int64_t a : *raw) {
    FailureOr<int64_t> n = im.normalizeAxis(a, rank);
    if (failed(n))
      return failure();
    axes.push_back(*n);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return std::optional<SmallVector<int64_t>>(axes);
}

LogicalResult importReduce(Importer &im, ReduceKind kind, bool mean,
                           int64_t inputSince) {
  if (failed(im.checkArity(1, 2)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<int64_t> keep = im.attrInt("keepdims", 1);
  if (failed(x) || failed(keep))
    return failure();
  Type elt = typeOf(*x).getElementType();
  if (elt.isInteger(1) || (mean && !isa<FloatType>(elt)))
    return im.error() << "does not take inputs of type " << x->getType();
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      reductionAxes(im, typeOf(*x).getRank(), inputSince);
  if (failed(axes))
    return failure();
  if (!*axes) {
    im.setOutput(0, *x);
    return success();
  }
  Value r = im.reduce(*x, **axes, *keep != 0, kind);
  if (mean)
    r = withScalar(im, r, countOf(im, *x, **axes, elt), divF);
  im.setOutput(0, r);
  return success();
}

/// Softmax over `axes` (trailing), or its logarithm.
Value softmax(Importer &im, Value x, ArrayRef<int64_t> axes, bool log) {
  Value m = im.reduce(x, axes, /*keepDims=*/true, ReduceKind::Max);
  Value shifted = *binary(im, x, m, subF);
  Value e =
      *im.elementwise(shifted, typeOf(x).getElementType(),
                      [](OpBuilder &b, Location l, ValueRange a) {
                        return math::ExpOp::create(b, l, a[0]).getResult();
                      });
  Value s = im.reduce(e, axes, true, ReduceKind::Sum);
  if (!log)
    return *binary(im, e, s, divF);
  Value logS =
      *im.elementwise(s, typeOf(s).getElementType(),
                      [](OpBuilder &b, Location l, ValueRange a) {
                        return math::LogOp::create(b, l, a[0]).getResult();
                      });
  return *binary(im, shifted, logS, subF);
}

LogicalResult importSoftmax(Importer &im, bool log) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.floatInput(0, 1);
  if (failed(x))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  // Opset 13 normalises along one axis (default -1); earlier opsets coerce
  // the input to 2-D at `axis` (default 1) and normalise the trailing part.
  bool coerced = im.opset() < 13;
  FailureOr<int64_t> axisAttr = im.attrInt("axis", coerced ? 1 : -1);
  if (failed(axisAttr))
    return failure();
  FailureOr<int64_t> axis = im.normalizeAxis(*axisAttr, rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes = {*axis};
  if (coerced)
    for (int64_t i = *axis + 1; i < rank; ++i)
      axes.push_back(i);
  im.setOutput(0, softmax(im, *x, axes, log));
  return success();
}

LogicalResult importLayerNorm(Importer &im, bool rms) {
  if (failed(im.checkArity(2, rms ? 2 : 3, 1, rms ? 1 : 3)))
    return failure();
  FailureOr<Value> x = im.floatInput(0, 1);
  FailureOr<Value> scale = im.floatInput(1);
  FailureOr<int64_t> axisAttr = im.attrInt("axis", -1);
  FailureOr<double> eps = im.attrFloat("epsilon", 1e-5);
  FailureOr<int64_t> stash = im.attrInt("stash_type", 1);
  if (failed(x) || failed(scale) || failed(axisAttr) || failed(eps) ||
      failed(stash))
    return failure();
  int64_t rank = typeOf(*x).getRank();
  FailureOr<int64_t> axis = im.normalizeAxis(*axisAttr, rank);
  if (failed(axis))
    return failure();
  if (typeOf(*scale).getRank() > rank - *axis)
    return im.error() << "Scale of type " << scale->getType()
                      << " does not broadcast to the normalized dimensions";
  Type xElt = typeOf(*x).getElementType();
  Type stashElt = xElt;
  if (*stash == 1)
    stashElt = im.builder().getF32Type();
  else if (*stash != static_cast<int64_t>(DType::Float16) &&
           *stash != static_cast<int64_t>(DType::BFloat16) &&
           *stash != static_cast<int64_t>(DType::Double))
    return im.attrError("stash_type") << *stash << " is not supported";
  else
    stashElt = im.elementType(*stash);
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < rank; ++i)
    axes.push_back(i);
  Value xs = im.convert(*x, stashElt);
  Value n = countOf(im, xs, axes, stashElt);
  Value centered = xs, meanV;
  if (!rms) {
    meanV = withScalar(im, im.reduce(xs, axes, true, ReduceKind::Sum), n, divF);
    centered = *binary(im, xs, meanV, subF);
  }
  Value sq = *binary(im, centered, centered, mulF);
  Value var =
      withScalar(im, im.reduce(sq, axes, true, ReduceKind::Sum), n, divF);
  Value epsV = im.scalar(stashElt, *eps);
  Value inv = *im.elementwise(
      var, stashElt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return math::RsqrtOp::create(b, l,
                                     arith::AddFOp::create(b, l, a[0], epsV));
      });
  Value normed = *binary(im, centered, inv, mulF);
  // RMSNormalization's output has the scale's type; LayerNormalization's
  // the input's.
  Type outElt = rms ? typeOf(*scale).getElementType() : xElt;
  normed = im.convert(normed, outElt);
  Value sc = im.convert(*scale, outElt);
  FailureOr<Value> y = binary(im, normed, sc, mulF);
  if (failed(y))
    return failure();
  if (!rms && im.hasInput(2)) {
    FailureOr<Value> bias = im.floatInput(2);
    if (failed(bias))
      return failure();
    y = binary(im, *y, im.convert(*bias, outElt), addF);
    if (failed(y))
      return failure();
  }
  im.setOutput(0, *y);
  if (!rms) {
    im.setOutput(1, meanV);
    im.setOutput(2, inv);
  }
  return success();
}

LogicalResult importCumSum(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0, 1);
  FailureOr<SmallVector<int64_t>> axisV = im.constantInts(1, "axis");
  FailureOr<int64_t> exclusive = im.attrInt("exclusive", 0);
  FailureOr<int64_t> reverse = im.attrInt("reverse", 0);
  if (failed(x) || failed(axisV) || failed(exclusive) || failed(reverse))
    return failure();
  if (axisV->size() != 1)
    return im.error() << "axis must be a single value";
  RankedTensorType type = typeOf(*x);
  Type elt = type.getElementType();
  if (elt.isInteger(1))
    return im.error() << "does not take bool inputs";
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis = im.normalizeAxis((*axisV)[0], rank);
  if (failed(axis))
    return failure();
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  SmallVector<OpFoldResult> sizes = im.sizes(*x);
  SmallVector<OpFoldResult> sliceSizes = sizes;
  sliceSizes[*axis] = b.getIndexAttr(1);
  Value n = im.toIndex(sizes[*axis]);
  Value out0 = im.empty(sizes, elt);
  Value acc0 = im.filled(sliceSizes, elt, 0);
  Value zero = im.index(0), one = im.index(1);
  auto loop = scf::ForOp::create(b, loc, zero, n, one, ValueRange{out0, acc0});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value i = loop.getInductionVar();
  Value out = loop.getRegionIterArgs()[0], acc = loop.getRegionIterArgs()[1];
  Value idx = i;
  if (*reverse)
    idx =
        arith::SubIOp::create(b, loc, arith::SubIOp::create(b, loc, n, one), i);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[*axis] = idx;
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  Value xs =
      tensor::ExtractSliceOp::create(b, loc, *x, offsets, sliceSizes, strides);
  bool isFloat = isa<FloatType>(elt);
  // The exclusive sum writes the running sum before adding the slice.
  Value newOut = out;
  if (*exclusive)
    newOut = tensor::InsertSliceOp::create(b, loc, acc, out, offsets,
                                           sliceSizes, strides);
  // acc += slice, in place (the loop carries acc in one buffer).
  AffineMap id = identityMap(im.getContext(), rank);
  Value newAcc = im.generic(
      xs, acc, {id, id}, {}, [&](OpBuilder &nb, Location l, ValueRange a) {
        if (isFloat)
          return arith::AddFOp::create(nb, l, a[1], a[0]).getResult();
        return arith::AddIOp::create(nb, l, a[1], a[0]).getResult();
      });
  if (!*exclusive)
    newOut = tensor::InsertSliceOp::create(b, loc, newAcc, out, offsets,
                                           sliceSizes, strides);
  scf::YieldOp::create(b, loc, ValueRange{newOut, newAcc});
  im.setOutput(0, loop.getResult(0));
  return success();
}
} // namespace

void mlir::seqmix::onnx_import::registerReductionOps(OpTable &table) {
  table["ReduceSum"] = [](Importer &im) {
    return importReduce(im, ReduceKind::Sum, false, 13);
  };
  table["ReduceMean"] = [](Importer &im) {
    return importReduce(im, ReduceKind::Sum, true, 18);
  };
  table["ReduceMax"] = [](Importer &im) {
    return importReduce(im, ReduceKind::Max, false, 18);
  };
  table["ReduceMin"] = [](Importer &im) {
    return importReduce(im, ReduceKind::Min, false, 18);
  };
  table["ReduceProd"] = [](Importer &im) {
    return importReduce(im, ReduceKind::Prod, false, 18);
  };
  table["Softmax"] = [](Importer &im) { return importSoftmax(im, false); };
  table["LogSoftmax"] = [](Importer &im) { return importSoftmax(im, true); };
  table["LayerNormalization"] = [](Importer &im) {
    return importLayerNorm(im, false);
  };
  table["RMSNormalization"] = [](Importer &im) {
    return importLayerNorm(im, true);
  };
  table["CumSum"] = importCumSum;
}
