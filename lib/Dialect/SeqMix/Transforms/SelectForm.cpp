//===- SelectForm.cpp - choose the form of each seqmix.apply --------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/CostModel.h"
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/IR/Remarks.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

namespace mlir {
namespace seqmix {
#define GEN_PASS_DEF_SEQMIXSELECTFORM
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace seqmix
} // namespace mlir

using namespace mlir;
using namespace mlir::seqmix;

static constexpr StringLiteral kCategory = "seqmix-select-form";

/// The key dimension of a mixer: its state size or rank, or, for attention,
/// the K of its queries.
static std::optional<int64_t> getKeyDim(Value mixer) {
  auto type = cast<MixerType>(mixer.getType());
  if (auto k = type.getStructure().getStateSize())
    return k;
  for (MixerStructureAttrInterface term :
       getStructureTerms(type.getStructure()))
    if (auto lowRank = dyn_cast<LowRankAttr>(term))
      return lowRank.getRank();
  if (auto attention = mixer.getDefiningOp<AttentionOp>())
    if (int64_t k = cast<ShapedType>(attention.getQ().getType()).getShape()[3];
        !ShapedType::isDynamic(k))
      return k;
  return std::nullopt;
}

static std::string formatTime(double seconds) {
  if (seconds >= 1e-3)
    return llvm::formatv("{0:f2} ms", seconds * 1e3).str();
  return llvm::formatv("{0:f1} us", seconds * 1e6).str();
}

namespace {
struct SelectFormPass
    : public seqmix::impl::SeqMixSelectFormBase<SelectFormPass> {
  using Base::Base;

  void runOnOperation() override {
    if (chunkSize <= 0 || !llvm::isPowerOf2_64(chunkSize)) {
      getOperation()->emitError()
          << "seqmix-select-form: chunk-size must be a positive power of two, "
             "but got "
          << chunkSize;
      return signalPassFailure();
    }
    if (assumedSeqLen <= 0 || assumedBatch <= 0) {
      getOperation()->emitError() << "seqmix-select-form: assume-seq-len and "
                                     "assume-batch must be positive";
      return signalPassFailure();
    }
    getOperation()->walk([&](ApplyOp op) { select(op); });
  }

  void select(ApplyOp op) {
    auto remarkOpts = remark::RemarkOpts::name("form").category(kCategory);
    if (FormAttr pinned = op.getFormAttr()) {
      remark::analysis(op.getLoc(), remarkOpts)
          << ("keeps the form given: " + llvmFormat(pinned));
      return;
    }
    TargetAttr target = getTarget(op);
    if (!target)
      target = TargetAttr::get(op.getContext(), "cpu", 0, 0, 0, 0);

    auto mixer = cast<MixerType>(op.getMixer().getType());
    auto valueType = cast<ShapedType>(op.getValue().getType());
    MixerProblem problem;
    problem.structure = mixer.getStructure();
    problem.heads = mixer.getNumHeads();
    std::string assumed;
    auto known = [&](int64_t dim, int64_t fallback, StringRef name) {
      if (!ShapedType::isDynamic(dim))
        return dim;
      assumed += llvm::formatv(", assuming {0} = {1}", name, fallback).str();
      return fallback;
    };
    int64_t batch = known(mixer.getBatch(), assumedBatch, "B");
    int64_t len = known(mixer.getSeqLen(), assumedSeqLen, "T");
    if (Value seqlens = op.getSeqlens()) {
      // Packed sequences: N sequences of T / N tokens on average.
      int64_t offsets = cast<ShapedType>(seqlens.getType()).getShape()[0];
      batch = known(ShapedType::isDynamic(offsets) ? offsets : offsets - 1,
                    assumedBatch, "N");
      len = std::max<int64_t>(1, len / batch);
      problem.packed = true;
    }
    problem.batch = batch;
    problem.seqLen = len;
    std::optional<int64_t> k = getKeyDim(op.getMixer());
    problem.keyDim = k ? *k : 128;
    if (!k)
      assumed += ", assuming K = 128";
    problem.valueDim = known(valueType.getShape()[3], 128, "V");
    problem.bytesPerElement =
        std::max<int64_t>(1, valueType.getElementTypeBitWidth() / 8);
    problem.hasInitialState = static_cast<bool>(op.getInit());
    problem.hasFinalState = static_cast<bool>(op.getFinalState());

    std::vector<FormEstimate> estimates =
        estimateForms(problem, target, chunkSize);
    const FormEstimate &best = estimates.front();
    op.setFormAttr(best.form);

    std::string others;
    for (const FormEstimate &e : llvm::drop_begin(estimates))
      others += llvm::formatv(", {0} {1}", stringifyFormKind(e.form.getKind()),
                              formatTime(e.seconds))
                    .str();
    std::string text =
        llvm::formatv("chose {0} on {1}: estimated {2}{3}{4}; B = {5}, H = "
                      "{6}, T = {7}, K = {8}, V = {9}{10}",
                      llvmFormat(best.form), target.getChip(),
                      formatTime(best.seconds),
                      others.empty() ? "" : " against",
                      others.empty() ? std::string() : others.substr(1),
                      problem.batch, problem.heads, problem.seqLen,
                      problem.keyDim, problem.valueDim, assumed)
            .str();
    if (!best.carryReason.empty())
      text += ("; carry " + stringifyCarry(*best.form.getCarry()) + ": " +
               best.carryReason)
                  .str();
    remark::analysis(op.getLoc(), remarkOpts) << text;
  }

  static std::string llvmFormat(Attribute attr) {
    std::string s;
    llvm::raw_string_ostream os(s);
    attr.print(os);
    return s;
  }
};
} // namespace
