//===- CostModel.cpp - choosing the form of a mixer -----------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Each form's time is estimated as
//
//   max(flops / (rate · efficiency), bytes / bandwidth) + steps · latency
//
// per application, where `steps` are the serial steps of the form (1 for
// parallel, T for recurrent, T / chunk for chunked). FLOPs count a
// multiply-add as two. The efficiency says how well a form's products use the
// machine: a product whose smallest side has m rows runs at min(1, m / 64) of
// the peak rate, but no lower than the rate of matrix-vector products (FMA
// units on a GPU, about 1/16 of the tensor-core rate on an H100; a quarter of
// the peak on a CPU). The recurrent form is rank-1 updates and
// matrix-vector products (m = 1); the parallel form has m = T, the chunked
// form m = chunk.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/Transforms/CostModel.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::seqmix;

namespace {
/// What the structure costs beyond plain linear attention.
struct StructureTraits {
  bool causal = true;
  bool delta = false;
  bool diagonalDecay = false;
  bool hasState = false;
  unsigned semiseparableTerms = 0;
};
} // namespace

static StructureTraits traitsOf(MixerStructureAttrInterface structure) {
  StructureTraits t;
  t.causal = structure.isCausal();
  for (MixerStructureAttrInterface term : getStructureTerms(structure)) {
    if (auto s = dyn_cast<SemiseparableAttr>(term)) {
      ++t.semiseparableTerms;
      t.delta |= s.getTransition() == Transition::Delta;
      t.diagonalDecay |= s.getDecay() == DecayKind::Diagonal;
    }
  }
  t.hasState = structure.getNumStatefulTerms() == 1;
  return t;
}

