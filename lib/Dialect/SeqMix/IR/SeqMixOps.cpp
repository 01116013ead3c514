//===- SeqMixOps.cpp - seqmix operations ----------------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "OperandChecker.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

#define GET_OP_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixOps.cpp.inc"

/// Checks `q` and `k` of a constructor: both [B, T, H, K] of one float type
/// with equal B, T and K, a static H and K. `sameHeads` asks for equal H.
static LogicalResult verifyQueryKey(OperandChecker &check, Value q, Value k,
                                    bool sameHeads) {
  MLIRContext *ctx = q.getContext();
  if (failed(check.rank("q", q, {"B", "T", "H", "K"})) ||
      failed(check.rank("k", k, {"B", "T", "H", "K"})) ||
      failed(check.elementType("q", q, floatTypes(ctx), kFloatTypesText)))
    return failure();
  Type qElt = cast<ShapedType>(q.getType()).getElementType();
  Type kElt = cast<ShapedType>(k.getType()).getElementType();
  if (kElt != qElt)
    return check.fail() << "operands 'q' and 'k' must have one element type, "
                           "but 'q' has "
                        << qElt << " and 'k' has " << kElt;
  ArrayRef<int64_t> qs = shapeOf(q), ks = shapeOf(k);
  if (failed(check.dim("batch B", "q", qs[0], "k", ks[0])) ||
      failed(check.dim("sequence length T", "q", qs[1], "k", ks[1])) ||
      failed(check.dim("K", "q", qs[3], "k", ks[3])) ||
      failed(check.isStatic("head count H", "q", qs[2])) ||
      failed(check.isStatic("head count H", "k", ks[2])) ||
      failed(check.isStatic("K", "q", qs[3])) ||
      (sameHeads && failed(check.dim("head count H", "q", qs[2], "k", ks[2]))))
    return failure();
  return success();
}

/// Checks that the result mixer's B and T agree with `q`'s.
static LogicalResult verifyResultBatchAndLength(OperandChecker &check,
                                                MixerType result, Value q) {
  ArrayRef<int64_t> qs = shapeOf(q);
  if (failed(check.dim("batch B", "result", result.getBatch(), "q", qs[0])) ||
      failed(check.dim("sequence length T", "result", result.getSeqLen(), "q",
                       qs[1])))
    return failure();
  return success();
}

static LogicalResult verifyScale(Operation *op, FloatAttr scale) {
  if (!scale)
    return success();
  double value = scale.getValueAsDouble();
  if (std::isfinite(value) && value > 0)
    return success();
  return op->emitOpError() << "scale must be finite and positive, but got "
                           << value;
}

template <typename StructureT>
static FailureOr<StructureT> resultStructure(Operation *op, MixerType type,
                                             StringRef expected) {
  if (auto s = dyn_cast<StructureT>(type.getStructure()))
    return s;
  return op->emitOpError() << "result structure must be " << expected
                           << ", but got " << type.getStructure();
}

//===----------------------------------------------------------------------===//
// Retyping mixer values
//===----------------------------------------------------------------------===//

// Some canonicalizations change the structure, hence the type, of a mixer
// value (a gate of zero removes the decay). That is sound when every
// transitive user is a seqmix op: the consumers accept any mixer type and the
// algebra ops re-infer theirs.

/// Whether every use of `value`, through seqmix algebra ops, ends in a seqmix
/// consumer.
static bool canRetypeUses(Value value) {
  for (Operation *user : value.getUsers()) {
    if (isa<ApplyOp, MaterializeOp>(user))
      continue;
    if (isa<TransposeOp, AddOp>(user) && canRetypeUses(user->getResult(0)))
      continue;
    return false;
  }
  return true;
}

