//===- ONNXTranslation.cpp - the --import-onnx translation ----------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Import/ONNX.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

static llvm::cl::opt<std::string> onnxFunctionName(
    "onnx-function",
    llvm::cl::desc("Name of the function that --import-onnx builds (default: "
                   "the graph's name)"),
    llvm::cl::init(""));

static llvm::cl::opt<bool> onnxAttentionAsLinalg(
    "onnx-attention-as-linalg",
    llvm::cl::desc("Import every ONNX Attention node as linalg ops, never as "
                   "seqmix.attention"),
    llvm::cl::init(false));

static llvm::cl::opt<bool> onnxNoCleanup(
    "onnx-no-cleanup",
    llvm::cl::desc("Leave the imported function as built, without "
                   "canonicalization and CSE"),
    llvm::cl::init(false));

void mlir::seqmix::registerImportONNXTranslation() {
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model (a .onnx file)",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
        ONNXImportOptions options;
        options.functionName = onnxFunctionName;
        options.cleanup = !onnxNoCleanup;
        options.attentionAsSeqMix = !onnxAttentionAsLinalg;
        OwningOpRef<ModuleOp> module =
            importONNX(buffer->getBuffer(), buffer->getBufferIdentifier(),
                       context, options);
        if (!module)
          return nullptr;
        return module.release().getOperation();
      },
      [](DialectRegistry &registry) { registerONNXImportDialects(registry); });
}
