//===- ONNXContractions.cpp - MatMul, Gemm, Einsum, Conv ------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// linalg.matmul and linalg.batch_matmul where the shapes fit, otherwise one
// linalg.generic whose indexing maps spell the contraction (batch
// broadcasting of MatMul, Einsum equations, grouped N-D convolution with
// strides and dilations over a tensor.pad of the input).
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::seqmix::onnx_import;

namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// acc + a * b for floats or integers.
Value multiplyAdd(OpBuilder &b, Location l, Value x, Value y, Value acc) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, x, y));
  return arith::AddIOp::create(b, l, acc, arith::MulIOp::create(b, l, x, y));
}

/// C[batch, m, n] = sum_k A[batch, m, k] B[batch, k, n] with numpy
/// broadcasting of the batch dims; A and B have rank >= 2.
FailureOr<Value> matmul(Importer &im, Value a, Value bm) {
  RankedTensorType at = typeOf(a), bt = typeOf(bm);
  Type elt = at.getElementType();
  int64_t ka = at.getDimSize(at.getRank() - 1);
  int64_t kb = bt.getDimSize(bt.getRank() - 2);
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return im.error() << "inner dimensions differ: " << a.getType() << " and "
                      << bm.getType();
  SmallVector<OpFoldResult> as = im.sizes(a), bs = im.sizes(bm);
  OpBuilder &b = im.builder();
  MLIRContext *ctx = im.getContext();
  if (at.getRank() == 2 && bt.getRank() == 2) {
    Value init = im.filled({as[0], bs[1]}, elt, 0);
    return linalg::MatmulOp::create(b, im.loc(), ValueRange{a, bm}, init)
        .getResult(0);
  }
  // Batch dims: broadcast.
  int64_t ra = at.getRank() - 2, rb = bt.getRank() - 2;
  int64_t nb = std::max(ra, rb);
  SmallVector<OpFoldResult> batch;
  for (int64_t i = 0; i < nb; ++i) {
    int64_t ia = i - (nb - ra), ib = i - (nb - rb);
    std::optional<int64_t> da, db;
    if (ia >= 0)
      da = getConstantIntValue(as[ia]);
    if (ib >= 0)
      db = getConstantIntValue(bs[ib]);
    if (ia < 0 || da == 1) {
      batch.push_back(ib >= 0 ? bs[ib] : b.getIndexAttr(1));
    } else if (ib < 0 || db == 1) {
      batch.push_back(as[ia]);
    } else {
      if (da && db && *da != *db)
        return im.error() << "batch dimensions cannot be broadcast: "
                          << a.getType() << " and " << bm.getType();
      batch.push_back(da ? as[ia] : (db ? bs[ib] : as[ia]));
    }
  }
  SmallVector<OpFoldResult> outSizes = batch;
  outSizes.push_back(as[ra]);
  outSizes.push_back(bs[rb + 1]);
  Value init = im.filled(outSizes, elt, 0);
  if (ra == 1 && rb == 1 && Importer::sameSize(as[0], bs[0]))
    return linalg::BatchMatmulOp::create(b, im.loc(), ValueRange{a, bm}, init)
        .getResult(0);
  // Loops: batch..., m, n, k.
  unsigned numLoops = nb + 3;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto operandMap = [&](int64_t r, ArrayRef<OpFoldResult> sz, AffineExpr x,
                        AffineExpr y) {
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < r; ++i) {
      int64_t loop = i + (nb - r);
      bool broadcast = getConstantIntValue(sz[i]) == 1 &&
                       getConstantIntValue(batch[loop]) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx) : d(loop));
    }
    exprs.push_back(x);
    exprs.push_back(y);
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  AffineMap mapA = operandMap(ra, as, d(nb), d(nb + 2));
  AffineMap mapB = operandMap(rb, bs, d(nb + 2), d(nb + 1));
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < nb + 2; ++i)
    outExprs.push_back(d(i));
  AffineMap mapC = AffineMap::get(numLoops, 0, outExprs, ctx);
  return im.generic({a, bm}, init, {mapA, mapB, mapC},
                    {static_cast<unsigned>(nb + 2)},
                    [](OpBuilder &nb2, Location l, ValueRange v) {
                      return multiplyAdd(nb2, l, v[0], v[1], v[2]);
                    });
}

