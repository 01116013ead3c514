//===- ChunkedKernelF32.cpp - the chunked kernel for f32 inputs -----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The chunked form for f32 inputs with FFMA (no tensor cores): placeholder
// until the kernel lands.
//
//===----------------------------------------------------------------------===//

#include "ChunkedKernel.h"

using namespace mlir;
using namespace mlir::seqmix;

int64_t seqmix::getF32TileV(const ChunkedKernelSpec &) { return 64; }

int64_t seqmix::getF32Threads(const ChunkedKernelSpec &) { return 128; }

int64_t seqmix::getF32SharedMemoryBytes(const ChunkedKernelSpec &) { return 0; }

std::optional<std::string>
seqmix::checkF32Supported(const ChunkedKernelSpec &) {
  return std::string("f32 inputs are not supported yet");
}

gpu::GPUFuncOp seqmix::buildChunkedKernelF32(OpBuilder &, Location,
                                             const ChunkedKernelSpec &) {
  return nullptr;
}
