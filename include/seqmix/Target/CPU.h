//===- CPU.h - compile a seqmix module into a CPU library -------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The steps of `seqmix-compile --target=cpu` after the ABI is known (see
// EntryPoints.h): lower the module to the LLVM dialect with
// seqmix-to-cpu-pipeline, translate it to LLVM IR and optimise it for the
// host, emit an object, generate the C glue that implements SeqMixABI.h over
// MLIR's C interface (`_mlir_ciface_<f>`), and link both into a shared
// library with the system C compiler.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_TARGET_CPU_H
#define SEQMIX_TARGET_CPU_H

#include "seqmix/Target/EntryPoints.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
namespace seqmix {

/// Prepares the entry points for seqmix-to-cpu-pipeline: marks them with
/// `llvm.emit_c_interface` (convert-func-to-llvm then emits the wrapper
/// `_mlir_ciface_<f>`), their inputs with `bufferization.writable = false`
/// (the caller's input buffers are read-only), and drops `seqmix.dims` and
/// `seqmix.name`, which the ABI has recorded.
void prepareEntryPoints(ModuleOp module, ArrayRef<EntryPointABI> entryPoints);

/// How the C interface of a lowered entry point passes its results.
enum class ResultConvention {
  /// `_mlir_ciface_f(in..., out...)`: the caller's buffers are out-parameters
  /// (buffer-results-to-out-params rewrote the function).
  OutParams,
  /// `_mlir_ciface_f(ret, in...)`: the function allocates its results with
  /// malloc and returns their descriptors in `*ret` (one descriptor, or a
  /// struct of them); the caller owns and frees them.
  Returned,
};

/// Reads the convention of each entry point from `module`, lowered to the
/// LLVM dialect, and checks the wrappers' arity against the ABI.
FailureOr<SmallVector<ResultConvention>>
getResultConventions(ModuleOp module, ArrayRef<EntryPointABI> entryPoints);

/// The code generation options of the CPU target.
struct CPUTargetOptions {
  /// Target triple; empty: the host's.
  std::string triple;
  /// Target CPU; empty: x86-64-v2 on x86-64, else "generic".
  std::string cpu;
  /// Comma-separated features ("+avx2,+fma").
  std::string features;
  /// LLVM optimisation level, 0 to 3.
  unsigned optLevel = 2;
};

/// Initialises the native target and creates its TargetMachine (PIC).
/// Rejects an unknown CPU or feature.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUTargetOptions &options);

/// Translates `module` (LLVM dialect) to LLVM IR for `machine` (its triple
/// and data layout) and optimises it with the default pipeline at
/// `optLevel`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                     llvm::TargetMachine &machine, unsigned optLevel);

/// Emits `module` as an object file into `object`.
llvm::Error emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                       SmallVectorImpl<char> &object);

/// The names of the symbols that `object` uses but does not define.
llvm::Expected<std::vector<std::string>> getUndefinedSymbols(StringRef object);

/// Whether a symbol is one that libseqmix_runtime provides (`memrefCopy`,
/// `_mlir_*`, `mgpu*`) rather than the C library.
bool isRuntimeSymbol(StringRef name);

/// The text of SeqMixABI.h, which the glue includes.
StringRef getABIHeader();

/// The C source of the glue: `seqmix_entry_<f>` for each entry point,
/// calling `_mlir_ciface_<f>` by its convention, `seqmix_library()` and
/// `seqmix_last_error()`. `source` names the input in a comment. With
/// `cuda`, the functions are marked SEQMIX_DEVICE_CUDA (their buffers are
/// device pointers) and each call runs between seqmix_runtime_cuda_begin(
/// stream) and seqmix_runtime_cuda_end() of libseqmix_runtime: the module's
/// mgpu* calls enqueue on the caller's stream, and a failed driver call is
/// returned as SEQMIX_ERROR_CUDA with the runtime's message.
std::string generateCPUGlue(ArrayRef<EntryPointABI> entryPoints,
                            ArrayRef<ResultConvention> conventions,
                            StringRef source, bool cuda = false);

/// The path of the C compiler `name` (a path, or a program on PATH), or an
/// error that says how to name one.
llvm::Expected<std::string> findCCompiler(StringRef name);

/// How to link a CPU library.
struct CPULinkOptions {
  /// The C compiler and its leading arguments ("cc", or the words of $CC).
  std::vector<std::string> cc;
  /// Where libseqmix_runtime.so lives (linked when the object calls it).
  std::string runtimeDir;
  /// A directory for the glue, the object and the compiler's log.
  std::string tempDir;
  /// Print every command to llvm::errs().
  bool verbose = false;
  /// Link libseqmix_runtime even if the object does not call it (the glue
  /// of a CUDA library does).
  bool needsRuntime = false;
};

/// Writes the glue and `object` to `options.tempDir` and links them into
/// the shared library `output` with the C compiler: `cc -shared -fPIC -O2
/// glue.c module.o -o output -lm`, plus libseqmix_runtime when the object
/// needs it. Exports only the `seqmix_*` symbols.
llvm::Error linkCPULibrary(StringRef glue, StringRef object, StringRef output,
                           const CPULinkOptions &options);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_TARGET_CPU_H
