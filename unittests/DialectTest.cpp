//===- DialectTest.cpp - builders and attribute helpers -------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;

namespace {

class SeqMixTest : public ::testing::Test {
protected:
  SeqMixTest() { context.loadDialect<SeqMixDialect, func::FuncDialect>(); }

  /// A function `@f(q, k, [g], [beta], v)` whose body the test fills in,
  /// with q, k of [B, T, H, K] and v of [B, T, Hv, V], all f32.
  func::FuncOp makeFunc(ArrayRef<Type> args) {
    OpBuilder b(&context);
    auto fn = func::FuncOp::create(b, UnknownLoc::get(&context), "f",
                                   b.getFunctionType(args, {}));
    fn.addEntryBlock();
    module->push_back(fn);
    return fn;
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, Float32Type::get(&context));
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
};

TEST_F(SeqMixTest, BuildGatedDeltaNetAndApply) {
  // H = 2 q/k heads, Hv = 4 value heads, K = 8, V = 3, T = 5, B = 1.
  func::FuncOp fn =
      makeFunc({tensor({1, 5, 2, 8}), tensor({1, 5, 2, 8}), tensor({1, 5, 4}),
                tensor({1, 5, 4}), tensor({1, 5, 4, 3}), tensor({1, 4, 8, 3})});
  OpBuilder b = OpBuilder::atBlockEnd(&fn.getBody().front());
  Location loc = b.getUnknownLoc();
  auto args = fn.getArguments();
  auto structure = SemiseparableAttr::get(&context, 8, DecayKind::Scalar,
                                          Transition::Delta, Direction::Causal);
  auto type = MixerType::get(&context, {1, 4, 5}, structure);
  auto mixer = SemiseparableOp::create(b, loc, type, args[0], args[1], args[2],
                                       args[3], /*dt=*/Value(),
                                       /*scale=*/FloatAttr());
  auto apply = ApplyOp::create(
      b, loc, TypeRange{tensor({1, 5, 4, 3}), tensor({1, 4, 8, 3})},
      mixer.getResult(), args[4], args[5],
      /*seqlens=*/Value(), /*form=*/FormAttr());
  func::ReturnOp::create(b, loc);
  EXPECT_TRUE(succeeded(verify(*module)));
  EXPECT_EQ(mixer.getStructure(), structure);
  EXPECT_DOUBLE_EQ(mixer.getScaleOrDefault(), 1.0 / std::sqrt(8.0));
  EXPECT_TRUE(apply.getFinalState() != nullptr);
}

TEST_F(SeqMixTest, VerifierNamesOperand) {
  // K of q (8) and k (6) differ.
  func::FuncOp fn = makeFunc({tensor({1, 5, 2, 8}), tensor({1, 5, 2, 6})});
  OpBuilder b = OpBuilder::atBlockEnd(&fn.getBody().front());
  auto type = MixerType::get(
      &context, {1, 2, 5},
      SemiseparableAttr::get(&context, 8, DecayKind::None, Transition::Additive,
                             Direction::Causal));
  SemiseparableOp::create(b, b.getUnknownLoc(), type, fn.getArgument(0),
                          fn.getArgument(1), Value(), Value(), Value(),
                          FloatAttr());
  func::ReturnOp::create(b, b.getUnknownLoc());
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(*module)));
  EXPECT_EQ(message, "'seqmix.semiseparable' op K of 'q' (8) and of 'k' (6) "
                     "differ");
}

TEST_F(SeqMixTest, StructureTransposeAndSum) {
  auto causal = SemiseparableAttr::get(&context, 16, DecayKind::Scalar,
                                       Transition::Additive, Direction::Causal);
  auto anti = cast<SemiseparableAttr>(causal.getTransposed());
  EXPECT_EQ(anti.getDirection(), Direction::Anticausal);
  EXPECT_EQ(anti.getTransposed(), causal);
  EXPECT_EQ(causal.getNumStatefulTerms(), 1u);
  EXPECT_EQ(anti.getNumStatefulTerms(), 0u);

  auto diag = DiagonalAttr::get(&context);
  SumAttr hydra = buildSum(buildSum(causal, anti), diag);
  ASSERT_EQ(hydra.getTerms().size(), 3u); // flattened
  EXPECT_FALSE(hydra.isCausal());
  EXPECT_FALSE(hydra.isAnticausal());
  EXPECT_EQ(hydra.getNumStatefulTerms(), 1u);
  EXPECT_EQ(hydra.getStateSize(), std::optional<int64_t>(16));
  // The transpose of the sum is the sum of the transposes.
  auto transposed = cast<SumAttr>(hydra.getTransposed());
  EXPECT_EQ(transposed.getTerms()[0], anti);
  EXPECT_EQ(transposed.getTerms()[1], causal);
  EXPECT_EQ(getStructureTerms(hydra).size(), 3u);
  EXPECT_EQ(getStructureTerms(causal).size(), 1u);

  // Softmax attention has no transpose, nor has a sum containing it.
  auto dense = DenseAttr::get(&context, 2, DenseMask::Causal, 0);
  EXPECT_FALSE(dense.getTransposed());
  EXPECT_FALSE(buildSum(dense, diag).getTransposed());
}

