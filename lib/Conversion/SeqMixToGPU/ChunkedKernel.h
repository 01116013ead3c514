//===- ChunkedKernel.h - the chunked additive-decay GPU kernel --*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Generates the gpu.func of the chunked form with the state on chip for the
// additive semiseparable mixers with a scalar decay per head (causal linear
// attention, RetNet/Lightning, simple GLA, and with dt and D Mamba2 SSD).
// docs/GPU.md describes the kernel.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_CHUNKEDKERNEL_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_CHUNKEDKERNEL_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <optional>
#include <string>

namespace mlir {
namespace seqmix {

/// One configuration of a chunked kernel. Sizes that the kernel's loops and
/// register tiles depend on are compile-time constants; B, T and the
/// sequence offsets are not.
struct ChunkedKernelSpec {
  /// None, Static (log γ per value head, [Hv]) or Scalar (g, [B, T, Hv]).
  DecayKind decay = DecayKind::None;
  /// q/k heads H and value heads Hv (a multiple of H).
  int64_t qkHeads = 1;
  int64_t valueHeads = 1;
  /// K (64 or 128) and V (a multiple of 64).
  int64_t keyDim = 64;
  int64_t valueDim = 64;
  double scale = 0.125;
  /// The element type of q, k, v and o: bf16 (tensor cores, mma.sync) or
  /// f32 (FFMA). Gates, dt, D and states are f32 either way.
  bool f32Inputs = false;
  /// Mamba2's Δ: `dt` ([B, T, Hv]) scales column j of M (B_t = k_t · dt_t).
  bool hasDt = false;
  /// A diagonal term D ([Hv]) added to the mixer: o_t += D_h · v_t (not
  /// scaled by `scale`).
  bool hasSkip = false;
  bool hasInit = false;
  bool hasFinal = false;
  /// A packed batch: `seqlens` holds N + 1 offsets (this many bits each, 32
  /// or 64) into the T tokens of a batch of one, and sequence n is tokens
  /// [seqlens[n], seqlens[n + 1]). 0: no seqlens, N = B.
  unsigned seqlensBits = 0;
  /// Computes the final state only: no q, no o (the segments carry's first
  /// pass; tensor-core kernel only, with hasFinal).
  bool stateOnly = false;
  /// The segments carry in one launch (tensor-core kernel, with 32-bit
  /// seqlens holding the segments' offsets): the CTAs take tickets in the
  /// order (V tile, value head, segment); each computes its segment's local
  /// state (phase A), takes its predecessor's prefix state from `carry` once
  /// `flags` says it is there, publishes its successor's, and computes its
  /// outputs from its own prefix (phase B). See docs/GPU.md.
  bool chained = false;
  /// The products through sm_90a's warpgroup MMA (wgmma.mma_async, shared
  /// operands in the 128-byte swizzle) instead of mma.sync.
  bool wgmma = false;
  /// Q, K and V tiles through TMA (cp.async.bulk.tensor issued by one
  /// thread, completion on an mbarrier per stage) instead of cp.async
  /// (wgmma kernels only, not chained).
  bool tma = false;

  /// Tokens per chunk, value columns per CTA and threads per CTA of the
  /// tensor-core kernel.
  static constexpr int64_t kChunk = 64;
  static constexpr int64_t kTileV = 64;
  static constexpr int64_t kThreads = 128;

  /// Value columns per CTA (the grid's x extent is V / getTileV()).
  int64_t getTileV() const;
  /// Threads per CTA.
  int64_t getThreads() const;
  /// A name that identifies the configuration, e.g.
  /// `chunked_additive_scalar_k128_v128_h2x4_init_final`.
  std::string getName() const;
  /// The dynamic shared memory the kernel needs, in bytes.
  int64_t getSharedMemoryBytes() const;
  /// Says why the configuration is not supported, or nothing.
  std::optional<std::string> checkSupported() const;
};

/// The kernel's arguments, in order (E = bf16, or f32 with f32Inputs):
///   q, k, v:  memref<?xE>     ([B, T, H, K], [B, T, H, K], [B, T, Hv, V])
///   gate:     memref<?xf32>   ([Hv] for static, [B, T, Hv] for scalar decay;
///                              absent for decay none)
///   dt:       memref<?xf32>   ([B, T, Hv]; only with hasDt)
///   skip:     memref<?xf32>   ([Hv], D; only with hasSkip)
///   init:     memref<?xf32>   ([N, Hv, K, V]; only with hasInit)
///   seqlens:  memref<?xi32> or memref<?xi64> ([N + 1]; only with
///             seqlensBits)
///   carry:    memref<?xf32>   ([N, Hv, K, V], scratch; only with chained)
///   flags:    memref<?xi32>   ([1 + N·Hv·V / getTileV()], zero at launch;
///                              only with chained)
///   o:        memref<?xE>     ([B, T, Hv, V]; absent with stateOnly)
///   final:    memref<?xf32>   ([N, Hv, K, V]; only with hasFinal)
///   T:        index
///   nseg:     index           (segments per sequence; only with chained)
///   qMap, kMap, vMap: i64     (device addresses of the TMA tensor maps of q,
///                              k and v made by seqmix_runtime_tensor_map; only
///                              with tma, no qMap with stateOnly)
/// to be launched on a grid of (V / getTileV(), Hv, N) CTAs of getThreads()
/// threads with getSharedMemoryBytes() of dynamic shared memory. With
/// `chained`, seqlens holds the N·nseg + 1 offsets of the segments, init and
/// final are per sequence (N of them) and the grid is (V / getTileV(), Hv,
/// N·nseg). Builds the kernel at the builder's insertion point, which must be
/// in a gpu.module.
gpu::GPUFuncOp buildChunkedKernel(OpBuilder &builder, Location loc,
                                  const ChunkedKernelSpec &spec);

/// The same contract for f32 inputs (spec.f32Inputs): FFMA, no tensor
/// cores (ChunkedKernelF32.cpp), with its own tile sizes and limits.
gpu::GPUFuncOp buildChunkedKernelF32(OpBuilder &builder, Location loc,
                                     const ChunkedKernelSpec &spec);
int64_t getF32TileV(const ChunkedKernelSpec &spec);
int64_t getF32Threads(const ChunkedKernelSpec &spec);
int64_t getF32SharedMemoryBytes(const ChunkedKernelSpec &spec);
std::optional<std::string> checkF32Supported(const ChunkedKernelSpec &spec);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_CHUNKEDKERNEL_H
