//===- ONNXBuilders.cpp - tensor helpers of the ONNX importer -------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::seqmix::onnx_import;

FailureOr<int64_t> Importer::normalizeAxis(int64_t axis, int64_t rank,
                                           StringRef what) {
  if (axis < -rank || axis >= rank || rank == 0)
    return error() << what << " " << axis << " is out of range for rank "
                   << rank;
  return axis < 0 ? axis + rank : axis;
}

SmallVector<OpFoldResult> Importer::sizes(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<OpFoldResult> result;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.isDynamicDim(i))
      result.push_back(dimValue(tensor, i));
    else
      result.push_back(b.getIndexAttr(type.getDimSize(i)));
  }
  return result;
}

Value Importer::dimValue(Value tensor, int64_t dim) {
  // Follow the size back to where it was first known: through the inits of
  // linalg ops, tensor.empty's operands and casts, so that equal sizes are
  // the same value (Reshape and Expand compare them).
  for (int steps = 0; steps < 64; ++steps) {
    Operation *def = tensor.getDefiningOp();
    if (!def)
      break;
    if (auto emptyOp = dyn_cast<tensor::EmptyOp>(def))
      return emptyOp.getDynamicSize(dim);
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(def)) {
      unsigned resultNumber = cast<OpResult>(tensor).getResultNumber();
      tensor = linalgOp.getDpsInitOperand(resultNumber)->get();
      continue;
    }
    if (auto expandOp = dyn_cast<tensor::ExpandShapeOp>(def)) {
      OpFoldResult size = expandOp.getMixedOutputShape()[dim];
      if (auto v = dyn_cast<Value>(size))
        return v;
      break;
    }
    if (auto castOp = dyn_cast<tensor::CastOp>(def)) {
      if (!cast<RankedTensorType>(castOp.getSource().getType())
               .isDynamicDim(dim))
        break;
      tensor = castOp.getSource();
      continue;
    }
    break;
  }
  auto key = std::make_pair(tensor, dim);
  bool cacheable = b.getInsertionBlock() == entryBlock;
  if (cacheable)
    if (Value cached = dimCache.lookup(key))
      return cached;
  Value d = tensor::DimOp::create(b, currentLoc, tensor, dim);
  if (cacheable)
    dimCache[key] = d;
  return d;
}

bool Importer::sameSize(OpFoldResult a, OpFoldResult c) {
  std::optional<int64_t> x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x || y)
    return x && y && *x == *y;
  Value va = cast<Value>(a), vc = cast<Value>(c);
  if (va == vc)
    return true;
  auto da = va.getDefiningOp<tensor::DimOp>();
  auto dc = vc.getDefiningOp<tensor::DimOp>();
  if (!da || !dc || da.getSource() != dc.getSource())
    return false;
  std::optional<int64_t> ia = da.getConstantIndex(), ic = dc.getConstantIndex();
  return ia && ic && *ia == *ic;
}

Value Importer::toIndex(OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, currentLoc, ofr);
}

Value Importer::empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, currentLoc, sizes, elementType);
}

Value Importer::fill(Value init, Value scalarValue) {
  return linalg::FillOp::create(b, currentLoc, scalarValue, init).getResult(0);
}

Value Importer::filled(ArrayRef<OpFoldResult> sizes, Type elementType,
                       double value) {
  return fill(empty(sizes, elementType), scalar(elementType, value));
}

Value Importer::generic(ValueRange inputs, Value init, ArrayRef<AffineMap> maps,
                        ArrayRef<unsigned> reductionDims, BodyBuilder body) {
  unsigned numLoops = maps.front().getNumDims();
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (unsigned d : reductionDims)
    iterators[d] = utils::IteratorType::reduction;
  auto op = linalg::GenericOp::create(
      b, currentLoc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, body(nb, l, args));
      });
  return op.getResult(0);
}

FailureOr<SmallVector<OpFoldResult>>
Importer::broadcastShape(ValueRange operands) {
  int64_t rank = 0;
  for (Value v : operands)
    rank = std::max(rank, cast<RankedTensorType>(v.getType()).getRank());
  SmallVector<OpFoldResult> result;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t staticSize = 1;
    Value dynamicSource;
    int64_t dynamicDim = 0;
    for (Value v : operands) {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t j = i - (rank - type.getRank());
      if (j < 0)
        continue;
      int64_t d = type.getDimSize(j);
      if (ShapedType::isDynamic(d)) {
        if (!dynamicSource) {
          dynamicSource = v;
          dynamicDim = j;
        }
        continue;
      }
      if (d == 1)
        continue;
      if (staticSize != 1 && staticSize != d)
        return error() << "operand shapes cannot be broadcast together: "
                       << "dimension " << i << " is " << staticSize
                       << " in one and " << d << " in another";
      staticSize = d;
    }
    if (staticSize != 1 || !dynamicSource)
      result.push_back(b.getIndexAttr(staticSize));
    else
      result.push_back(dimValue(dynamicSource, dynamicDim));
  }
  return result;
}

