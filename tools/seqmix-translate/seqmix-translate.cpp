//===- seqmix-translate.cpp - SeqMix translation driver -------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// mlir-translate with upstream's translations (--mlir-to-llvmir, ...) plus
// --import-onnx, which reads an ONNX model into func.func on tensors.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Import/ONNX.h"
#include "seqmix/InitAll.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  mlir::seqmix::registerImportONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "SeqMix translation driver\n"));
}
