//===- ChunkedKernel.h - the chunked additive-decay GPU kernel --*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Generates the gpu.func of the chunked form with the state on chip for the
// additive semiseparable mixers with a scalar decay per head (causal linear
// attention, RetNet/Lightning, simple GLA). docs/GPU.md describes the kernel.
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

/// One configuration of the kernel. Sizes that the kernel's loops and
/// register tiles depend on are compile-time constants; B and T are not.
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
  bool hasInit = false;
  bool hasFinal = false;

  /// Tokens per chunk, value columns per CTA, threads per CTA.
  static constexpr int64_t kChunk = 64;
  static constexpr int64_t kTileV = 64;
  static constexpr int64_t kThreads = 128;

  /// A name that identifies the configuration, e.g.
  /// `chunked_additive_scalar_k128_v128_h2x4_init_final`.
  std::string getName() const;
  /// The dynamic shared memory the kernel needs, in bytes.
  int64_t getSharedMemoryBytes() const;
  /// Says why the configuration is not supported, or nothing.
  std::optional<std::string> checkSupported() const;
};

/// The kernel's arguments, in order:
///   q, k, v:  memref<?xbf16>  ([B, T, H, K], [B, T, H, K], [B, T, Hv, V])
///   gate:     memref<?xf32>   ([Hv] for static, [B, T, Hv] for scalar decay;
///                              absent for decay none)
///   init:     memref<?xf32>   ([B, Hv, K, V]; only with hasInit)
///   o:        memref<?xbf16>  ([B, T, Hv, V])
///   final:    memref<?xf32>   ([B, Hv, K, V]; only with hasFinal)
///   T:        index
/// to be launched on a grid of (V / 64, Hv, B) CTAs of 128 threads with
/// getSharedMemoryBytes() of dynamic shared memory. Builds the kernel at the
/// builder's insertion point, which must be in a gpu.module.
gpu::GPUFuncOp buildChunkedKernel(OpBuilder &builder, Location loc,
                                  const ChunkedKernelSpec &spec);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_CHUNKEDKERNEL_H