/// The map that reads `type` (right-aligned) from the loops of `outSizes`,
/// with 0 for broadcast dimensions.
static AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType type,
                              ArrayRef<OpFoldResult> outSizes) {
  int64_t rank = outSizes.size();
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < type.getRank(); ++j) {
    int64_t i = j + rank - type.getRank();
    std::optional<int64_t> out = getConstantIntValue(outSizes[i]);
    if (type.getDimSize(j) == 1 && (!out || *out != 1))
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

FailureOr<Value> Importer::elementwise(ValueRange operands,
                                       Type resultElementType,
                                       BodyBuilder body) {
  FailureOr<SmallVector<OpFoldResult>> outSizes = broadcastShape(operands);
  if (failed(outSizes))
    return failure();
  SmallVector<AffineMap> maps;
  for (Value v : operands)
    maps.push_back(
        broadcastMap(ctx, cast<RankedTensorType>(v.getType()), *outSizes));
  maps.push_back(identityMap(ctx, outSizes->size()));
  Value init = empty(*outSizes, resultElementType);
  return generic(operands, init, maps, {}, body);
}

FailureOr<Value> Importer::broadcastTo(Value value,
                                       ArrayRef<OpFoldResult> outSizes) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() > static_cast<int64_t>(outSizes.size()))
    return error() << "cannot broadcast " << type << " to rank "
                   << outSizes.size();
  for (int64_t j = 0; j < type.getRank(); ++j) {
    int64_t i = j + outSizes.size() - type.getRank();
    std::optional<int64_t> out = getConstantIntValue(outSizes[i]);
    int64_t d = type.getDimSize(j);
    if (out && !ShapedType::isDynamic(d) && d != 1 && d != *out)
      return error() << "cannot broadcast " << type << " to dimension " << i
                     << " of size " << *out;
  }
  AffineMap in = broadcastMap(ctx, type, outSizes);
  Value init = empty(outSizes, type.getElementType());
  return generic(value, init, {in, identityMap(ctx, outSizes.size())}, {},
                 [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

Value Importer::convertScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (isa<IndexType>(from) || isa<IndexType>(to))
    return arith::IndexCastOp::create(b, loc, to, v);
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (fromF && toF) {
    if (fromF.getWidth() < toF.getWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    if (fromF.getWidth() > toF.getWidth())
      return arith::TruncFOp::create(b, loc, to, v);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (toF) {
    if (from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, v);
    return arith::SIToFPOp::create(b, loc, to, v);
  }
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromF) {
    if (toWidth == 1) {
      Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(from, 0));
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    }
    return arith::FPToSIOp::create(b, loc, to, v);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  if (toWidth == 1) {
    Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (fromWidth == 1)
    return arith::ExtUIOp::create(b, loc, to, v);
  if (fromWidth < toWidth)
    return arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

Value Importer::convert(Value tensor, Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == elementType)
    return tensor;
  Value init = empty(sizes(tensor), elementType);
  AffineMap id = identityMap(ctx, type.getRank());
  return generic(tensor, init, {id, id}, {},
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   return convertScalar(nb, l, a[0], elementType);
                 });
}

Value Importer::transpose(Value tensor, ArrayRef<int64_t> perm) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return tensor;
  SmallVector<OpFoldResult> in = sizes(tensor), out;
  for (int64_t p : perm)
    out.push_back(in[p]);
  Value init =
      empty(out, cast<RankedTensorType>(tensor.getType()).getElementType());
  return linalg::TransposeOp::create(b, currentLoc, tensor, init, perm)
      .getResult()[0];
}

Value Importer::expandDims(Value tensor, ArrayRef<int64_t> dims) {
  if (dims.empty())
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t outRank = type.getRank() + dims.size();
  SmallVector<bool> inserted(outRank, false);
  for (int64_t d : dims)
    inserted[d] = true;
  SmallVector<OpFoldResult> inSizes = sizes(tensor), outSizes;
  SmallVector<int64_t> outShape;
  SmallVector<ReassociationIndices> groups;
  int64_t src = 0;
  ReassociationIndices pending;
  for (int64_t i = 0; i < outRank; ++i) {
    if (inserted[i]) {
      outSizes.push_back(b.getIndexAttr(1));
      outShape.push_back(1);
      if (groups.empty() || src < type.getRank())
        pending.push_back(i);
      else
        groups.back().push_back(i);
      continue;
    }
    outSizes.push_back(inSizes[src]);
    outShape.push_back(type.getDimSize(src));
    pending.push_back(i);
    groups.push_back(pending);
    pending.clear();
    ++src;
  }
  // Trailing unit dims with no source dim after them join the last group.
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  if (type.getRank() == 0)
    groups.clear();
  return tensor::ExpandShapeOp::create(b, currentLoc, outType, tensor, groups,
                                       outSizes);
}

Value Importer::squeezeDims(Value tensor, ArrayRef<int64_t> dims) {
  if (dims.empty())
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape(type.getShape());
  bool needCast = false;
  for (int64_t d : dims)
    if (shape[d] != 1) {
      shape[d] = 1;
      needCast = true;
    }
  if (needCast) {
    type = RankedTensorType::get(shape, type.getElementType());
    tensor = tensor::CastOp::create(b, currentLoc, type, tensor);
  }
  SmallVector<bool> removed(type.getRank(), false);
  for (int64_t d : dims)
    removed[d] = true;
  SmallVector<int64_t> outShape;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    pending.push_back(i);
    if (removed[i])
      continue;
    outShape.push_back(shape[i]);
    groups.push_back(pending);
    pending.clear();
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  if (outShape.empty())
    groups.clear();
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  return tensor::CollapseShapeOp::create(b, currentLoc, outType, tensor,
                                         groups);
}

Value Importer::collapseRange(Value tensor, int64_t begin, int64_t end) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (end - begin <= 1)
    return tensor;
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> outShape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i > begin && i < end) {
      groups.back().push_back(i);
      int64_t &last = outShape.back();
      last = (ShapedType::isDynamic(last) || type.isDynamicDim(i))
                 ? ShapedType::kDynamic
                 : last * type.getDimSize(i);
      continue;
    }
    groups.push_back({i});
    outShape.push_back(type.getDimSize(i));
  }
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  return tensor::CollapseShapeOp::create(b, currentLoc, outType, tensor,
                                         groups);
}