LogicalResult importMatMul(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> a = im.input(0, 1), bm = im.input(1, 1);
  if (failed(a) || failed(bm))
    return failure();
  Type elt = typeOf(*a).getElementType();
  if (elt != typeOf(*bm).getElementType() || elt.isInteger(1))
    return im.error() << "inputs must have one numeric element type, but "
                         "have types "
                      << a->getType() << " and " << bm->getType();
  bool vecA = typeOf(*a).getRank() == 1, vecB = typeOf(*bm).getRank() == 1;
  Value x = vecA ? im.expandDims(*a, {0}) : *a;
  Value y = vecB ? im.expandDims(*bm, {1}) : *bm;
  FailureOr<Value> r = matmul(im, x, y);
  if (failed(r))
    return failure();
  int64_t rank = typeOf(*r).getRank();
  SmallVector<int64_t> drop;
  if (vecA)
    drop.push_back(rank - 2);
  if (vecB)
    drop.push_back(rank - 1);
  im.setOutput(0, im.squeezeDims(*r, drop));
  return success();
}

LogicalResult importGemm(Importer &im) {
  if (failed(im.checkArity(2, 3)))
    return failure();
  FailureOr<Value> a = im.floatInput(0, 2, 2), bm = im.floatInput(1, 2, 2);
  FailureOr<double> alpha = im.attrFloat("alpha", 1.0);
  FailureOr<double> beta = im.attrFloat("beta", 1.0);
  FailureOr<int64_t> transA = im.attrInt("transA", 0);
  FailureOr<int64_t> transB = im.attrInt("transB", 0);
  if (failed(a) || failed(bm) || failed(alpha) || failed(beta) ||
      failed(transA) || failed(transB))
    return failure();
  Type elt = typeOf(*a).getElementType();
  if (elt != typeOf(*bm).getElementType())
    return im.error() << "A and B must have one element type";
  Value x = *transA ? im.transpose(*a, {1, 0}) : *a;
  Value y = *transB ? im.transpose(*bm, {1, 0}) : *bm;
  FailureOr<Value> r = matmul(im, x, y);
  if (failed(r))
    return failure();
  Value result = *r;
  double al = *alpha, be = *beta;
  if (al != 1.0) {
    Value s = im.scalar(elt, al);
    result = *im.elementwise(
        result, elt, [&](OpBuilder &b, Location l, ValueRange v) {
          return arith::MulFOp::create(b, l, v[0], s).getResult();
        });
  }
  if (im.hasInput(2) && be != 0.0) {
    FailureOr<Value> c = im.floatInput(2, 0, 2);
    if (failed(c))
      return failure();
    if (typeOf(*c).getElementType() != elt)
      return im.error() << "C must have the element type of A";
    Value s = im.scalar(elt, be);
    FailureOr<Value> sum = im.elementwise(
        {result, *c}, elt, [&](OpBuilder &b, Location l, ValueRange v) {
          Value cv = be == 1.0
                         ? v[1]
                         : arith::MulFOp::create(b, l, v[1], s).getResult();
          return arith::AddFOp::create(b, l, v[0], cv).getResult();
        });
    if (failed(sum))
      return failure();
    if (typeOf(*sum).getShape() != typeOf(result).getShape() &&
        typeOf(*sum).getRank() != 2)
      return im.error() << "C does not broadcast to the result";
    result = *sum;
  }
  im.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// Labels: letters as their character code, ellipsis dims as 256 + i.
struct EinsumTerm {
  SmallVector<int> labels;
  bool hasEllipsis = false;
  int ellipsisPos = -1;
};

FailureOr<EinsumTerm> parseTerm(Importer &im, StringRef text) {
  EinsumTerm term;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (llvm::isAlpha(c)) {
      term.labels.push_back(static_cast<unsigned char>(c));
      continue;
    }
    if (text.substr(i).starts_with("...") && !term.hasEllipsis) {
      term.hasEllipsis = true;
      term.ellipsisPos = term.labels.size();
      i += 2;
      continue;
    }
    return im.attrError("equation") << "has an unexpected character '" << c
                                    << "' in term '" << text << "'";
  }
  return term;
}