static void retypeUser(PatternRewriter &rewriter, Operation *op) {
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  if (!infer || !isa<TransposeOp, AddOp>(op))
    return;
  SmallVector<Type, 1> types;
  if (failed(infer.inferReturnTypes(op->getContext(), op->getLoc(),
                                    op->getOperands(), op->getAttrDictionary(),
                                    op->getPropertiesStorage(),
                                    op->getRegions(), types)) ||
      types.front() == op->getResult(0).getType())
    return;
  rewriter.modifyOpInPlace(op,
                           [&] { op->getResult(0).setType(types.front()); });
  for (Operation *user : op->getResult(0).getUsers())
    retypeUser(rewriter, user);
}

/// Replaces `from` by `to`, a mixer of possibly another structure, and updates
/// the types of the algebra ops in between. Requires canRetypeUses(from).
static void replaceMixer(PatternRewriter &rewriter, Value from, Value to) {
  SmallVector<Operation *> users(from.getUsers());
  rewriter.replaceAllUsesWith(from, to);
  for (Operation *user : users)
    retypeUser(rewriter, user);
}

//===----------------------------------------------------------------------===//
// LowRankOp
//===----------------------------------------------------------------------===//

double LowRankOp::getScaleOrDefault() {
  if (auto scale = getScale())
    return scale->convertToDouble();
  return getDefaultScale(shapeOf(getQ())[3]);
}

