//===- SeqMixPlugin.cpp - seqmix as an mlir-opt plugin --------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
//   mlir-opt --load-dialect-plugin=libSeqMixPlugin.so \
//            --load-pass-plugin=libSeqMixPlugin.so --seqmix-select-form in.mlir
//
//===----------------------------------------------------------------------===//

#include "seqmix/InitAll.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SeqMix", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            seqmix::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SeqMixPasses", LLVM_VERSION_STRING,
          []() { seqmix::registerAllPasses(); }};
}
