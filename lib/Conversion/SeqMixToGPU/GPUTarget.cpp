//===- GPUTarget.cpp - checking NVIDIA target settings --------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Upstream's NVPTX back end aborts the process on settings it cannot honour
// (a bf16 mma.sync on a chip without it, a PTX version too old for the chip).
// seqmix-gpu-target checks them first and reports an ordinary diagnostic.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir {
namespace seqmix {
#define GEN_PASS_DEF_SEQMIXGPUTARGET
#define GEN_PASS_DEF_SEQMIXSTRIPTARGET
#include "seqmix/Conversion/Passes.h.inc"
} // namespace seqmix
} // namespace mlir

using namespace mlir;
using namespace mlir::seqmix;

unsigned seqmix::getMinimumPTXVersion(StringRef chip) {
  // The PTX ISA versions that introduced each target (PTX ISA manual,
  // "Release notes"), which is also what LLVM's NVPTX back end requires.
  // These are the GPU chips that #seqmix.target knows.
  return llvm::StringSwitch<unsigned>(chip)
      .Case("sm_80", 70)
      .Case("sm_90", 78)
      .Case("sm_90a", 80)
      .Default(0);
}

bool seqmix::isSupportedNVIDIAChip(StringRef chip) {
  return getMinimumPTXVersion(chip) != 0;
}

/// PTX ISA versions that LLVM 22's NVPTX back end emits and CUDA 13's ptxas
/// reads (PTX 9.0 is CUDA 13.0's).
static bool isKnownPTXVersion(unsigned ptx) {
  return (ptx >= 70 && ptx <= 78) || (ptx >= 80 && ptx <= 88) || ptx == 90;
}

std::optional<std::string> seqmix::checkNVIDIATarget(StringRef chip,
                                                     unsigned ptx, int optLevel,
                                                     StringRef format) {
  if (!isSupportedNVIDIAChip(chip))
    return llvm::formatv("unsupported chip '{0}': the SeqMix GPU kernels "
                         "need bf16 tensor cores (mma.sync m16n8k16); use "
                         "sm_80, sm_90 or sm_90a",
                         chip)
        .str();
  unsigned minimum = getMinimumPTXVersion(chip);
  if (ptx != 0 && ptx < minimum)
    return llvm::formatv("PTX version {0}.{1} does not support {2}: it needs "
                         "at least {3}.{4} (ptx={5})",
                         ptx / 10, ptx % 10, chip, minimum / 10, minimum % 10,
                         minimum)
        .str();
  if (ptx != 0 && !isKnownPTXVersion(ptx))
    return llvm::formatv("unsupported PTX version {0}: use 70 to 78, 80 to 88 "
                         "or 90 (PTX ISA version times ten), or 0 for the "
                         "chip's minimum",
                         ptx)
        .str();
  if (optLevel < 0 || optLevel > 3)
    return llvm::formatv("unsupported opt-level {0}: use 0 to 3", optLevel)
        .str();
  if (!llvm::is_contained({"bin", "isa", "fatbin", "llvm", "offload"}, format))
    return llvm::formatv("unsupported format '{0}': use bin (cubin), isa "
                         "(PTX), fatbin, llvm or offload",
                         format)
        .str();
  return std::nullopt;
}

namespace {
struct GPUTargetPass : public seqmix::impl::SeqMixGPUTargetBase<GPUTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (std::optional<std::string> error =
            checkNVIDIATarget(chip, ptx, optLevel, format)) {
      module.emitError() << *error;
      return signalPassFailure();
    }
    MLIRContext *ctx = module.getContext();
    auto existing = module->getAttrOfType<TargetAttr>("seqmix.target");
    if (!existing) {
      module->setAttr("seqmix.target", TargetAttr::get(ctx, chip, 0, 0, 0, 0));
      return;
    }
    if (existing.getChip() != chip) {
      module.emitError() << "the module's #seqmix.target names chip '"
                         << existing.getChip() << "' but the pipeline "
                         << "compiles for '" << chip << "'";
      return signalPassFailure();
    }
  }
};
} // namespace

namespace {
struct StripTargetPass
    : public seqmix::impl::SeqMixStripTargetBase<StripTargetPass> {
  void runOnOperation() override {
    getOperation()->removeAttr("seqmix.target");
  }
};
} // namespace
