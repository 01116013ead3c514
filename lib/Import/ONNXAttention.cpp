//===- ONNXAttention.cpp - the ONNX Attention operator (opset 23+) --------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Attention-23/24/25: 3-D or 4-D Q, K, V, grouped heads, scale, soft cap,
// boolean or additive masks, causal masks with the cache offset, sliding
// windows (25), past key/value concatenation, nonpad_kv_seqlen (24), the
// qk_matmul_output modes, and fully masked rows giving zeros. Self
// attention that seqmix.attention can say (no explicit mask, cache, soft
// cap or extra output) becomes seqmix.attention + seqmix.apply; the rest is
// linalg.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::onnx_import;

namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// [B, S, H*D] -> [B, H, S, D].
Value splitHeads(Importer &im, Value x, int64_t heads) {
  SmallVector<OpFoldResult> s = im.sizes(x);
  int64_t hidden = typeOf(x).getDimSize(2);
  OpBuilder &b = im.builder();
  Value r = im.reshape(
      x, {s[0], s[1], b.getIndexAttr(heads), b.getIndexAttr(hidden / heads)});
  return im.transpose(r, {0, 2, 1, 3});
}

LogicalResult importAttention(Importer &im) {
  if (failed(im.checkArity(3, im.opset() >= 24 ? 7 : 6, 1, 4)))
    return failure();
  FailureOr<Value> q = im.floatInput(0, 3, 4), k = im.floatInput(1, 3, 4),
                   v = im.floatInput(2, 3, 4);
  FailureOr<int64_t> isCausal = im.attrInt("is_causal", 0);
  FailureOr<int64_t> qkMode = im.attrInt("qk_matmul_output_mode", 0);
  FailureOr<double> softcap = im.attrFloat("softcap", 0.0);
  FailureOr<int64_t> leftWindow = im.attrInt("left_window_size", -1);
  FailureOr<int64_t> rightWindow = im.attrInt("right_window_size", -1);
  if (failed(q) || failed(k) || failed(v) || failed(isCausal) ||
      failed(qkMode) || failed(softcap) || failed(leftWindow) ||
      failed(rightWindow))
    return failure();
  if (im.opset() < 25 &&
      (im.hasAttr("left_window_size") || im.hasAttr("right_window_size")))
    return im.error() << "window sizes need opset 25";
  int64_t rank = typeOf(*q).getRank();
  if (typeOf(*k).getRank() != rank || typeOf(*v).getRank() != rank)
    return im.error() << "Q, K and V must have one rank";
  Type elt = typeOf(*q).getElementType();
  if (typeOf(*k).getElementType() != elt || typeOf(*v).getElementType() != elt)
    return im.error() << "Q, K and V must have one element type";
  if (*qkMode < 0 || *qkMode > 3)
    return im.attrError("qk_matmul_output_mode") << *qkMode << " is not 0 to 3";
  if (im.hasInput(4) != im.hasInput(5) || im.hasOutput(1) != im.hasOutput(2))
    return im.error() << "past_key and past_value (and present_key and "
                         "present_value) go together";
  if (im.hasInput(6) && im.hasInput(4))
    return im.error() << "nonpad_kv_seqlen and past_key exclude each other";

  bool threeD = rank == 3;
  Value qh = *q, kh = *k, vh = *v;
  int64_t hq, hkv;
  if (threeD) {
    FailureOr<int64_t> qn = im.attrInt("q_num_heads");
    FailureOr<int64_t> kvn = im.attrInt("kv_num_heads");
    if (failed(qn) || failed(kvn))
      return failure();
    hq = *qn;
    hkv = *kvn;
    for (auto [name, val, h] :
         {std::make_tuple("Q", *q, hq), std::make_tuple("K", *k, hkv),
          std::make_tuple("V", *v, hkv)}) {
      int64_t hidden = typeOf(val).getDimSize(2);
      if (h <= 0 || ShapedType::isDynamic(hidden) || hidden % h != 0)
        return im.error() << name << " of type " << val.getType()
                          << " does not split into " << h << " heads";
    }
  } else {
    hq = typeOf(*q).getDimSize(1);
    hkv = typeOf(*k).getDimSize(1);
    if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv) ||
        typeOf(*v).getDimSize(1) != hkv)
      return im.error() << "head counts of Q, K and V must be static and K, V "
                           "must agree";
  }
  if (hkv <= 0 || hq <= 0 || hq % hkv != 0)
    return im.error() << "query heads (" << hq
                      << ") must be a multiple of the key/value heads (" << hkv
                      << ")";
  int64_t group = hq / hkv;
  int64_t headDim =
      threeD ? typeOf(*q).getDimSize(2) / hq : typeOf(*q).getDimSize(3);
  int64_t kDim =
      threeD ? typeOf(*k).getDimSize(2) / hkv : typeOf(*k).getDimSize(3);
  if (ShapedType::isDynamic(headDim) ||
      (!ShapedType::isDynamic(kDim) && kDim != headDim))
    return im.error() << "the head size of Q must be static and equal K's";
  double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
  if (im.hasAttr("scale")) {
    FailureOr<double> s = im.attrFloat("scale");
    if (failed(s))
      return failure();
    scale = *s;
  }
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  MLIRContext *ctx = im.getContext();

  // seqmix.attention: self attention with at most a causal/window mask.
  bool simpleWindow =
      (*leftWindow < 0 && *rightWindow < 0) ||
      (*isCausal && *leftWindow >= 0) ||
      (!*isCausal && *leftWindow >= 0 && *leftWindow == *rightWindow);
  int64_t seqAxis = threeD ? 1 : 2;
  bool sameLength =
      Importer::sameSize(im.sizes(*q)[seqAxis], im.sizes(*k)[seqAxis]);
  if (im.getOptions().attentionAsSeqMix && !im.hasInput(3) && !im.hasInput(4) &&
      !(im.opset() >= 24 && im.hasInput(6)) && !im.hasOutput(1) &&
      !im.hasOutput(3) && *softcap == 0.0 && simpleWindow && sameLength &&
      !elt.isF64() && scale > 0 && std::isfinite(scale)) {
    // To [B, T, H, D].
    auto toBTHD = [&](Value x, int64_t heads) {
      if (!threeD)
        return im.transpose(x, {0, 2, 1, 3});
      SmallVector<OpFoldResult> s = im.sizes(x);
      int64_t hidden = typeOf(x).getDimSize(2);
      return im.reshape(x, {s[0], s[1], b.getIndexAttr(heads),
                            b.getIndexAttr(hidden / heads)});
    };
    Value q4 = toBTHD(*q, hq), k4 = toBTHD(*k, hkv), v4 = toBTHD(*v, hkv);
    int64_t window = *leftWindow >= 0 ? *leftWindow + 1 : 0;
    auto structure = DenseAttr::get(
        ctx, hkv, *isCausal ? DenseMask::Causal : DenseMask::Full, window);
    RankedTensorType qt = typeOf(q4), vt = typeOf(v4);
    auto mixerType = MixerType::get(
        ctx, {qt.getDimSize(0), hq, qt.getDimSize(1)}, structure);
    Value m = AttentionOp::create(b, loc, mixerType, q4, k4,
                                  b.getF64FloatAttr(scale));
    auto outType = RankedTensorType::get(
        {vt.getDimSize(0), vt.getDimSize(1), hq, vt.getDimSize(3)}, elt);
    Value o = ApplyOp::create(b, loc, outType, Type(), m, v4, Value(), Value(),
                              FormAttr())
                  .getOutput();
    if (threeD) {
      SmallVector<OpFoldResult> s = im.sizes(o);
      int64_t vd = vt.getDimSize(3);
      o = im.reshape(
          o, {s[0], s[1],
              ShapedType::isDynamic(vd)
                  ? OpFoldResult(arith::MulIOp::create(b, loc, im.toIndex(s[3]),
                                                       im.index(hq))
                                     .getResult())
                  : OpFoldResult(b.getIndexAttr(vd * hq))});
    } else {
      o = im.transpose(o, {0, 2, 1, 3});
    }
    im.setOutput(0, o);
    return success();
  }

  if (threeD) {
    qh = splitHeads(im, *q, hq);
    kh = splitHeads(im, *k, hkv);
    vh = splitHeads(im, *v, hkv);
  }
  // The cache: present = concat(past, new) along the sequence.
  Value pastLen;
  if (im.hasInput(4)) {
    FailureOr<Value> pk = im.floatInput(4, 4, 4), pv = im.floatInput(5, 4, 4);
    if (failed(pk) || failed(pv))
      return failure();
    if (typeOf(*pk).getElementType() != elt ||
        typeOf(*pv).getElementType() != elt)
      return im.error() << "past_key and past_value must have Q's element "
                           "type";
    pastLen = im.dimValue(*pk, 2);
    kh = tensor::ConcatOp::create(b, loc, 2, ValueRange{*pk, kh});
    vh = tensor::ConcatOp::create(b, loc, 2, ValueRange{*pv, vh});
    im.setOutput(1, kh);
    im.setOutput(2, vh);
  } else if (im.hasOutput(1)) {
    im.setOutput(1, kh);
    im.setOutput(2, vh);
  }
  SmallVector<OpFoldResult> qs = im.sizes(qh), ks = im.sizes(kh),
                            vs = im.sizes(vh);
  // Softmax in f32 for half inputs (softmax_precision asks at most that).
  Type accElt = elt.isF64() ? elt : b.getF32Type();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // scores[b, h, i, j] = sum_d q[b, h, i, d] k[b, h / group, j, d] * scale.
  SmallVector<OpFoldResult> scoreSizes = {qs[0], b.getIndexAttr(hq), qs[2],
                                          ks[2]};
  Value scores = im.generic(
      {qh, kh}, im.filled(scoreSizes, accElt, 0),
      {AffineMap::get(5, 0, {d(0), d(1), d(2), d(4)}, ctx),
       AffineMap::get(5, 0, {d(0), d(1).floorDiv(group), d(3), d(4)}, ctx),
       AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)},
      {4}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value x = Importer::convertScalar(nb, l, a[0], accElt);
        Value y = Importer::convertScalar(nb, l, a[1], accElt);
        return arith::AddFOp::create(nb, l, a[2],
                                     arith::MulFOp::create(nb, l, x, y));
      });
  Value scaleV = im.scalar(accElt, scale);
  scores = *im.elementwise(
      scores, accElt, [&](OpBuilder &nb, Location l, ValueRange a) {
        return arith::MulFOp::create(nb, l, a[0], scaleV).getResult();
      });
  Value qkOut = *qkMode == 0 ? scores : Value();
  if (*softcap > 0) {
    Value cap = im.scalar(accElt, *softcap);
    scores = *im.elementwise(
        scores, accElt, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value t = math::TanhOp::create(
              nb, l, arith::DivFOp::create(nb, l, a[0], cap));
          return arith::MulFOp::create(nb, l, cap, t).getResult();
        });
  }
  if (*qkMode == 1)
    qkOut = scores;

  // The mask: causal (with the cache offset), windows, nonpad lengths and
  // attn_mask, all folded into one generic giving -inf where not allowed.
  SmallVector<Value> maskInputs = {scores};
  SmallVector<AffineMap> maskMaps = {AffineMap::getMultiDimIdentityMap(4, ctx)};
  int maskArg = -1, nonpadArg = -1;
  bool boolMask = false;
  if (im.hasInput(3)) {
    FailureOr<Value> mask = im.input(3, 1, 4);
    if (failed(mask))
      return failure();
    Type mt = typeOf(*mask).getElementType();
    boolMask = mt.isInteger(1);
    if (!boolMask && mt != elt)
      return im.error() << "attn_mask must be bool or Q's element type, but "
                           "has type "
                        << mask->getType();
    RankedTensorType maskType = typeOf(*mask);
    // "The last dimension can also be shorter than total_sequence_length and
    // will be padded to total_sequence_length with negative infinity" (or
    // false): static sizes only.
    int64_t maskLen = maskType.getShape().back();
    std::optional<int64_t> total = getConstantIntValue(scoreSizes[3]);
    if (!ShapedType::isDynamic(maskLen) && maskLen != 1 && total &&
        maskLen < *total) {
      int64_t rank = maskType.getRank();
      SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0));
      SmallVector<OpFoldResult> high(rank, b.getIndexAttr(0));
      high.back() = b.getIndexAttr(*total - maskLen);
      TypedAttr padAttr =
          boolMask ? TypedAttr(b.getBoolAttr(false))
                   : TypedAttr(b.getFloatAttr(
                         mt, APFloat::getInf(
                                 cast<FloatType>(mt).getFloatSemantics(),
                                 /*Negative=*/true)));
      Value padValue = arith::ConstantOp::create(b, loc, padAttr);
      SmallVector<int64_t> shape(maskType.getShape());
      shape.back() = *total;
      maskType = RankedTensorType::get(shape, mt);
      *mask = tensor::PadOp::create(b, loc, maskType, *mask, low, high,
                                    padValue)
                  .getResult();
    }
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0; j < maskType.getRank(); ++j) {
      int64_t i = j + 4 - maskType.getRank();
      std::optional<int64_t> out = getConstantIntValue(scoreSizes[i]);
      int64_t md = maskType.getDimSize(j);
      if (md == 1 && out != 1) {
        exprs.push_back(getAffineConstantExpr(0, ctx));
        continue;
      }
      if (!ShapedType::isDynamic(md) && out && *out != md)
        return im.error() << "attn_mask of type " << mask->getType()
                          << " does not broadcast to the scores";
      exprs.push_back(d(i));
    }
    maskArg = maskInputs.size();
    maskInputs.push_back(*mask);
    maskMaps.push_back(AffineMap::get(4, 0, exprs, ctx));
  }
  if (im.opset() >= 24 && im.hasInput(6)) {
    FailureOr<Value> nonpad = im.input(6, 1, 1);
    if (failed(nonpad))
      return failure();
    if (!typeOf(*nonpad).getElementType().isInteger(64))
      return im.error() << "nonpad_kv_seqlen must be int64";
    nonpadArg = maskInputs.size();
    maskInputs.push_back(*nonpad);
    maskMaps.push_back(AffineMap::get(4, 0, {d(0)}, ctx));
  }
  maskMaps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
  Value qLen = im.toIndex(qs[2]);
  bool causal = *isCausal != 0;
  int64_t left = *leftWindow, right = *rightWindow;
  bool needMask =
      causal || left >= 0 || right >= 0 || maskArg >= 0 || nonpadArg >= 0;
  if (needMask) {
    Value negInf = arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(
            accElt, APFloat::getInf(cast<FloatType>(accElt).getFloatSemantics(),
                                    /*Negative=*/true)));
    scores = im.generic(
        maskInputs, im.empty(scoreSizes, accElt), maskMaps, {},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value i = linalg::IndexOp::create(nb, l, 2);
          Value j = linalg::IndexOp::create(nb, l, 3);
          Value allowed =
              arith::ConstantOp::create(nb, l, nb.getBoolAttr(true));
          auto both = [&](Value c) {
            allowed = arith::AndIOp::create(nb, l, allowed, c);
          };
          // The offset of query row 0 among the keys.
          Value offset = arith::ConstantIndexOp::create(nb, l, 0);
          if (pastLen)
            offset = pastLen;
          Value nonpadLen;
          if (nonpadArg >= 0) {
            nonpadLen = arith::IndexCastOp::create(nb, l, nb.getIndexType(),
                                                   a[nonpadArg]);
            offset = arith::SubIOp::create(nb, l, nonpadLen, qLen);
            both(arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, j,
                                       nonpadLen));
          }
          Value p = arith::AddIOp::create(nb, l, i, offset);
          if (causal)
            both(arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle, j, p));
          if (left >= 0)
            both(arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::sge, j,
                arith::SubIOp::create(
                    nb, l, p, arith::ConstantIndexOp::create(nb, l, left))));
          if (right >= 0)
            both(arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::sle, j,
                arith::AddIOp::create(
                    nb, l, p, arith::ConstantIndexOp::create(nb, l, right))));
          Value s = a[0];
          if (maskArg >= 0) {
            if (boolMask)
              both(a[maskArg]);
            else
              s = arith::AddFOp::create(
                  nb, l, s, Importer::convertScalar(nb, l, a[maskArg], accElt));
          }
          return arith::SelectOp::create(nb, l, allowed, s, negInf);
        });
  }
  if (*qkMode == 2)
    qkOut = scores;

  // Softmax over j, with zeros for fully masked rows.
  Value m = im.reduce(scores, {3}, true, Importer::ReduceKind::Max);
  Value negInf = arith::ConstantOp::create(
      b, loc,
      b.getFloatAttr(
          accElt,
          APFloat::getInf(cast<FloatType>(accElt).getFloatSemantics(), true)));
  Value zero = im.scalar(accElt, 0);
  Value e = *im.elementwise(
      {scores, m}, accElt, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value masked = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                             a[0], negInf);
        Value ex = math::ExpOp::create(
            nb, l, arith::SubFOp::create(nb, l, a[0], a[1]));
        return arith::SelectOp::create(nb, l, masked, zero, ex).getResult();
      });
  Value sum = im.reduce(e, {3}, true, Importer::ReduceKind::Sum);
  Value probs = *im.elementwise(
      {e, sum}, accElt, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value empty =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, a[1], zero);
        Value pr = arith::DivFOp::create(nb, l, a[0], a[1]);
        return arith::SelectOp::create(nb, l, empty, zero, pr).getResult();
      });
  if (*qkMode == 3)
    qkOut = probs;

  // y[b, h, i, v] = sum_j probs[b, h, i, j] v[b, h / group, j, v].
  SmallVector<OpFoldResult> ySizes = {qs[0], b.getIndexAttr(hq), qs[2], vs[3]};
  Value y = im.generic(
      {probs, vh}, im.filled(ySizes, accElt, 0),
      {AffineMap::get(5, 0, {d(0), d(1), d(2), d(4)}, ctx),
       AffineMap::get(5, 0, {d(0), d(1).floorDiv(group), d(4), d(3)}, ctx),
       AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)},
      {4}, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value x = Importer::convertScalar(nb, l, a[1], accElt);
        return arith::AddFOp::create(nb, l, a[2],
                                     arith::MulFOp::create(nb, l, a[0], x));
      });
  y = im.convert(y, elt);
  if (threeD) {
    y = im.transpose(y, {0, 2, 1, 3});
    y = im.collapseRange(y, 2, 4);
  }
  im.setOutput(0, y);
  if (qkOut)
    im.setOutput(3, im.convert(qkOut, elt));
  return success();
}
} // namespace

void mlir::seqmix::onnx_import::registerAttentionOps(OpTable &table) {
  table["Attention"] = importAttention;
}