LogicalResult LowRankOp::verify() {
  OperandChecker check(*this);
  if (failed(verifyQueryKey(check, getQ(), getK(), /*sameHeads=*/true)) ||
      failed(verifyScale(*this, getScaleAttr())))
    return failure();
  auto type = cast<MixerType>(getResult().getType());
  FailureOr<LowRankAttr> s =
      resultStructure<LowRankAttr>(*this, type, "#seqmix.lowrank");
  if (failed(s) || failed(verifyResultBatchAndLength(check, type, getQ())))
    return failure();
  int64_t k = shapeOf(getQ())[3], heads = shapeOf(getQ())[2];
  if (s->getRank() != k)
    return emitOpError() << "result rank (" << s->getRank()
                         << ") must equal K of 'q' and 'k' (" << k << ")";
  if (type.getNumHeads() % heads != 0)
    return emitOpError() << "result heads (" << type.getNumHeads()
                         << ") must be a multiple of the q/k heads (" << heads
                         << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// SemiseparableOp
//===----------------------------------------------------------------------===//

SemiseparableAttr SemiseparableOp::getStructure() {
  return cast<SemiseparableAttr>(
      cast<MixerType>(getResult().getType()).getStructure());
}

double SemiseparableOp::getScaleOrDefault() {
  if (auto scale = getScale())
    return scale->convertToDouble();
  return getDefaultScale(shapeOf(getQ())[3]);
}

LogicalResult SemiseparableOp::verify() {
  OperandChecker check(*this);
  if (failed(verifyQueryKey(check, getQ(), getK(), /*sameHeads=*/true)) ||
      failed(verifyScale(*this, getScaleAttr())))
    return failure();
  auto type = cast<MixerType>(getResult().getType());
  FailureOr<SemiseparableAttr> s =
      resultStructure<SemiseparableAttr>(*this, type, "#seqmix.semiseparable");
  if (failed(s) || failed(verifyResultBatchAndLength(check, type, getQ())))
    return failure();

  if (!s->isCausal())
    return emitOpError() << "builds causal mixers only: write an anticausal "
                            "one as the seqmix.transpose of a causal one";
  ArrayRef<int64_t> qs = shapeOf(getQ());
  int64_t batch = qs[0], len = qs[1], heads = qs[2], k = qs[3];
  int64_t valueHeads = type.getNumHeads();
  if (s->getState() != k)
    return emitOpError() << "result state size (" << s->getState()
                         << ") must equal K of 'q' and 'k' (" << k << ")";
  if (valueHeads % heads != 0)
    return emitOpError() << "value heads of the result (" << valueHeads
                         << ") must be a multiple of the q/k heads (" << heads
                         << ")";

  Builder b(getContext());
  // Checks a per-token operand of shape [B, T, Hv].
  auto checkPerToken = [&](StringRef name, Value v) -> LogicalResult {
    ArrayRef<int64_t> shape = shapeOf(v);
    if (failed(check.rank(name, v, {"B", "T", "Hv"})) ||
        failed(check.dim("batch B", name, shape[0], "q", batch)) ||
        failed(check.dim("sequence length T", name, shape[1], "q", len)) ||
        failed(
            check.dim("value heads Hv", name, shape[2], "result", valueHeads)))
      return failure();
    return success();
  };

  // The gate's rank follows from the decay kind.
  DecayKind decay = s->getDecay();
  StringRef decayName = stringifyDecayKind(decay);
  Value gate = getGate();
  if (decay == DecayKind::None) {
    if (gate)
      return emitOpError() << "decay 'none' takes no 'gate' operand";
  } else {
    static constexpr StringLiteral kGateShapes[] = {"", "[Hv]", "[B, T, Hv]",
                                                    "[B, T, Hv, K]"};
    StringRef expectedShape = kGateShapes[static_cast<int>(decay)];
    if (!gate)
      return emitOpError() << "decay '" << decayName
                           << "' requires a 'gate' operand of shape "
                           << expectedShape;
    ArrayRef<int64_t> gs = shapeOf(gate);
    int64_t expectedRank = decay == DecayKind::Static   ? 1
                           : decay == DecayKind::Scalar ? 3
                                                        : 4;
    if (static_cast<int64_t>(gs.size()) != expectedRank)
      return emitOpError() << "operand 'gate' must have rank " << expectedRank
                           << " " << expectedShape << " for decay '"
                           << decayName << "', but got " << gate.getType();
    if (decay == DecayKind::Static) {
      if (failed(
              check.dim("value heads Hv", "gate", gs[0], "result", valueHeads)))
        return failure();
    } else {
      if (failed(check.dim("batch B", "gate", gs[0], "q", batch)) ||
          failed(check.dim("sequence length T", "gate", gs[1], "q", len)) ||
          failed(check.dim("value heads Hv", "gate", gs[2], "result",
                           valueHeads)) ||
          (decay == DecayKind::Diagonal &&
           failed(check.dim("K", "gate", gs[3], "q", k))))
        return failure();
    }
    if (failed(check.elementType("gate", gate, {b.getF32Type()}, "f32")))
      return failure();
  }

  // β belongs to the delta transition, dt to the additive one.
  bool delta = s->getTransition() == Transition::Delta;
  if (Value beta = getBeta()) {
    if (!delta)
      return emitOpError() << "transition 'additive' takes no 'beta' operand";
    Type qElt = cast<ShapedType>(getQ().getType()).getElementType();
    SmallVector<Type> allowed = {b.getF32Type()};
    if (qElt != b.getF32Type())
      allowed.push_back(qElt);
    if (failed(checkPerToken("beta", beta)) ||
        failed(check.elementType("beta", beta, allowed,
                                 "f32 or the element type of 'q'")))
      return failure();
  } else if (delta) {
    return emitOpError()
           << "transition 'delta' requires a 'beta' operand of shape "
              "[B, T, Hv]";
  }
  if (Value dt = getDt()) {
    if (delta)
      return emitOpError() << "transition 'delta' takes no 'dt' operand (its "
                              "input scale is 'beta')";
    if (failed(checkPerToken("dt", dt)) ||
        failed(check.elementType("dt", dt, {b.getF32Type()}, "f32")))
      return failure();
  }
  return success();
}

namespace {
/// A gate that is constant zero (γ = 1, exp(0) = 1) is no decay.
struct DropZeroGate : OpRewritePattern<SemiseparableOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SemiseparableOp op,
                                PatternRewriter &rewriter) const override {
    Value gate = op.getGate();
    if (!gate || !matchPattern(gate, m_AnyZeroFloat()) ||
        !canRetypeUses(op.getResult()))
      return failure();
    auto type = cast<MixerType>(op.getResult().getType());
    SemiseparableAttr s = op.getStructure();
    auto none =
        SemiseparableAttr::get(op.getContext(), s.getState(), DecayKind::None,
                               s.getTransition(), s.getDirection());
    auto replacement = SemiseparableOp::create(
        rewriter, op.getLoc(), type.withStructure(none), op.getQ(), op.getK(),
        /*gate=*/Value(), op.getBeta(), op.getDt(), op.getScaleAttr());
    replaceMixer(rewriter, op.getResult(), replacement.getResult());
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void SemiseparableOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                  MLIRContext *context) {
  results.add<DropZeroGate>(context);
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

DenseAttr AttentionOp::getStructure() {
  return cast<DenseAttr>(cast<MixerType>(getResult().getType()).getStructure());
}

double AttentionOp::getScaleOrDefault() {
  if (auto scale = getScale())
    return scale->convertToDouble();
  return getDefaultScale(shapeOf(getQ())[3]);
}

LogicalResult AttentionOp::verify() {
  OperandChecker check(*this);
  if (failed(verifyQueryKey(check, getQ(), getK(), /*sameHeads=*/false)) ||
      failed(verifyScale(*this, getScaleAttr())))
    return failure();
  auto type = cast<MixerType>(getResult().getType());
  FailureOr<DenseAttr> s =
      resultStructure<DenseAttr>(*this, type, "#seqmix.dense");
  if (failed(s) || failed(verifyResultBatchAndLength(check, type, getQ())))
    return failure();
  int64_t qHeads = shapeOf(getQ())[2], kvHeads = shapeOf(getK())[2];
  if (qHeads % kvHeads != 0)
    return emitOpError() << "query heads of 'q' (" << qHeads
                         << ") must be a multiple of the key/value heads of "
                            "'k' ("
                         << kvHeads << ")";
  if (type.getNumHeads() != qHeads)
    return emitOpError() << "result heads (" << type.getNumHeads()
                         << ") must equal the query heads of 'q' (" << qHeads
                         << ")";
  if (s->getKvHeads() != kvHeads)
    return emitOpError() << "result kv_heads (" << s->getKvHeads()
                         << ") must equal the heads of 'k' (" << kvHeads << ")";
  return success();
}

namespace {
/// A window at least as long as the (static) sequence masks nothing.
struct DropCoveringWindow : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    DenseAttr s = op.getStructure();
    int64_t len = shapeOf(op.getQ())[1];
    if (s.getWindow() == 0 || ShapedType::isDynamic(len) ||
        s.getWindow() < len || !canRetypeUses(op.getResult()))
      return failure();
    auto type = cast<MixerType>(op.getResult().getType());
    auto noWindow = DenseAttr::get(op.getContext(), s.getKvHeads(), s.getMask(),
                                   /*window=*/0);
    auto replacement =
        AttentionOp::create(rewriter, op.getLoc(), type.withStructure(noWindow),
                            op.getQ(), op.getK(), op.getScaleAttr());
    replaceMixer(rewriter, op.getResult(), replacement.getResult());
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<DropCoveringWindow>(context);
}

//===----------------------------------------------------------------------===//
// DiagonalOp
//===----------------------------------------------------------------------===//

LogicalResult DiagonalOp::verify() {
  OperandChecker check(*this);
  auto type = cast<MixerType>(getResult().getType());
  if (failed(resultStructure<DiagonalAttr>(*this, type, "#seqmix.diagonal")) ||
      failed(check.elementType("d", getD(), floatTypes(getContext()),
                               kFloatTypesText)))
    return failure();
  ArrayRef<int64_t> ds = shapeOf(getD());
  if (ds.size() == 1)
    return check.dim("head count H", "d", ds[0], "result", type.getNumHeads());
  if (ds.size() != 3)
    return emitOpError() << "operand 'd' must be a rank-1 tensor [H] or a "
                            "rank-3 tensor [B, T, H], but got "
                         << getD().getType();
  return success(
      succeeded(check.dim("batch B", "d", ds[0], "result", type.getBatch())) &&
      succeeded(check.dim("sequence length T", "d", ds[1], "result",
                          type.getSeqLen())) &&
      succeeded(
          check.dim("head count H", "d", ds[2], "result", type.getNumHeads())));
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult
TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                              ValueRange operands, DictionaryAttr,
                              OpaqueProperties, RegionRange,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  auto type = dyn_cast<MixerType>(operands.front().getType());
  if (!type)
    return emitOptionalError(location,
                             "operand 'input' must be a "
                             "!seqmix.mixer, but got ",
                             operands.front().getType());
  auto transposed = dyn_cast_if_present<MixerStructureAttrInterface>(
      type.getStructure().getTransposed());
  if (!transposed)
    return emitOptionalError(location, "a mixer of structure ",
                             type.getStructure(),
                             " has no transpose (softmax attention's row "
                             "normalisation does not carry over)");
  inferredReturnTypes.push_back(type.withStructure(transposed));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  // (Mᵀ)ᵀ = M.
  if (auto inner = getInput().getDefiningOp<TransposeOp>())
    return inner.getInput();
  // A diagonal is its own transpose.
  if (isa<DiagonalAttr>(cast<MixerType>(getInput().getType()).getStructure()))
    return getInput();
  return {};
}

namespace {
/// (scale · Q Kᵀ)ᵀ = scale · K Qᵀ.
struct TransposeLowRank : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto lowRank = op.getInput().getDefiningOp<LowRankOp>();
    if (!lowRank)
      return failure();
    // Keep the default scale, which depends on K only, the same.
    rewriter.replaceOpWithNewOp<LowRankOp>(op, op.getResult().getType(),
                                           lowRank.getK(), lowRank.getQ(),
                                           lowRank.getScaleAttr());
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<TransposeLowRank>(context);
}

//===----------------------------------------------------------------------===//
// AddOp
//===----------------------------------------------------------------------===//

LogicalResult
AddOp::inferReturnTypes(MLIRContext *context, std::optional<Location> location,
                        ValueRange operands, DictionaryAttr, OpaqueProperties,
                        RegionRange,
                        SmallVectorImpl<Type> &inferredReturnTypes) {
  auto lhs = dyn_cast<MixerType>(operands[0].getType());
  auto rhs = dyn_cast<MixerType>(operands[1].getType());
  if (!lhs || !rhs)
    return emitOptionalError(location, "operand '", lhs ? "rhs" : "lhs",
                             "' must be a !seqmix.mixer, but got ",
                             (lhs ? operands[1] : operands[0]).getType());
  SmallVector<int64_t> shape;
  static constexpr StringLiteral kNames[] = {"batch B", "head count H",
                                             "sequence length T"};
  for (auto [i, dims] :
       llvm::enumerate(llvm::zip_equal(lhs.getShape(), rhs.getShape()))) {
    auto [a, c] = dims;
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(c) && a != c)
      return emitOptionalError(location, kNames[i], " of 'lhs' (", a,
                               ") and of 'rhs' (", c, ") differ");
    shape.push_back(ShapedType::isDynamic(a) ? c : a);
  }
  inferredReturnTypes.push_back(MixerType::get(
      context, shape, buildSum(lhs.getStructure(), rhs.getStructure())));
  return success();
}

namespace {
/// M + Diag(0) = M.
struct DropZeroDiagonal : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    auto isZeroDiagonal = [](Value v) {
      auto diag = v.getDefiningOp<DiagonalOp>();
      return diag && matchPattern(diag.getD(), m_AnyZeroFloat());
    };
    Value keep;
    if (isZeroDiagonal(op.getRhs()))
      keep = op.getLhs();
    else if (isZeroDiagonal(op.getLhs()))
      keep = op.getRhs();
    if (!keep || !canRetypeUses(op.getResult()))
      return failure();
    // The kept operand may be less static than the sum: only replace when
    // its shape is the sum's.
    if (cast<MixerType>(keep.getType()).getShape() !=
        cast<MixerType>(op.getResult().getType()).getShape())
      return failure();
    replaceMixer(rewriter, op.getResult(), keep);
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<DropZeroDiagonal>(context);
}

//===----------------------------------------------------------------------===//
// ApplyOp
//===----------------------------------------------------------------------===//

LogicalResult ApplyOp::verify() {
  OperandChecker check(*this);
  auto mixer = cast<MixerType>(getMixer().getType());
  MixerStructureAttrInterface structure = mixer.getStructure();
  Value value = getValue();
  if (failed(check.rank("value", value, {"B", "T", "H", "V"})) ||
      failed(check.elementType("value", value, floatTypes(getContext()),
                               kFloatTypesText)))
    return failure();
  ArrayRef<int64_t> vs = shapeOf(value);
  int64_t heads = mixer.getNumHeads();

  // Softmax attention reads grouped key/value heads, every other structure
  // one value head per head; the terms of a sum must agree.
  auto valueHeadsOf = [&](MixerStructureAttrInterface term) {
    if (auto dense = dyn_cast<DenseAttr>(term))
      return dense.getKvHeads();
    return heads;
  };
  SmallVector<MixerStructureAttrInterface> terms = getStructureTerms(structure);
  int64_t valueHeads = valueHeadsOf(terms.front());
  for (MixerStructureAttrInterface term : terms)
    if (valueHeadsOf(term) != valueHeads)
      return emitOpError() << "the terms of the mixer read different numbers "
                              "of value heads ("
                           << valueHeads << " and " << valueHeadsOf(term)
                           << ")";
  StringRef valueHeadsName =
      valueHeads == heads ? "mixer heads" : "mixer key/value heads";
  if (failed(check.isStatic("head count H", "value", vs[2])))
    return failure();
  if (failed(check.dim("batch B", "value", vs[0], "mixer", mixer.getBatch())) ||
      failed(check.dim("sequence length T", "value", vs[1], "mixer",
                       mixer.getSeqLen())))
    return failure();
  if (vs[2] != valueHeads)
    return emitOpError() << "heads of 'value' (" << vs[2] << ") must equal the "
                         << valueHeadsName << " (" << valueHeads << ")";

  // The output: [B, T, H, V] of the value's element type.
  auto outType = cast<RankedTensorType>(getOutput().getType());
  if (outType.getRank() != 4)
    return emitOpError() << "result 'output' must be a rank-4 tensor "
                            "[B, T, H, V], but got "
                         << outType;
  if (outType.getElementType() !=
      cast<ShapedType>(value.getType()).getElementType())
    return emitOpError() << "result 'output' must have the element type of "
                            "'value', but got "
                         << outType.getElementType();
  ArrayRef<int64_t> os = outType.getShape();
  if (failed(check.dim("batch B", "output", os[0], "value", vs[0])) ||
      failed(check.dim("sequence length T", "output", os[1], "value", vs[1])) ||
      failed(check.dim("head count H", "output", os[2], "mixer", heads)) ||
      failed(check.dim("value dimension V", "output", os[3], "value", vs[3])))
    return failure();

  // Packed variable-length sequences.
  int64_t numSeqs = mixer.getBatch();
  StringRef numSeqsSource = "the mixer's batch B is ";
  if (Value seqlens = getSeqlens()) {
    Builder b(getContext());
    if (failed(check.rank("seqlens", seqlens, {"N + 1"})) ||
        failed(check.elementType("seqlens", seqlens,
                                 {b.getI32Type(), b.getI64Type()},
                                 "i32 or i64")))
      return failure();
    for (int64_t batch : {mixer.getBatch(), vs[0]})
      if (!ShapedType::isDynamic(batch) && batch != 1)
        return emitOpError() << "'seqlens' requires batch size 1 (sequences "
                                "packed along T), but the batch is "
                             << batch;
    int64_t len = shapeOf(seqlens)[0];
    if (!ShapedType::isDynamic(len) && len < 2)
      return emitOpError() << "operand 'seqlens' must hold at least 2 offsets "
                              "(N + 1 for N >= 1 sequences), but has "
                           << len;
    numSeqs = ShapedType::isDynamic(len) ? len : len - 1;
    numSeqsSource = "'seqlens' holds offsets of N = ";
  }

  // The state: [N, H, K, V] in f32.
  Value init = getInit();
  Value finalState = getFinalState();
  if (!init && !finalState)
    return verifyForm();
  unsigned stateful = structure.getNumStatefulTerms();
  if (stateful != 1)
    return emitOpError() << (init ? "operand 'init'" : "result 'final_state'")
                         << " requires a mixer with exactly one causal "
                            "semiseparable term, but the mixer has "
                         << stateful;
  int64_t stateK = *structure.getStateSize();
  for (auto [name, state] : {std::pair<StringRef, Value>{"init", init},
                             {"final_state", finalState}}) {
    if (!state)
      continue;
    auto type = cast<RankedTensorType>(state.getType());
    if (type.getRank() != 4)
      return emitOpError() << "state '" << name
                           << "' must be a rank-4 tensor [N, H, K, V], but "
                              "got "
                           << type;
    if (!type.getElementType().isF32())
      return emitOpError() << "state '" << name
                           << "' must have element type f32, but got "
                           << type.getElementType();
    ArrayRef<int64_t> ss = type.getShape();
    if (!ShapedType::isDynamic(ss[0]) && !ShapedType::isDynamic(numSeqs) &&
        ss[0] != numSeqs)
      return emitOpError() << "state '" << name << "' has N = " << ss[0]
                           << " (dimension 0), but " << numSeqsSource
                           << numSeqs;
    if (failed(check.dim("head count H", name, ss[1], "mixer", heads)) ||
        failed(check.dim("state size K", name, ss[2], "mixer", stateK)) ||
        failed(check.dim("value dimension V", name, ss[3], "value", vs[3])))
      return failure();
  }
  return verifyForm();
}

LogicalResult ApplyOp::verifyForm() {
  FormAttr form = getFormAttr();
  if (!form)
    return success();
  std::string reason;
  if (!isFormApplicable(cast<MixerType>(getMixer().getType()).getStructure(),
                        form.getKind(), &reason))
    return emitOpError() << "form '" << stringifyFormKind(form.getKind())
                         << "' does not apply: " << reason;
  return success();
}

//===----------------------------------------------------------------------===//
// MaterializeOp
//===----------------------------------------------------------------------===//

LogicalResult MaterializeOp::verify() {
  auto mixer = cast<MixerType>(getMixer().getType());
  auto type = cast<RankedTensorType>(getResult().getType());
  if (type.getRank() != 4)
    return emitOpError() << "result must be a rank-4 tensor [B, H, T, T], "
                            "but got "
                         << type;
  if (!llvm::is_contained(floatTypes(getContext()), type.getElementType()))
    return emitOpError() << "result must have element type " << kFloatTypesText
                         << ", but got " << type.getElementType();
  OperandChecker check(*this);
  ArrayRef<int64_t> s = type.getShape();
  return success(succeeded(check.dim("batch B", "result", s[0], "mixer",
                                     mixer.getBatch())) &&
                 succeeded(check.dim("head count H", "result", s[1], "mixer",
                                     mixer.getNumHeads())) &&
                 succeeded(check.dim("sequence length T", "result", s[2],
                                     "mixer", mixer.getSeqLen())) &&
                 succeeded(check.dim("sequence length T", "result", s[3],
                                     "mixer", mixer.getSeqLen())) &&
                 succeeded(check.dim("sequence length T", "result rows", s[2],
                                     "result columns", s[3])));
}
