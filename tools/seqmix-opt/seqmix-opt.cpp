//===- seqmix-opt.cpp - SeqMix optimizer driver ---------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with every upstream dialect, extension and pass plus SeqMix's.
//
//===----------------------------------------------------------------------===//

#include "seqmix/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates gpu.module to LLVM IR (as upstream's
  // mlir-opt does).
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  mlir::registerAllPasses();
  mlir::seqmix::registerAllDialects(registry);
  mlir::seqmix::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "SeqMix optimizer driver\n", registry));
}