TEST_F(SeqMixTest, FormApplicability) {
  auto lowRank = LowRankAttr::get(&context, 8);
  auto dense = DenseAttr::get(&context, 1, DenseMask::Causal, 0);
  auto ss = SemiseparableAttr::get(&context, 8, DecayKind::None,
                                   Transition::Delta, Direction::Causal);
  std::string why;
  EXPECT_TRUE(isFormApplicable(ss, FormKind::Chunked));
  EXPECT_TRUE(isFormApplicable(lowRank, FormKind::Recurrent));
  EXPECT_FALSE(isFormApplicable(lowRank, FormKind::Chunked, &why));
  EXPECT_NE(why.find("low-rank"), std::string::npos);
  EXPECT_FALSE(isFormApplicable(dense, FormKind::Recurrent, &why));
  EXPECT_FALSE(isFormApplicable(buildSum(ss, dense), FormKind::Chunked));
  EXPECT_TRUE(isFormApplicable(buildSum(ss, dense), FormKind::Parallel));
}

TEST_F(SeqMixTest, TargetDefaults) {
  auto h100 = TargetAttr::get(&context, "sm_90a", 0, 0, 0, 0).withDefaults();
  EXPECT_EQ(h100.getSms(), 132);
  EXPECT_EQ(h100.getHbmGbps(), 3000);
  EXPECT_TRUE(h100.isGPU());
  auto custom =
      TargetAttr::get(&context, "sm_90a", 114, 0, 0, 0).withDefaults();
  EXPECT_EQ(custom.getSms(), 114); // given values win
  EXPECT_FALSE(TargetAttr::get(&context, "cpu", 0, 0, 0, 0).isGPU());
  EXPECT_DOUBLE_EQ(getDefaultScale(64), 0.125);
}

TEST_F(SeqMixTest, AttributesRoundTripThroughText) {
  for (StringRef text :
       {"#seqmix.form<chunked, chunk = 64, carry = segments, split_v = 2>",
        "#seqmix.form<recurrent>",
        "#seqmix.semiseparable<state = 64, decay = diagonal, transition = "
        "delta, direction = anticausal>",
        "#seqmix.dense<kv_heads = 4, mask = full, window = 16>",
        "#seqmix.target<chip = \"sm_90a\", sms = 132>"}) {
    Attribute attr = parseAttribute(text, &context);
    ASSERT_TRUE(attr) << text.str();
    std::string printed;
    llvm::raw_string_ostream os(printed);
    attr.print(os);
    EXPECT_EQ(printed, text.str());
  }
}

TEST_F(SeqMixTest, CheckedGetRejectsBadTypes) {
  auto structure = LowRankAttr::get(&context, 4);
  auto emit = [&] { return emitError(UnknownLoc::get(&context)); };
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  EXPECT_FALSE(MixerType::getChecked(emit, &context, {1, 2}, structure));
  EXPECT_FALSE(MixerType::getChecked(emit, &context,
                                     {1, ShapedType::kDynamic, 4}, structure));
  EXPECT_FALSE(MixerType::getChecked(emit, &context, {1, 2, -5}, structure));
  EXPECT_TRUE(MixerType::getChecked(
      emit, &context, {ShapedType::kDynamic, 2, ShapedType::kDynamic},
      structure));
  std::optional<Carry> noCarry;
  int64_t noSplit = 0;
  EXPECT_FALSE(FormAttr::getChecked(emit, &context, FormKind::Chunked,
                                    int64_t{48}, noCarry, noSplit));
  EXPECT_FALSE(FormAttr::getChecked(emit, &context, FormKind::Parallel,
                                    int64_t{64}, noCarry, noSplit));
  EXPECT_TRUE(FormAttr::getChecked(emit, &context, FormKind::Chunked,
                                   int64_t{64}, noCarry, noSplit));
}

} // namespace
