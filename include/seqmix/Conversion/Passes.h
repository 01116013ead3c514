//===- Passes.h - seqmix conversion passes ----------------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_CONVERSION_PASSES_H
#define SEQMIX_CONVERSION_PASSES_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <optional>

namespace mlir {
namespace seqmix {

#define GEN_PASS_DECL
#include "seqmix/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "seqmix/Conversion/Passes.h.inc"

/// The NVIDIA chips the generated kernels support, and the PTX ISA versions
/// (times ten) that LLVM 22 and CUDA 13 both know.
bool isSupportedNVIDIAChip(StringRef chip);
/// The smallest PTX ISA version (times ten) for `chip`, or 0 if unsupported.
unsigned getMinimumPTXVersion(StringRef chip);
/// Checks `chip`, `ptx` (0 for the chip's minimum), `optLevel` and `format`;
/// on failure returns a message that says what is accepted.
std::optional<std::string> checkNVIDIATarget(StringRef chip, unsigned ptx,
                                             int optLevel, StringRef format);

/// Options of `seqmix-to-nvvm-pipeline`.
struct NVVMPipelineOptions : public PassPipelineOptions<NVVMPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("Target chip: sm_80, sm_90, sm_90a"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<unsigned> ptx{
      *this, "ptx",
      llvm::cl::desc("PTX ISA version times ten (80 for 8.0); 0 for the "
                     "chip's minimum"),
      llvm::cl::init(0)};
  PassOptions::Option<int> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimisation level of the NVPTX back end (0 to 3)"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu.binary holds: bin (cubin, needs ptxas), isa "
                     "(PTX text), fatbin (needs ptxas and fatbinary)"),
      llvm::cl::init("bin")};
  PassOptions::Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("Tensor-core instruction of the bf16 kernels: wgmma, "
                     "sync (mma.sync) or auto (wgmma on sm_90a)"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> segments{
      *this, "segments",
      llvm::cl::desc("How the bf16 kernels run the segments carry: passes "
                     "(state-only pass, scan, output pass) or chained (one "
                     "launch)"),
      llvm::cl::init("passes")};
  PassOptions::Option<unsigned> segmentTokens{
      *this, "segment-tokens",
      llvm::cl::desc("Tokens per segment of the chained carry (a multiple "
                     "of 64; 0: picked from K)"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> loads{
      *this, "loads",
      llvm::cl::desc("How the wgmma kernels load Q, K and V: cp-async or tma "
                     "(cp.async.bulk.tensor)"),
      llvm::cl::init("cp-async")};
};

/// Adds `seqmix-to-nvvm-pipeline` to `pm` (on builtin.module): the target
/// check, form selection, kernel formation, bufferization of the host code
/// and upstream's lowering to NVVM, LLVM and a gpu.binary. Fails with a
/// message when an option is out of range, before any pass runs.
LogicalResult buildNVVMPipeline(OpPassManager &pm,
                                const NVVMPipelineOptions &options,
                                std::string *error = nullptr);

/// Registers `seqmix-to-nvvm-pipeline`.
void registerNVVMPipeline();

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_CONVERSION_PASSES_H