Value Importer::reshape(Value tensor, ArrayRef<OpFoldResult> newSizes) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> outShape;
  for (OpFoldResult s : newSizes) {
    std::optional<int64_t> c = getConstantIntValue(s);
    outShape.push_back(c ? *c : ShapedType::kDynamic);
  }
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  if (outType == type && type.hasStaticShape())
    return tensor;

  // Equal leading and trailing sizes stay; the middle part, if static on
  // both sides, is collapsed into one dimension and expanded again.
  SmallVector<OpFoldResult> inSizes = sizes(tensor);
  size_t n = inSizes.size(), m = newSizes.size();
  size_t prefix = 0, suffix = 0;
  while (prefix < n && prefix < m &&
         sameSize(inSizes[prefix], newSizes[prefix]))
    ++prefix;
  while (suffix < n - prefix && suffix < m - prefix &&
         sameSize(inSizes[n - 1 - suffix], newSizes[m - 1 - suffix]))
    ++suffix;
  ArrayRef<OpFoldResult> midIn =
      ArrayRef<OpFoldResult>(inSizes).slice(prefix, n - prefix - suffix);
  ArrayRef<OpFoldResult> midOut =
      ArrayRef<OpFoldResult>(newSizes).slice(prefix, m - prefix - suffix);
  std::optional<SmallVector<int64_t>> staticIn = getConstantIntValues(midIn);
  std::optional<SmallVector<int64_t>> staticOut = getConstantIntValues(midOut);
  if (staticIn && staticOut) {
    int64_t pin = 1, pout = 1;
    for (int64_t v : *staticIn)
      pin *= v;
    for (int64_t v : *staticOut)
      pout *= v;
    if (pin == pout) {
      // Squeeze the middle to one dimension of size pin (or none if both
      // sides have no middle), then expand it.
      Value cur = tensor;
      SmallVector<OpFoldResult> curSizes(inSizes.begin(),
                                         inSizes.begin() + prefix);
      if (midIn.empty()) {
        cur = expandDims(cur, {static_cast<int64_t>(prefix)});
      } else if (midIn.size() > 1) {
        cur = collapseRange(cur, prefix, prefix + midIn.size());
      }
      // `cur` now has prefix + 1 + suffix dims, the middle one of size pin.
      if (midOut.size() == 1)
        return tensor::CastOp::create(b, currentLoc, outType, cur);
      if (midOut.empty())
        return tensor::CastOp::create(
            b, currentLoc, outType,
            squeezeDims(cur, {static_cast<int64_t>(prefix)}));
      auto curType = cast<RankedTensorType>(cur.getType());
      SmallVector<ReassociationIndices> groups;
      SmallVector<OpFoldResult> outSizes;
      SmallVector<int64_t> expandedShape;
      int64_t next = 0;
      for (int64_t i = 0; i < curType.getRank(); ++i) {
        ReassociationIndices group;
        if (i == static_cast<int64_t>(prefix)) {
          for (size_t k = 0; k < midOut.size(); ++k) {
            group.push_back(next++);
            outSizes.push_back(midOut[k]);
            expandedShape.push_back((*staticOut)[k]);
          }
        } else {
          group.push_back(next++);
          outSizes.push_back(i < static_cast<int64_t>(prefix)
                                 ? inSizes[i]
                                 : inSizes[n - (curType.getRank() - i)]);
          expandedShape.push_back(curType.getDimSize(i));
        }
        groups.push_back(group);
      }
      auto expandedType =
          RankedTensorType::get(expandedShape, type.getElementType());
      Value r = tensor::ExpandShapeOp::create(b, currentLoc, expandedType, cur,
                                              groups, outSizes);
      if (r.getType() != outType)
        r = tensor::CastOp::create(b, currentLoc, outType, r);
      return r;
    }
  }

  // Dynamic middle parts: merging dims into one is a collapse_shape, and
  // splitting one dim with at most one dynamic part an expand_shape.
  if (!midIn.empty() && midOut.size() == 1) {
    Value r = collapseRange(tensor, prefix, prefix + midIn.size());
    if (r.getType() != outType)
      r = tensor::CastOp::create(b, currentLoc, outType, r);
    return r;
  }
  if (midIn.size() == 1 && midOut.size() > 1 &&
      llvm::count_if(midOut, [](OpFoldResult s) {
        return !getConstantIntValue(s);
      }) <= 1) {
    SmallVector<ReassociationIndices> groups;
    SmallVector<OpFoldResult> outSizes;
    int64_t next = 0;
    for (size_t i = 0; i < n; ++i) {
      ReassociationIndices group;
      if (i == prefix) {
        for (OpFoldResult s : midOut) {
          group.push_back(next++);
          outSizes.push_back(s);
        }
      } else {
        group.push_back(next++);
        outSizes.push_back(inSizes[i]);
      }
      groups.push_back(group);
    }
    SmallVector<int64_t> expandedShape;
    for (OpFoldResult s : outSizes) {
      std::optional<int64_t> c = getConstantIntValue(s);
      expandedShape.push_back(c ? *c : ShapedType::kDynamic);
    }
    auto expandedType =
        RankedTensorType::get(expandedShape, type.getElementType());
    Value r = tensor::ExpandShapeOp::create(b, currentLoc, expandedType, tensor,
                                            groups, outSizes);
    if (r.getType() != outType)
      r = tensor::CastOp::create(b, currentLoc, outType, r);
    return r;
  }

  // Static shapes: collapse to one dimension, then expand.
  if (type.hasStaticShape() && outType.hasStaticShape()) {
    Value flat = tensor;
    if (type.getRank() != 1) {
      SmallVector<ReassociationIndices> groups;
      if (type.getRank() > 0) {
        groups.emplace_back();
        for (int64_t i = 0; i < type.getRank(); ++i)
          groups.back().push_back(i);
      }
      flat = tensor::CollapseShapeOp::create(
          b, currentLoc,
          RankedTensorType::get({type.getNumElements()}, type.getElementType()),
          tensor, groups);
    }
    if (outType.getRank() == 1)
      return flat;
    SmallVector<ReassociationIndices> groups;
    if (outType.getRank() > 0) {
      groups.emplace_back();
      for (int64_t i = 0; i < outType.getRank(); ++i)
        groups.back().push_back(i);
      return tensor::ExpandShapeOp::create(b, currentLoc, outType, flat,
                                           groups);
    }
    return tensor::CollapseShapeOp::create(b, currentLoc, outType, flat,
                                           groups);
  }

  // Otherwise a copy: each element reads the source at the same linear
  // index. (tensor.reshape with a dynamic shape does not lower to LLVM
  // upstream, nor do expand_shape groups with several dynamic sizes.)
  SmallVector<Value> srcSizes, dstSizes;
  for (OpFoldResult s : inSizes)
    srcSizes.push_back(toIndex(s));
  for (OpFoldResult s : newSizes)
    dstSizes.push_back(toIndex(s));
  Value init = empty(newSizes, type.getElementType());
  int64_t outRank = newSizes.size();
  return generic(
      {}, init, {identityMap(ctx, outRank)}, {},
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        Value linear = arith::ConstantIndexOp::create(nb, l, 0);
        for (int64_t k = 0; k < outRank; ++k)
          linear = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, linear, dstSizes[k]),
              linalg::IndexOp::create(nb, l, k));
        SmallVector<Value> coords(srcSizes.size());
        for (int64_t k = srcSizes.size() - 1; k >= 0; --k) {
          coords[k] = arith::RemUIOp::create(nb, l, linear, srcSizes[k]);
          linear = arith::DivUIOp::create(nb, l, linear, srcSizes[k]);
        }
        return tensor::ExtractOp::create(nb, l, tensor, coords);
      });
}