std::vector<FormEstimate> mlir::seqmix::estimateForms(const MixerProblem &p,
                                                      TargetAttr target,
                                                      int64_t chunk) {
  MLIRContext *ctx = target.getContext();
  target = target.withDefaults();
  bool gpu = target.isGPU();
  StructureTraits t = traitsOf(p.structure);
  double b = p.batch, h = p.heads, len = p.seqLen, k = p.keyDim, v = p.valueDim,
         c = std::min<int64_t>(chunk, std::max<int64_t>(p.seqLen, 1));
  double bh = b * h;
  double rate = target.getGflops() * 1e9;
  double bandwidth = target.getHbmGbps() * 1e9;
  double units = target.getSms();
  // Serial latency of one step: a dependent load-compute-store round on a GPU,
  // a loop iteration over tensor slices in lowered CPU code.
  double stepLatency = gpu ? 0.5e-6 : 2e-6;
  // Every form reads q, k, v once and writes o once.
  double ioBytes = bh * len * (2 * k + 2 * v) * p.bytesPerElement;
  double stateBytes = t.hasState ? bh * k * v * 4 * 2 : 0;
  double terms = std::max(1u, t.semiseparableTerms);

  double vectorEfficiency = gpu ? 1.0 / 16 : 0.25;
  auto efficiencyOf = [&](double rows) {
    return std::max(vectorEfficiency, std::min(1.0, rows / 64));
  };
  auto estimate = [&](FormAttr form, double flops, double efficiency,
                      double bytes, double steps, double waves) {
    FormEstimate e;
    e.form = form;
    e.flops = flops;
    e.bytes = bytes;
    e.seconds = std::max(flops / (rate * efficiency), bytes / bandwidth) +
                steps * stepLatency * waves;
    return e;
  };

  std::vector<FormEstimate> out;
  // Parallel: the T×T matrix tile by tile, then M V. Causal mixers touch half
  // of it; a diagonal decay cannot use matrix products (the factorisation
  // Q e^G, K e^-G overflows) and pays an exponential per entry and channel;
  // the delta rule adds the T×T triangular solve.
  {
    double half = t.causal ? 1.0 : 2.0;
    double flops = bh * len * len * (k + v) * half;
    double efficiency = efficiencyOf(len);
    if (t.diagonalDecay) {
      flops += bh * len * len * k * 4;
      efficiency = vectorEfficiency;
    }
    if (t.delta)
      flops += bh * (len * len * len / 3 + len * len * k);
    // The initial-state term Q S_0 and the final state Kᵀ V (decayed).
    // The delta rule corrects both by the keys' projections, half as much
    // again.
    flops += bh * len * k * v * 2 * (t.delta ? 1.5 : 1.0) *
             ((p.hasInitialState ? 1 : 0) + (p.hasFinalState ? 1 : 0));
    out.push_back(
        estimate(FormAttr::get(ctx, FormKind::Parallel, 0, std::nullopt, 0),
                 flops, efficiency, ioBytes + stateBytes, 1, 1));
  }
  // Recurrent: per token a rank-1 update of the K×V state and a read of it;
  // the delta rule also projects the state on k_t, a diagonal decay scales it.
  std::string why;
  if (isFormApplicable(p.structure, FormKind::Recurrent, &why)) {
    double perToken =
        4 * k * v + (t.delta ? 2 * k * v : 0) + (t.diagonalDecay ? k * v : 0);
    double flops = bh * len * perToken * terms;
    double waves = gpu ? std::ceil(bh / units) : 1.0;
    out.push_back(
        estimate(FormAttr::get(ctx, FormKind::Recurrent, 0, std::nullopt, 0),
                 flops, vectorEfficiency, ioBytes + stateBytes, len, waves));
  }
  // Chunked: within a chunk the parallel form, across chunks the state.
  if (isFormApplicable(p.structure, FormKind::Chunked, &why) &&
      t.semiseparableTerms > 0) {
    double perToken = c * (k + v) + 4 * k * v;
    if (t.delta)
      perToken += 2 * c * k + c * c / 3 + 2 * c * (k + v) + 2 * k * v;
    if (t.diagonalDecay)
      perToken += c * k * 2;
    double flops = bh * len * perToken * terms;
    double steps = std::ceil(len / c);
    int64_t splitV = 0;
    std::optional<Carry> carry;
    std::string carryReason;
    double waves = 1.0, extraBytes = 0;
    if (gpu) {
      // One CTA per (sequence, head, 64-wide V tile) walks all chunks with
      // the state on chip; K×64 fp32 must fit in half the shared memory.
      const double tileV = 64;
      double vTiles = std::max(1.0, std::ceil(v / tileV));
      double ctas = bh * vTiles;
      splitV = static_cast<int64_t>(vTiles);
      double stateTile = k * tileV * 4;
      if (stateTile > target.getSmemKb() * 1024.0 / 2) {
        carry = Carry::Materialized;
        carryReason = llvm::formatv(
            "a {0}x{1} fp32 state tile ({2} KiB) does not fit in half of the "
            "{3} KiB of shared memory, so per-chunk states go through memory",
            p.keyDim, static_cast<int64_t>(tileV),
            static_cast<int64_t>(stateTile / 1024), target.getSmemKb());
        extraBytes = bh * steps * k * v * 4 * 2;
      } else if (ctas >= units || len <= 2 * kMinChunksPerSegment * c ||
                 p.packed) {
        carry = Carry::OnChip;
        if (ctas >= units)
          carryReason =
              llvm::formatv("B*H*(V/64) = {0} CTAs give each of the {1} "
                            "multiprocessors at least one",
                            static_cast<int64_t>(ctas), target.getSms())
                  .str();
        else if (len <= 2 * kMinChunksPerSegment * c)
          carryReason = llvm::formatv("T = {0} is too short to split into "
                                      "segments",
                                      p.seqLen)
                            .str();
        else
          carryReason = "packed sequences (seqlens) are not split into "
                        "segments yet";
        waves = std::ceil(ctas / units);
      } else {
        // Split T into segments so that up to two CTAs run per
        // multiprocessor (each at least four chunks long): local states, a
        // prefix across segments, a fix-up. seqmix-form-gpu-kernels
        // computes the same count when the function runs.
        double segments = std::max(
            1.0, std::min(std::floor(kSegmentCTAsPerSM * units / ctas),
                          std::floor(len / (kMinChunksPerSegment * c))));
        carry = Carry::Segments;
        carryReason = llvm::formatv(
            "B*H*(V/64) = {0} CTAs would leave most of the {1} "
            "multiprocessors idle, so T = {2} is split into {3} segments",
            static_cast<int64_t>(ctas), target.getSms(), p.seqLen,
            static_cast<int64_t>(segments));
        steps = std::ceil(steps / segments) + segments;
        extraBytes = bh * segments * k * v * 4 * 2;
        flops += bh * segments * k * v * 2;
        waves = std::ceil(ctas * segments / units);
      }
    }
    FormEstimate e = estimate(
        FormAttr::get(ctx, FormKind::Chunked, chunk, carry, splitV), flops,
        efficiencyOf(c), ioBytes + stateBytes + extraBytes, steps, waves);
    e.carryReason = carryReason;
    out.push_back(e);
  }
  // Cheapest first; within 2%, the simpler form first.
  auto simplicity = [](const FormEstimate &e) {
    switch (e.form.getKind()) {
    case FormKind::Recurrent:
      return 0;
    case FormKind::Chunked:
      return 1;
    case FormKind::Parallel:
      return 2;
    }
    llvm_unreachable("unknown form");
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const FormEstimate &a, const FormEstimate &b) {
                     double tolerance = 0.02 * std::min(a.seconds, b.seconds);
                     if (std::abs(a.seconds - b.seconds) > tolerance)
                       return a.seconds < b.seconds;
                     return simplicity(a) < simplicity(b);
                   });
  return out;
}
