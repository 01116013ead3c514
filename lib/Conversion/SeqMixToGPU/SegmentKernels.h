//===- SegmentKernels.h - the segments carry's small kernels ----*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The segments carry splits each of the N sequences into `nseg` segments of
// L tokens (a multiple of the chunk) and runs the chunked kernel over the
// N·nseg segments as if they were the sequences of a packed batch:
//
//   1. segment_offsets: the segments' token offsets, as `seqlens`;
//   2. the chunked kernel from a zero state: each segment's local final state;
//   3. segment_decay (scalar decay): each segment's total log decay;
//   4. segment_scan: the prefix across segments, S_(s+1) = D_s S_s + L_s,
//      from the initial state; the last one is the final state;
//   5. the chunked kernel again, each segment from its prefix state.
//
// docs/GPU.md ("The segments carry") describes the costs.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_SEGMENTKERNELS_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_SEGMENTKERNELS_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace seqmix {

/// Threads per CTA of the segment kernels.
constexpr int64_t kSegmentThreads = 256;

/// `segment_offsets(offsets: memref<?xi32>, count: index, T: index,
/// nseg: index, L: index)`: offsets[z] = (z / nseg)·T + min((z % nseg)·L, T)
/// for z < count (= N·nseg + 1). Grid (ceil(count / 256)), 256 threads.
gpu::GPUFuncOp buildSegmentOffsetsKernel(OpBuilder &builder, Location loc);

/// `segment_decay_h<Hv>(gate: memref<?xf32>, offsets: memref<?xi32>,
/// decay: memref<?xf32>)`: decay[z·Hv + h] = Σ gate[t·Hv + h] over the tokens
/// t of segment z (natural log). Grid (N·nseg, Hv), 256 threads, 32 bytes of
/// dynamic shared memory.
gpu::GPUFuncOp buildSegmentDecayKernel(OpBuilder &builder, Location loc,
                                       int64_t valueHeads);

/// What the scan needs to know at compile time.
struct SegmentScanSpec {
  DecayKind decay = DecayKind::None;
  int64_t valueHeads = 1;
  /// K·V: the state's elements per head.
  int64_t stateSize = 1;
  bool hasInit = false;
  bool hasFinal = false;
  std::string getName() const;
};

/// `segment_scan_...(local, [decay: scalar | gamma: static], [init], prefix,
/// [final], offsets: memref<?xi32>, nseg: index)`, states f32
/// [N·nseg, Hv, K, V] (init and final [N, Hv, K, V]): per state element,
/// prefix_0 = init (or 0), prefix_(s+1) = D_s prefix_s + local_s, with
/// D_s = exp(decay[z·Hv + h]) for scalar decay, γ_h^(length of segment z) for
/// static decay, 1 for none; final = prefix_nseg. Grid (ceil(K·V / 256), Hv,
/// N), 256 threads.
gpu::GPUFuncOp buildSegmentScanKernel(OpBuilder &builder, Location loc,
                                      const SegmentScanSpec &spec);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_SEGMENTKERNELS_H
