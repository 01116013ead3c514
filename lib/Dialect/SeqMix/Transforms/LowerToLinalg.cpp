//===- LowerToLinalg.cpp - seqmix to linalg on tensors --------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace seqmix {
#define GEN_PASS_DEF_SEQMIXLOWERTOLINALG
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace seqmix
} // namespace mlir

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::lowering;

/// A diagonal term: O = d ∘ V, in every form.
static TermResult lowerDiagonal(TensorBuilder &b, const ApplyInfo &info,
                                DiagonalOp op) {
  Value d = b.toF32(op.getD());
  StringRef dMap = cast<ShapedType>(d.getType()).getRank() == 1
                       ? "(b, t, h, v) -> (h)"
                       : "(b, t, h, v) -> (b, t, h)";
  Value out = b.generic(
      {info.value, d}, b.empty(b.sizes(info.value)),
      {"(b, t, h, v) -> (b, t, h, v)", dMap, "(b, t, h, v) -> (b, t, h, v)"},
      {}, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(nb, l, a[0], a[1]);
      });
  return {out, Value()};
}

/// Lowers every term of a mixer in `form` and sums their outputs.
static LogicalResult lowerTerms(TensorBuilder &b, const ApplyInfo &info,
                                ArrayRef<Term> terms, FormAttr form,
                                Value &total, Value &finalState) {
  for (const Term &term : terms) {
    FailureOr<TermResult> result;
    if (auto diag = dyn_cast<DiagonalOp>(term.constructor)) {
      result = lowerDiagonal(b, info, diag);
    } else {
      switch (form.getKind()) {
      case FormKind::Recurrent:
        result = lowerRecurrent(b, info, term);
        break;
      case FormKind::Parallel:
        result = lowerParallel(b, info, term);
        break;
      case FormKind::Chunked:
        result = lowerChunked(b, info, term, form.getChunk());
        break;
      }
    }
    if (failed(result))
      return failure();
    total =
        total ? b.generic({total, result->output}, b.empty(b.sizes(total)),
                          {"(b, t, h, v) -> (b, t, h, v)",
                           "(b, t, h, v) -> (b, t, h, v)",
                           "(b, t, h, v) -> (b, t, h, v)"},
                          {},
                          [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                            return arith::AddFOp::create(nb, l, a[0], a[1]);
                          })
              : result->output;
    if (result->finalState)
      finalState = result->finalState;
  }
  return success();
}

/// The value heads a mixer reads: the key/value heads of attention, else H.
static int64_t getValueHeads(MixerType mixer) {
  for (MixerStructureAttrInterface term :
       getStructureTerms(mixer.getStructure()))
    if (auto dense = dyn_cast<DenseAttr>(term))
      return dense.getKvHeads();
  return mixer.getNumHeads();
}

LogicalResult lowering::lowerApply(ApplyOp op) {
  FormAttr form = op.getFormAttr();
  if (!form)
    return op.emitOpError() << "has no #seqmix.form: run seqmix-select-form "
                               "first (or pin one)";
  FailureOr<SmallVector<Term>> terms = collectTerms(op.getMixer(), op);
  if (failed(terms))
    return failure();

  OpBuilder ob(op);
  Location loc = op.getLoc();
  TensorBuilder b(ob, loc);
  auto mixer = cast<MixerType>(op.getMixer().getType());

  ApplyInfo info{op, loc};
  info.value = b.toF32(op.getValue());
  info.batch = tensor::DimOp::create(ob, loc, op.getValue(), 0);
  info.seqLen = tensor::DimOp::create(ob, loc, op.getValue(), 1);
  info.valueDim = tensor::DimOp::create(ob, loc, op.getValue(), 3);
  info.heads = mixer.getNumHeads();
  info.valueHeads = getValueHeads(mixer);
  info.seqlens = op.getSeqlens();
  info.numSeqs =
      info.seqlens
          ? arith::SubIOp::create(
                ob, loc, tensor::DimOp::create(ob, loc, info.seqlens, 0),
                b.index(1))
                .getResult()
          : info.batch;
  info.init = op.getInit() ? b.toF32(op.getInit()) : Value();
  info.wantsFinalState = static_cast<bool>(op.getFinalState());

  Value total, finalState;
  if (failed(lowerTerms(b, info, *terms, form, total, finalState)))
    return failure();
  auto valueType = cast<RankedTensorType>(op.getValue().getType());
  Value output = b.fromF32(total, valueType.getElementType());
  // Restore the static shape of the op's result where the lowering lost it.
  if (output.getType() != op.getOutput().getType())
    output = tensor::CastOp::create(ob, loc, op.getOutput().getType(), output);
  op.getOutput().replaceAllUsesWith(output);
  if (Value fs = op.getFinalState()) {
    if (!finalState)
      return op.emitOpError() << "has no stateful term to give a final state";
    if (finalState.getType() != fs.getType())
      finalState = tensor::CastOp::create(ob, loc, fs.getType(), finalState);
    fs.replaceAllUsesWith(finalState);
  }
  op.erase();
  return success();
}