LogicalResult importEinsum(Importer &im) {
  if (failed(im.checkArity(1, 16)))
    return failure();
  FailureOr<std::string> eqAttr = im.attrString("equation");
  if (failed(eqAttr))
    return failure();
  std::string eq;
  for (char c : *eqAttr)
    if (c != ' ')
      eq.push_back(c);
  StringRef lhs = eq, rhs;
  bool explicitOut = false;
  size_t arrow = eq.find("->");
  if (arrow != std::string::npos) {
    lhs = StringRef(eq).take_front(arrow);
    rhs = StringRef(eq).drop_front(arrow + 2);
    explicitOut = true;
  }
  SmallVector<StringRef> termTexts;
  lhs.split(termTexts, ',');
  if (termTexts.size() != im.numInputs())
    return im.attrError("equation")
           << "'" << *eqAttr << "' has " << termTexts.size() << " terms for "
           << im.numInputs() << " inputs";
  SmallVector<Value> inputs;
  SmallVector<EinsumTerm> terms;
  int64_t ellipsisRank = 0;
  Type elt;
  for (auto [i, text] : llvm::enumerate(termTexts)) {
    FailureOr<Value> v = im.input(i);
    FailureOr<EinsumTerm> t = parseTerm(im, text);
    if (failed(v) || failed(t))
      return failure();
    if (!elt)
      elt = typeOf(*v).getElementType();
    if (typeOf(*v).getElementType() != elt || elt.isInteger(1))
      return im.error() << "inputs must have one numeric element type";
    int64_t rank = typeOf(*v).getRank();
    int64_t e = rank - static_cast<int64_t>(t->labels.size());
    if (e < 0 || (!t->hasEllipsis && e != 0))
      return im.error() << "term '" << text << "' does not match input " << i
                        << " of rank " << rank;
    SmallVector<int> seen;
    for (int l : t->labels) {
      if (llvm::is_contained(seen, l))
        return im.attrError("equation")
               << "repeats label '" << static_cast<char>(l) << "' in term '"
               << text << "' (diagonals are not supported)";
      seen.push_back(l);
    }
    ellipsisRank = std::max(ellipsisRank, e);
    // Expand the ellipsis into right-aligned ellipsis labels.
    if (t->hasEllipsis) {
      SmallVector<int> expanded(t->labels.begin(),
                                t->labels.begin() + t->ellipsisPos);
      for (int64_t k = 0; k < e; ++k)
        expanded.push_back(256 + k); // re-aligned below
      expanded.append(t->labels.begin() + t->ellipsisPos, t->labels.end());
      t->labels = expanded;
      t->ellipsisPos = t->ellipsisPos; // start of the ellipsis labels
    }
    inputs.push_back(*v);
    terms.push_back(*t);
  }
  // Right-align ellipsis labels to the widest ellipsis.
  for (EinsumTerm &t : terms) {
    for (int &l : t.labels)
      if (l >= 256)
        l += 0;
    if (!t.hasEllipsis)
      continue;
    int64_t e = 0;
    for (int l : t.labels)
      e += l >= 256;
    for (int &l : t.labels)
      if (l >= 256)
        l = 256 + (ellipsisRank - e) + (l - 256);
  }
  // The output labels.
  SmallVector<int> outLabels;
  if (explicitOut) {
    FailureOr<EinsumTerm> out = parseTerm(im, rhs);
    if (failed(out))
      return failure();
    for (auto [k, l] : llvm::enumerate(out->labels)) {
      if (out->hasEllipsis && static_cast<int>(k) == out->ellipsisPos)
        for (int64_t e = 0; e < ellipsisRank; ++e)
          outLabels.push_back(256 + e);
      outLabels.push_back(l);
    }
    if (out->hasEllipsis &&
        out->ellipsisPos == static_cast<int>(out->labels.size()))
      for (int64_t e = 0; e < ellipsisRank; ++e)
        outLabels.push_back(256 + e);
    for (int l : out->labels) {
      bool found = false;
      for (const EinsumTerm &t : terms)
        found |= llvm::is_contained(t.labels, l);
      if (!found || llvm::count(outLabels, l) != 1)
        return im.attrError("equation")
               << "output label '" << static_cast<char>(l)
               << "' is missing from the inputs or repeated";
    }
  } else {
    for (int64_t e = 0; e < ellipsisRank; ++e)
      outLabels.push_back(256 + e);
    SmallVector<int> once;
    for (int c = 'A'; c <= 'z'; ++c) {
      int count = 0;
      for (const EinsumTerm &t : terms)
        count += llvm::count(t.labels, c);
      if (count == 1)
        once.push_back(c);
    }
    outLabels.append(once.begin(), once.end());
  }
  // Loops: the output labels, then the summed ones.
  SmallVector<int> loops = outLabels;
  for (const EinsumTerm &t : terms)
    for (int l : t.labels)
      if (!llvm::is_contained(loops, l))
        loops.push_back(l);
  // Sizes of each loop: the first operand dim that is not a broadcast 1.
  MLIRContext *ctx = im.getContext();
  SmallVector<OpFoldResult> loopSizes(loops.size(),
                                      im.builder().getIndexAttr(1));
  SmallVector<bool> sized(loops.size(), false);
  SmallVector<SmallVector<OpFoldResult>> inSizes;
  for (Value v : inputs)
    inSizes.push_back(im.sizes(v));
  for (auto [t, term] : llvm::enumerate(terms)) {
    for (auto [k, l] : llvm::enumerate(term.labels)) {
      unsigned loop = llvm::find(loops, l) - loops.begin();
      OpFoldResult s = inSizes[t][k];
      std::optional<int64_t> c = getConstantIntValue(s);
      if (c == 1 && l >= 256)
        continue;
      if (!sized[loop]) {
        loopSizes[loop] = s;
        sized[loop] = true;
        continue;
      }
      std::optional<int64_t> prev = getConstantIntValue(loopSizes[loop]);
      if (c && prev && *c != *prev)
        return im.error() << "label sizes differ: " << *prev << " and " << *c;
      if (c && !prev)
        loopSizes[loop] = s;
    }
  }
  SmallVector<AffineMap> maps;
  for (auto [t, term] : llvm::enumerate(terms)) {
    SmallVector<AffineExpr> exprs;
    for (auto [k, l] : llvm::enumerate(term.labels)) {
      unsigned loop = llvm::find(loops, l) - loops.begin();
      bool broadcast = l >= 256 && getConstantIntValue(inSizes[t][k]) == 1 &&
                       getConstantIntValue(loopSizes[loop]) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(loop, ctx));
    }
    maps.push_back(AffineMap::get(loops.size(), 0, exprs, ctx));
  }
  SmallVector<AffineExpr> outExprs;
  SmallVector<OpFoldResult> outSizes;
  for (unsigned k = 0; k < outLabels.size(); ++k) {
    outExprs.push_back(getAffineDimExpr(k, ctx));
    outSizes.push_back(loopSizes[k]);
  }
  maps.push_back(AffineMap::get(loops.size(), 0, outExprs, ctx));
  SmallVector<unsigned> reductions;
  for (unsigned k = outLabels.size(); k < loops.size(); ++k)
    reductions.push_back(k);
  Value init = im.filled(outSizes, elt, 0);
  size_t n = inputs.size();
  bool isFloat = isa<FloatType>(elt);
  Value r = im.generic(
      inputs, init, maps, reductions,
      [&](OpBuilder &b, Location l, ValueRange v) -> Value {
        Value p = v[0];
        for (size_t k = 1; k < n; ++k)
          p = isFloat ? arith::MulFOp::create(b, l, p, v[k]).getResult()
                      : arith::MulIOp::create(b, l, p, v[k]).getResult();
        return isFloat ? arith::AddFOp::create(b, l, v[n], p).getResult()
                       : arith::AddIOp::create(b, l, v[n], p).getResult();
      });
  im.setOutput(0, r);
  return success();
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

