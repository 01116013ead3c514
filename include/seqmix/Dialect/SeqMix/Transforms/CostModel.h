//===- CostModel.h - choosing the form of a mixer ---------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The cost model behind seqmix-select-form, usable on its own: it estimates
// the time of each form of applying a mixer on a target.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_COSTMODEL_H
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_COSTMODEL_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include <string>
#include <vector>

namespace mlir {
namespace seqmix {

/// The segments carry's rule, shared by the cost model and by the kernels'
/// launch code (which applies it when the function runs): at most this many
/// CTAs per multiprocessor, and segments of at least this many chunks.
constexpr int64_t kSegmentCTAsPerSM = 2;
constexpr int64_t kMinChunksPerSegment = 4;

/// The sizes of one application of a mixer.
struct MixerProblem {
  int64_t batch = 1;    // B (sequences, when packed)
  int64_t heads = 1;    // H of the mixer (value heads)
  int64_t seqLen = 1;   // T per sequence
  int64_t keyDim = 1;   // K
  int64_t valueDim = 1; // V
  int64_t bytesPerElement = 2;
  bool hasInitialState = false;
  bool hasFinalState = false;
  /// Packed sequences (`seqlens`): the segments carry is not offered.
  bool packed = false;
  MixerStructureAttrInterface structure;
};

/// The estimate for one form.
struct FormEstimate {
  FormAttr form;
  double seconds = 0;
  double flops = 0;
  double bytes = 0;
  /// Why the GPU carry was chosen, empty otherwise.
  std::string carryReason;
};

/// Estimates every form that applies to `problem` on `target` (whose
/// defaults are filled in); the cheapest comes first. Estimates within 2% of
/// each other count as a tie, which the simpler form wins: recurrent, then
/// chunked, then parallel.
std::vector<FormEstimate> estimateForms(const MixerProblem &problem,
                                        TargetAttr target, int64_t chunk);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_COSTMODEL_H
