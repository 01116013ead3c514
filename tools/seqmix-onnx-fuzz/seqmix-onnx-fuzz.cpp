//===- seqmix-onnx-fuzz.cpp - libFuzzer target of the ONNX importer -------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to mlir::seqmix::importONNX, the whole way from the
// protobuf reader through the importer, verification and cleanup. Built
// with clang-22 -fsanitize=fuzzer,address by scripts/fuzz-onnx.sh, not by
// CMake. Every input gets a fresh MLIRContext (nothing accumulates between
// runs); diagnostics are swallowed; external data is never read.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Import/ONNX.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    mlir::seqmix::registerONNXImportDialects(*r);
    return r;
  }();
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::seqmix::ONNXImportOptions options;
  options.allowExternalData = false;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  (void)mlir::seqmix::importONNX(bytes, "fuzz.onnx", &context, options);
  return 0;
}