LogicalResult importConv(Importer &im) {
  if (failed(im.checkArity(2, 3)))
    return failure();
  FailureOr<Value> x = im.floatInput(0, 3), w = im.floatInput(1, 3);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xt = typeOf(*x), wt = typeOf(*w);
  int64_t rank = xt.getRank(), spatial = rank - 2;
  Type elt = xt.getElementType();
  if (wt.getRank() != rank || wt.getElementType() != elt)
    return im.error() << "W of type " << w->getType()
                      << " does not match X of type " << x->getType();
  if (!wt.hasStaticShape() || xt.isDynamicDim(1))
    return im.error() << "W and the channels of X must have static shapes";
  FailureOr<int64_t> group = im.attrInt("group", 1);
  FailureOr<std::string> autoPad = im.attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  FailureOr<SmallVector<int64_t>> strides = im.attrInts("strides", ones);
  FailureOr<SmallVector<int64_t>> dilations = im.attrInts("dilations", ones);
  FailureOr<SmallVector<int64_t>> pads = im.attrInts("pads", zeros);
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  FailureOr<SmallVector<int64_t>> kernelShape =
      im.attrInts("kernel_shape", kernel);
  if (failed(group) || failed(autoPad) || failed(strides) ||
      failed(dilations) || failed(pads) || failed(kernelShape))
    return failure();
  if (static_cast<int64_t>(strides->size()) != spatial ||
      static_cast<int64_t>(dilations->size()) != spatial ||
      static_cast<int64_t>(pads->size()) != 2 * spatial ||
      *kernelShape != kernel)
    return im.error() << "strides, dilations, pads or kernel_shape do not "
                         "match "
                      << spatial << " spatial dimensions and W";
  for (int64_t v : *strides)
    if (v <= 0)
      return im.attrError("strides") << "must be positive";
  for (int64_t v : *dilations)
    if (v <= 0)
      return im.attrError("dilations") << "must be positive";
  for (int64_t v : *pads)
    if (v < 0)
      return im.attrError("pads") << "must be non-negative";
  int64_t channels = xt.getDimSize(1), outChannels = wt.getDimSize(0);
  int64_t g = *group;
  if (g <= 0 || channels % g != 0 || outChannels % g != 0 ||
      wt.getDimSize(1) != channels / g)
    return im.error() << "group " << g << " does not fit " << channels
                      << " input channels and W of type " << w->getType();
  if (*autoPad != "NOTSET") {
    for (int64_t i = 0; i < spatial; ++i) {
      if (*autoPad == "VALID") {
        (*pads)[i] = (*pads)[i + spatial] = 0;
        continue;
      }
      if (*autoPad != "SAME_UPPER" && *autoPad != "SAME_LOWER")
        return im.attrError("auto_pad")
               << "'" << *autoPad << "' is not supported";
      int64_t len = xt.getDimSize(2 + i);
      if (ShapedType::isDynamic(len))
        return im.error() << "auto_pad SAME needs static spatial sizes";
      int64_t out = (len + (*strides)[i] - 1) / (*strides)[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * (*strides)[i] +
                                   (kernel[i] - 1) * (*dilations)[i] + 1 - len);
      int64_t small = total / 2, large = total - small;
      (*pads)[i] = *autoPad == "SAME_UPPER" ? small : large;
      (*pads)[i + spatial] = *autoPad == "SAME_UPPER" ? large : small;
    }
  }
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  MLIRContext *ctx = im.getContext();
  // Pad the input.
  Value input = *x;
  if (llvm::any_of(*pads, [](int64_t p) { return p != 0; })) {
    SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0)),
        high(rank, b.getIndexAttr(0));
    SmallVector<int64_t> paddedShape(xt.getShape());
    for (int64_t i = 0; i < spatial; ++i) {
      low[2 + i] = b.getIndexAttr((*pads)[i]);
      high[2 + i] = b.getIndexAttr((*pads)[i + spatial]);
      if (!ShapedType::isDynamic(paddedShape[2 + i]))
        paddedShape[2 + i] += (*pads)[i] + (*pads)[i + spatial];
    }
    auto paddedType = RankedTensorType::get(paddedShape, elt);
    input = tensor::PadOp::create(b, loc, paddedType, input, low, high,
                                  im.scalar(elt, 0), /*nofold=*/false);
  }
  // [N, C, L...] -> [N, G, C/G, L...]; W [M, C/G, K...] -> [G, M/G, C/G, K...].
  SmallVector<OpFoldResult> inSizes = im.sizes(input);
  SmallVector<OpFoldResult> xg = {inSizes[0], b.getIndexAttr(g),
                                  b.getIndexAttr(channels / g)};
  xg.append(inSizes.begin() + 2, inSizes.end());
  Value xr = im.reshape(input, xg);
  SmallVector<OpFoldResult> wg = {b.getIndexAttr(g),
                                  b.getIndexAttr(outChannels / g),
                                  b.getIndexAttr(channels / g)};
  for (int64_t k : kernel)
    wg.push_back(b.getIndexAttr(k));
  Value wr = im.reshape(*w, wg);
  // Output sizes.
  SmallVector<OpFoldResult> outSizes = {inSizes[0], b.getIndexAttr(g),
                                        b.getIndexAttr(outChannels / g)};
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t span = (*dilations)[i] * (kernel[i] - 1) + 1;
    int64_t s = (*strides)[i];
    if (std::optional<int64_t> len = getConstantIntValue(inSizes[2 + i])) {
      if (*len < span)
        return im.error() << "the kernel is larger than the padded input";
      outSizes.push_back(b.getIndexAttr((*len - span) / s + 1));
      continue;
    }
    Value len = im.toIndex(inSizes[2 + i]);
    Value o = arith::DivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, len, im.index(span)),
        im.index(s));
    outSizes.push_back(
        arith::AddIOp::create(b, loc, o, im.index(1)).getResult());
  }
  // Loops: n, g, m, o_0.., c, k_0..
  unsigned numLoops = 4 + 2 * spatial;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs = {d(0), d(1), d(3 + spatial)};
  SmallVector<AffineExpr> wExprs = {d(1), d(2), d(3 + spatial)};
  SmallVector<AffineExpr> oExprs = {d(0), d(1), d(2)};
  for (int64_t i = 0; i < spatial; ++i) {
    xExprs.push_back(d(3 + i) * (*strides)[i] +
                     d(4 + spatial + i) * (*dilations)[i]);
    wExprs.push_back(d(4 + spatial + i));
    oExprs.push_back(d(3 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xExprs, ctx),
                                 AffineMap::get(numLoops, 0, wExprs, ctx),
                                 AffineMap::get(numLoops, 0, oExprs, ctx)};
  SmallVector<unsigned> reductions;
  for (unsigned k = 3 + spatial; k < numLoops; ++k)
    reductions.push_back(k);
  Value init = im.filled(outSizes, elt, 0);
  Value r = im.generic({xr, wr}, init, maps, reductions,
                       [](OpBuilder &nb, Location l, ValueRange v) {
                         return multiplyAdd(nb, l, v[0], v[1], v[2]);
                       });
  r = im.collapseRange(r, 1, 3);
  if (im.hasInput(2)) {
    FailureOr<Value> bias = im.floatInput(2, 1, 1);
    if (failed(bias))
      return failure();
    if (typeOf(*bias).getElementType() != elt ||
        (!typeOf(*bias).isDynamicDim(0) &&
         typeOf(*bias).getDimSize(0) != outChannels))
      return im.error() << "B of type " << bias->getType() << " does not match "
                        << outChannels << " output channels";
    SmallVector<int64_t> unitDims;
    for (int64_t i = 0; i < spatial; ++i)
      unitDims.push_back(1 + i);
    Value bb = im.expandDims(*bias, unitDims);
    FailureOr<Value> sum = im.elementwise(
        {r, bb}, elt, [](OpBuilder &nb, Location l, ValueRange v) {
          return arith::AddFOp::create(nb, l, v[0], v[1]).getResult();
        });
    if (failed(sum))
      return failure();
    r = *sum;
  }
  im.setOutput(0, r);
  return success();
}
} // namespace

void mlir::seqmix::onnx_import::registerContractionOps(OpTable &table) {
  table["MatMul"] = importMatMul;
  table["Gemm"] = importGemm;
  table["Einsum"] = importEinsum;
  table["Conv"] = importConv;
}