Value Importer::materializeInts(ArrayRef<OpFoldResult> elements,
                                bool scalarResult, Type elementType) {
  if (!elementType)
    elementType = b.getI64Type();
  SmallVector<int64_t> shape;
  if (!scalarResult)
    shape.push_back(elements.size());
  auto type = RankedTensorType::get(shape, elementType);
  if (std::optional<SmallVector<int64_t>> consts =
          getConstantIntValues(elements)) {
    SmallVector<APInt> values;
    for (int64_t c : *consts)
      values.push_back(APInt(elementType.getIntOrFloatBitWidth(), c, true));
    return arith::ConstantOp::create(b, currentLoc,
                                     DenseElementsAttr::get(type, values));
  }
  SmallVector<Value> values;
  for (OpFoldResult e : elements)
    values.push_back(
        arith::IndexCastOp::create(b, currentLoc, elementType, toIndex(e)));
  return tensor::FromElementsOp::create(b, currentLoc, type, values);
}

Value Importer::reduce(Value tensor, ArrayRef<int64_t> axes, bool keepDims,
                       ReduceKind kind) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Type elt = type.getElementType();
  SmallVector<OpFoldResult> in = sizes(tensor), out;
  SmallVector<AffineExpr> outExprs;
  SmallVector<bool> reduced(type.getRank(), false);
  for (int64_t a : axes)
    reduced[a] = true;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!reduced[i]) {
      out.push_back(in[i]);
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  Value initValue;
  bool isFloat = isa<FloatType>(elt);
  switch (kind) {
  case ReduceKind::Sum:
    initValue = scalar(elt, 0);
    break;
  case ReduceKind::Prod:
    initValue = scalar(elt, 1);
    break;
  case ReduceKind::Max:
  case ReduceKind::Min: {
    bool max = kind == ReduceKind::Max;
    if (isFloat) {
      initValue = arith::ConstantOp::create(
          b, currentLoc,
          b.getFloatAttr(
              elt, APFloat::getInf(cast<FloatType>(elt).getFloatSemantics(),
                                   /*Negative=*/max)));
    } else {
      unsigned w = elt.getIntOrFloatBitWidth();
      APInt v = max ? APInt::getSignedMinValue(w) : APInt::getSignedMaxValue(w);
      if (w == 1)
        v = APInt(1, max ? 0 : 1);
      initValue =
          arith::ConstantOp::create(b, currentLoc, b.getIntegerAttr(elt, v));
    }
    break;
  }
  }
  Value init = fill(empty(out, elt), initValue);
  SmallVector<unsigned> reductionDims(axes.begin(), axes.end());
  AffineMap outMap = AffineMap::get(type.getRank(), 0, outExprs, ctx);
  Value result = generic(
      tensor, init, {identityMap(ctx, type.getRank()), outMap}, reductionDims,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        switch (kind) {
        case ReduceKind::Sum:
          return isFloat ? arith::AddFOp::create(nb, l, a[0], a[1]).getResult()
                         : arith::AddIOp::create(nb, l, a[0], a[1]).getResult();
        case ReduceKind::Prod:
          return isFloat ? arith::MulFOp::create(nb, l, a[0], a[1]).getResult()
                         : arith::MulIOp::create(nb, l, a[0], a[1]).getResult();
        case ReduceKind::Max:
          return isFloat
                     ? arith::MaximumFOp::create(nb, l, a[0], a[1]).getResult()
                     : arith::MaxSIOp::create(nb, l, a[0], a[1]).getResult();
        case ReduceKind::Min:
          return isFloat
                     ? arith::MinimumFOp::create(nb, l, a[0], a[1]).getResult()
                     : arith::MinSIOp::create(nb, l, a[0], a[1]).getResult();
        }
        return a[0];
      });
  if (keepDims)
    result = expandDims(result, axes);
  return result;
}
