//===- ONNX.h - import ONNX models into MLIR --------------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Reads an ONNX model (a serialized ModelProto) and builds a module with one
// func.func on tensors: upstream linalg, tensor, arith, math and scf ops for
// the standard operators, seqmix ops for the nodes of the `ai.seqmix`
// domain. See docs/ONNX.md for the supported operators and opsets.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_IMPORT_ONNX_H
#define SEQMIX_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MLIRContext;

namespace seqmix {

struct ONNXImportOptions {
  /// The name of the function; empty: the graph's name made into an
  /// identifier, or "main" if it has none.
  std::string functionName;
  /// Whether tensors stored in external files (beside the model) are read.
  bool allowExternalData = true;
  /// Whether the imported function is canonicalized (and CSE'd): folds the
  /// importer's shape bookkeeping.
  bool cleanup = true;
  /// Whether an ONNX Attention node that seqmix.attention can express (self
  /// attention without an explicit mask, cache or soft cap) becomes
  /// seqmix.attention + seqmix.apply; otherwise, and for the rest, linalg.
  bool attentionAsSeqMix = true;
};

/// Imports the model in `bytes`. `fileName` names it in diagnostics, and
/// external data files are looked up relative to its directory. Errors are
/// reported to `context`'s diagnostic handlers; returns null on failure.
/// Never throws and never aborts on bad input.
OwningOpRef<ModuleOp> importONNX(llvm::StringRef bytes,
                                 llvm::StringRef fileName, MLIRContext *context,
                                 const ONNXImportOptions &options = {});

/// Adds the dialects that imported modules use to `registry`.
void registerONNXImportDialects(DialectRegistry &registry);

/// Registers the `--import-onnx` translation (seqmix-translate).
void registerImportONNXTranslation();

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_IMPORT_ONNX_H
