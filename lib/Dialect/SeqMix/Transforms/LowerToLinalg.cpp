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
  info.valueHeads = cast<ShapedType>(op.getValue().getType()).getShape()[2];
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
  for (const Term &term : *terms) {
    FailureOr<TermResult> result;
    if (auto diag = dyn_cast<DiagonalOp>(term.constructor)) {
      result = lowerDiagonal(b, info, diag);
    } else {
      switch (form.getKind()) {
      case FormKind::Recurrent:
        result = lowerRecurrent(b, info, term);
        break;
      case FormKind::Chunked:
        result = lowerChunked(b, info, term, form.getChunk());
        break;
      case FormKind::Parallel:
        return op.emitOpError()
               << "the " << stringifyFormKind(form.getKind())
               << " form is not implemented by seqmix-lower-to-linalg yet";
      }
    }
    if (failed(result))
      return failure();
    total = total ? b.generic({total, result->output},
                              b.empty(b.sizes(total)),
                              {"(b, t, h, v) -> (b, t, h, v)",
                               "(b, t, h, v) -> (b, t, h, v)",
                               "(b, t, h, v) -> (b, t, h, v)"},
                              {},
                              [](OpBuilder &nb, Location l,
                                 ValueRange a) -> Value {
                                return arith::AddFOp::create(nb, l, a[0],
                                                             a[1]);
                              })
                  : result->output;
    if (result->finalState)
      finalState = result->finalState;
  }
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

namespace {
struct LowerToLinalgPass
    : public seqmix::impl::SeqMixLowerToLinalgBase<LowerToLinalgPass> {
  void runOnOperation() override {
    SmallVector<ApplyOp> applies;
    getOperation()->walk([&](ApplyOp op) { applies.push_back(op); });
    for (ApplyOp op : applies)
      if (failed(lowerApply(op)))
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