/// M = M I: the parallel form applied to the identity, [B, T, H, T], then
/// laid out as [B, H, T, T].
static LogicalResult lowerMaterialize(MaterializeOp op) {
  FailureOr<SmallVector<Term>> terms = collectTerms(op.getMixer(), op);
  if (failed(terms))
    return failure();
  OpBuilder ob(op);
  Location loc = op.getLoc();
  TensorBuilder b(ob, loc);
  auto mixer = cast<MixerType>(op.getMixer().getType());
  // B and T come from the constructors' operands where the type has `?`.
  Value batch, seqLen;
  for (const Term &term : *terms) {
    Operation *c = term.constructor;
    if (isa<DiagonalOp>(c) &&
        cast<ShapedType>(c->getOperand(0).getType()).getRank() == 1)
      continue;
    batch = tensor::DimOp::create(ob, loc, c->getOperand(0), 0);
    seqLen = tensor::DimOp::create(ob, loc, c->getOperand(0), 1);
    break;
  }
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  if (!batch) {
    // Only per-head diagonals: the result type must give B and T.
    if (!resultType.hasStaticShape())
      return op.emitOpError() << "cannot tell B and T of a mixer of "
                                 "per-head diagonals: give the result a "
                                 "static shape";
    batch = b.index(resultType.getDimSize(0));
    seqLen = b.index(resultType.getDimSize(2));
  }
  int64_t valueHeads = getValueHeads(mixer);
  Value identity = b.generic(
      ValueRange{},
      b.empty({batch, seqLen, ob.getIndexAttr(valueHeads), seqLen}),
      {"(b, t, h, j) -> (b, t, h, j)"}, {},
      [](OpBuilder &nb, Location l, ValueRange) -> Value {
        Value t = linalg::IndexOp::create(nb, l, 1);
        Value j = linalg::IndexOp::create(nb, l, 3);
        Value same =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, t, j);
        Value one = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(1.0));
        Value zero = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(0.0));
        return arith::SelectOp::create(nb, l, same, one, zero);
      });
  ApplyInfo info{ApplyOp(), loc};
  info.value = identity;
  info.batch = batch;
  info.seqLen = seqLen;
  info.valueDim = seqLen;
  info.heads = mixer.getNumHeads();
  info.valueHeads = valueHeads;
  info.numSeqs = batch;
  info.wantsFinalState = false;
  Value total, finalState;
  // A diagnostic of lowerTerms goes to the materialize op.
  auto parallel =
      FormAttr::get(op.getContext(), FormKind::Parallel, 0, std::nullopt, 0);
  if (failed(lowerTerms(b, info, *terms, parallel, total, finalState)))
    return failure();
  Value out = b.generic(
      total, b.empty({batch, ob.getIndexAttr(info.heads), seqLen, seqLen}),
      {"(b, h, i, j) -> (b, i, h, j)", "(b, h, i, j) -> (b, h, i, j)"}, {},
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  out = b.fromF32(out, resultType.getElementType());
  if (out.getType() != resultType)
    out = tensor::CastOp::create(ob, loc, resultType, out);
  op.getResult().replaceAllUsesWith(out);
  op.erase();
  return success();
}

namespace {
struct LowerToLinalgPass
    : public seqmix::impl::SeqMixLowerToLinalgBase<LowerToLinalgPass> {
  void runOnOperation() override {
    SmallVector<ApplyOp> applies;
    getOperation()->walk([&](ApplyOp op) { applies.push_back(op); });
    for (ApplyOp op : applies)
      if (failed(lowerApply(op)))
        return signalPassFailure();
    SmallVector<MaterializeOp> materializes;
    getOperation()->walk([&](MaterializeOp op) { materializes.push_back(op); });
    for (MaterializeOp op : materializes)
      if (failed(lowerMaterialize(op)))
        return signalPassFailure();
    // The chunk-level ops, from chunked applies or written by hand.
    if (failed(lowerChunkOps(getOperation())))
      return signalPassFailure();

    // Constructors and algebra left without users go; anything else that
    // remains cannot be lowered.
    SmallVector<Operation *> seqmixOps;
    getOperation()->walk([&](Operation *op) {
      if (isa<SeqMixDialect>(op->getDialect()))
        seqmixOps.push_back(op);
    });
    bool erased = true;
    while (erased) {
      erased = false;
      for (Operation *&op : seqmixOps) {
        if (op && op->use_empty()) {
          op->erase();
          op = nullptr;
          erased = true;
        }
      }
    }
    for (Operation *op : seqmixOps) {
      if (!op)
        continue;
      op->emitOpError() << "cannot be lowered by seqmix-lower-to-linalg: its "
                           "result is used by '"
                        << (*op->getUsers().begin())->getName() << "'";
      return signalPassFailure();
    }
  }
};
} // namespace
