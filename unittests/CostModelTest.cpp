//===- CostModelTest.cpp - form selection ---------------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/CostModel.h"

#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::seqmix;

namespace {

class CostModelTest : public ::testing::Test {
protected:
  CostModelTest() { context.loadDialect<SeqMixDialect>(); }

  MixerProblem problem(int64_t b, int64_t h, int64_t t, int64_t k, int64_t v) {
    MixerProblem p;
    p.batch = b;
    p.heads = h;
    p.seqLen = t;
    p.keyDim = k;
    p.valueDim = v;
    p.structure =
        SemiseparableAttr::get(&context, k, DecayKind::Scalar,
                               Transition::Additive, Direction::Causal);
    return p;
  }

  FormAttr best(const MixerProblem &p, StringRef chip) {
    auto target = TargetAttr::get(&context, chip, 0, 0, 0, 0);
    return estimateForms(p, target, 64).front().form;
  }

  MLIRContext context;
};

TEST_F(CostModelTest, EstimatesAreSortedAndComplete) {
  auto target = TargetAttr::get(&context, "cpu", 0, 0, 0, 0);
  auto estimates = estimateForms(problem(1, 4, 4096, 64, 64), target, 64);
  ASSERT_EQ(estimates.size(), 3u);
  for (size_t i = 1; i < estimates.size(); ++i)
    EXPECT_LE(estimates[i - 1].seconds, estimates[i].seconds * 1.02);
  for (const FormEstimate &e : estimates) {
    EXPECT_GT(e.flops, 0);
    EXPECT_GT(e.bytes, 0);
  }
}

TEST_F(CostModelTest, LinearFormsScaleLinearlyParallelQuadratically) {
  auto target = TargetAttr::get(&context, "cpu", 0, 0, 0, 0);
  auto time = [&](int64_t t, FormKind kind) {
    for (const FormEstimate &e :
         estimateForms(problem(1, 4, t, 64, 64), target, 64))
      if (e.form.getKind() == kind)
        return e.seconds;
    return -1.0;
  };
  double chunked =
      time(8192, FormKind::Chunked) / time(4096, FormKind::Chunked);
  double recurrent =
      time(8192, FormKind::Recurrent) / time(4096, FormKind::Recurrent);
  double parallel =
      time(8192, FormKind::Parallel) / time(4096, FormKind::Parallel);
  EXPECT_NEAR(chunked, 2.0, 0.05);
  EXPECT_NEAR(recurrent, 2.0, 0.05);
  EXPECT_NEAR(parallel, 4.0, 0.1);
}

TEST_F(CostModelTest, ChoicesFollowTheShape) {
  EXPECT_EQ(best(problem(1, 4, 4096, 64, 64), "cpu").getKind(),
            FormKind::Chunked);
  EXPECT_EQ(best(problem(64, 16, 1, 128, 128), "cpu").getKind(),
            FormKind::Recurrent);
  EXPECT_EQ(best(problem(2, 4, 64, 128, 128), "cpu").getKind(),
            FormKind::Parallel);
  // No GPU carry on the CPU.
  EXPECT_FALSE(best(problem(1, 4, 4096, 64, 64), "cpu").getCarry());
}

TEST_F(CostModelTest, GpuCarry) {
  FormAttr batched = best(problem(8, 16, 4096, 128, 128), "sm_90a");
  EXPECT_EQ(batched.getKind(), FormKind::Chunked);
  EXPECT_EQ(batched.getCarry(), Carry::OnChip);
  EXPECT_EQ(batched.getSplitV(), 2);
  FormAttr single = best(problem(1, 16, 65536, 128, 128), "sm_90a");
  EXPECT_EQ(single.getCarry(), Carry::Segments);
  FormAttr mamba = best(problem(8, 64, 4096, 128, 64), "sm_90a");
  EXPECT_EQ(mamba.getCarry(), Carry::OnChip);
}

} // namespace
