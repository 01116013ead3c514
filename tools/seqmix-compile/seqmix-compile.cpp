//===- seqmix-compile.cpp - SeqMix compiler driver ------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Compiles a module of func.func on tensors (seqmix ops and upstream ops) into
// a shared library that exports the C ABI of SeqMixABI.h:
//
//   seqmix-compile model.mlir --target=cpu -o model.so
//
// Stages, each of which --emit= can stop at: the module after
// seqmix-to-cpu-pipeline (mlir), the optimised LLVM IR (llvm), the object
// (obj), the library (so: the object and generated C glue linked by the
// system C compiler).
//
//===----------------------------------------------------------------------===//

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Import/ONNX.h"
#include "seqmix/InitAll.h"
#include "seqmix/Target/CPU.h"
#include "seqmix/Target/EntryPoints.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <cstdlib>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class EmitKind { MLIR, LLVM, Object, Library };

cl::OptionCategory category("seqmix-compile options");

cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                   cl::desc("<input .mlir or .onnx>"),
                                   cl::cat(category));
cl::opt<std::string>
    outputFilename("o",
                   cl::desc("Output file ('-' for stdout, text emits only; "
                            "default: stdout for mlir and llvm, the input's "
                            "stem plus .o or .so for obj and so)"),
                   cl::value_desc("filename"), cl::cat(category));
cl::opt<std::string>
    target("target",
           cl::desc("Target: cpu, or an NVIDIA chip (sm_90a, sm_90, "
                    "sm_80): a library of CUDA functions"),
           cl::value_desc("target"), cl::init("cpu"), cl::cat(category));
cl::opt<std::string>
    mmaOption("mma",
              cl::desc("GPU targets: the tensor-core instruction of the bf16 "
                       "kernels: wgmma, sync (mma.sync), or auto (default: "
                       "wgmma on sm_90a, mma.sync otherwise)"),
              cl::value_desc("kind"), cl::init("auto"), cl::cat(category));
cl::opt<std::string> segmentsOption(
    "segments",
    cl::desc("GPU targets: how the bf16 kernels run the segments carry: "
             "passes (state-only pass, scan, output pass; default) or "
             "chained (one launch)"),
    cl::value_desc("kind"), cl::init("passes"), cl::cat(category));
cl::opt<unsigned> segmentTokensOption(
    "segment-tokens",
    cl::desc("GPU targets: tokens per segment of the chained segments carry "
             "(a multiple of 64; default 0: picked from K)"),
    cl::value_desc("n"), cl::init(0), cl::cat(category));
cl::opt<std::string> loadsOption(
    "loads",
    cl::desc("GPU targets: how the wgmma kernels load Q, K and V: cp-async "
             "(default) or tma (cp.async.bulk.tensor; inputs 16-byte "
             "aligned)"),
    cl::value_desc("kind"), cl::init("cp-async"), cl::cat(category));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to emit"), cl::init(EmitKind::Library),
    cl::values(
        clEnumValN(EmitKind::MLIR, "mlir",
                   "the module after seqmix-to-cpu-pipeline (LLVM dialect)"),
        clEnumValN(EmitKind::LLVM, "llvm", "the optimised LLVM IR"),
        clEnumValN(EmitKind::Object, "obj", "an object file"),
        clEnumValN(EmitKind::Library, "so",
                   "a shared library with the SeqMix C ABI (default)")),
    cl::cat(category));
cl::opt<std::string> cpu("cpu",
                         cl::desc("Target CPU (default: x86-64-v2 on x86-64)"),
                         cl::value_desc("name"), cl::cat(category));
cl::opt<std::string> features("features",
                              cl::desc("Target features (\"+avx2,+fma\")"),
                              cl::value_desc("list"), cl::cat(category));
cl::opt<std::string> ccOption("cc",
                              cl::desc("C compiler that compiles the glue and "
                                       "links the library (default: $CC, "
                                       "else cc)"),
                              cl::value_desc("program"), cl::cat(category));
cl::opt<std::string>
    runtimeDir("runtime-dir",
               cl::desc("Directory of libseqmix_runtime.so (default: "
                        "<directory of seqmix-compile>/../lib)"),
               cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> dumpPipeline("dump-pipeline",
                           cl::desc("Print the pass pipeline to stderr"),
                           cl::cat(category));
cl::opt<bool> verbose("v",
                      cl::desc("Print the entry points, the stages and "
                               "the commands run to stderr"),
                      cl::cat(category));
cl::alias verboseLong("verbose", cl::desc("Alias for -v"),
                      cl::aliasopt(verbose), cl::cat(category));
cl::opt<bool> saveTemps("save-temps",
                        cl::desc("Keep the glue, object and compiler log in "
                                 "a temporary directory (printed)"),
                        cl::cat(category));
cl::opt<bool> onnxAttentionAsLinalg(
    "onnx-attention-as-linalg",
    cl::desc("ONNX input: import every Attention node as linalg ops, never "
             "as seqmix.attention"),
    cl::cat(category));
cl::opt<std::string> cpuPipeline(
    "cpu-pipeline",
    cl::desc("Run this textual pipeline instead of seqmix-to-cpu-pipeline "
             "(for debugging)"),
    cl::value_desc("pipeline"), cl::Hidden, cl::cat(category));

/// Everything the tool reports goes through here: one line per message.
class Reporter {
public:
  void error(const llvm::Twine &message) {
    llvm::errs() << "seqmix-compile: error: " << message << "\n";
  }
  void progress(const llvm::Twine &message) {
    if (!verbose)
      return;
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - start).count();
    llvm::errs() << llvm::formatv("seqmix-compile: [{0,8:f1} ms] ", ms)
                 << message << "\n";
  }

private:
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
};

/// "file:line:col" of the first file location in `loc` ("file" for the
/// implicit module), or "".
std::string formatLocation(Location loc) {
  std::string result;
  loc->walk([&](Location l) {
    if (auto file = dyn_cast<FileLineColLoc>(l)) {
      // The implicit module of a file is at line 0.
      result = file.getLine() == 0
                   ? file.getFilename().str()
                   : llvm::formatv("{0}:{1}:{2}", file.getFilename().getValue(),
                                   file.getLine(), file.getColumn())
                         .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result;
}

void printDiagnostic(const Diagnostic &diag, StringRef severity) {
  std::string loc = formatLocation(diag.getLocation());
  llvm::errs() << "seqmix-compile: " << severity << ": ";
  if (!loc.empty())
    llvm::errs() << loc << ": ";
  llvm::errs() << diag.str() << "\n";
  for (const Diagnostic &note : diag.getNotes())
    printDiagnostic(note, "note");
}

std::string defaultOutput() {
  if (emitKind == EmitKind::MLIR || emitKind == EmitKind::LLVM)
    return "-";
  SmallString<128> name(llvm::sys::path::stem(inputFilename));
  name += emitKind == EmitKind::Object ? ".o" : ".so";
  return std::string(name);
}

/// The C compiler and its leading arguments: --cc=, else $CC, else cc.
std::vector<std::string> getCC() {
  std::string cc = ccOption;
  if (cc.empty())
    if (std::optional<std::string> env = llvm::sys::Process::GetEnv("CC"))
      cc = *env;
  if (StringRef(cc).trim().empty())
    cc = "cc";
  llvm::BumpPtrAllocator alloc;
  llvm::StringSaver saver(alloc);
  SmallVector<const char *> words;
  cl::TokenizeGNUCommandLine(cc, saver, words);
  return std::vector<std::string>(words.begin(), words.end());
}

std::string getRuntimeDir(const char *argv0) {
  if (!runtimeDir.empty())
    return runtimeDir;
  std::string exe =
      llvm::sys::fs::getMainExecutable(argv0, (void *)&getRuntimeDir);
  SmallString<256> dir(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(dir, "..", "lib");
  llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
  return std::string(dir);
}

/// An imported ONNX input's dimension that the model leaves unnamed (no
/// dim_param) is "?" in its seqmix.dims; the ABI needs a symbol: name it
/// after the input and the dimension, `<input>_<dim>` (made an identifier,
/// and distinct from every other symbol).
void nameUnknownDims(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    llvm::StringSet<> used;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto dims = func.getArgAttrOfType<ArrayAttr>(i, "seqmix.dims"))
        for (Attribute d : dims)
          if (auto s = dyn_cast<StringAttr>(d))
            used.insert(s.getValue());
    Builder b(module.getContext());
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto dims = func.getArgAttrOfType<ArrayAttr>(i, "seqmix.dims");
      if (!dims)
        continue;
      std::string base = "input" + std::to_string(i);
      if (auto name = func.getArgAttrOfType<StringAttr>(i, "seqmix.name")) {
        base.clear();
        for (char c : name.getValue())
          base.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
        if (base.empty() || llvm::isDigit(base[0]))
          base.insert(base.begin(), '_');
      }
      SmallVector<Attribute> named(dims.begin(), dims.end());
      bool changed = false;
      for (auto [d, entry] : llvm::enumerate(named)) {
        auto s = dyn_cast<StringAttr>(entry);
        if (!s || s.getValue() != "?")
          continue;
        std::string symbol = base + "_" + std::to_string(d);
        while (used.contains(symbol))
          symbol += "_";
        used.insert(symbol);
        entry = b.getStringAttr(symbol);
        changed = true;
      }
      if (changed)
        func.setArgAttr(i, "seqmix.dims", b.getArrayAttr(named));
    }
  }
}

/// Compiles the module; returns the exit code.
int compile(const char *argv0, Reporter &report) {
  // Flags that need no input.
  StringRef targetName = target;
  bool gpu =
      targetName == "sm_90a" || targetName == "sm_90" || targetName == "sm_80";
  if (!gpu && targetName != "cpu") {
    report.error("unknown target '" + targetName +
                 "'; valid targets: cpu, sm_90a, sm_90, sm_80");
    return 1;
  }
  std::string output =
      outputFilename.empty() ? defaultOutput() : std::string(outputFilename);
  if (output == "-" &&
      (emitKind == EmitKind::Object || emitKind == EmitKind::Library)) {
    report.error(std::string("--emit=") +
                 (emitKind == EmitKind::Object ? "obj" : "so") +
                 " writes a binary file: give -o FILE");
    return 1;
  }

  // The input: MLIR (text or bytecode), or an ONNX model, imported below.
  bool isONNX = llvm::sys::path::extension(inputFilename) == ".onnx";
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &message);
  if (!input) {
    report.error(message);
    return 1;
  }

  // Create the output now, so that an unwritable one fails early: a
  // temporary file beside it, which replaces it once complete.
  std::optional<llvm::sys::fs::TempFile> outputFile;
  llvm::scope_exit discardOutput([&] {
    if (outputFile)
      llvm::consumeError(outputFile->discard());
  });
  // An existing output that is not a regular file (/dev/null, a pipe) is
  // written in place: renaming a temporary file over it would replace it.
  llvm::sys::fs::file_status outputStatus;
  bool writeInPlace =
      output != "-" && !llvm::sys::fs::status(output, outputStatus) &&
      llvm::sys::fs::exists(outputStatus) &&
      outputStatus.type() != llvm::sys::fs::file_type::regular_file &&
      outputStatus.type() != llvm::sys::fs::file_type::directory_file;
  if (output != "-" && !writeInPlace) {
    if (llvm::sys::fs::is_directory(output)) {
      report.error("cannot write '" + output + "': it is a directory");
      return 1;
    }
    unsigned mode = llvm::sys::fs::all_read | llvm::sys::fs::all_write;
    if (emitKind == EmitKind::Library)
      mode |= llvm::sys::fs::all_exe;
    llvm::Expected<llvm::sys::fs::TempFile> file =
        llvm::sys::fs::TempFile::create(output + ".tmp%%%%%%", mode);
    if (!file) {
      report.error("cannot write '" + output +
                   "': " + llvm::toString(file.takeError()));
      return 1;
    }
    outputFile.emplace(std::move(*file));
  }
  auto writeOutput =
      [&](llvm::function_ref<void(llvm::raw_ostream &)> write) -> int {
    if (writeInPlace) {
      std::error_code ec;
      llvm::raw_fd_ostream os(output, ec, llvm::sys::fs::OF_None);
      if (ec) {
        report.error("cannot write '" + output + "': " + ec.message());
        return 1;
      }
      write(os);
      os.flush();
      return 0;
    }
    if (!outputFile) {
      write(llvm::outs());
      llvm::outs().flush();
      return 0;
    }
    llvm::raw_fd_ostream os(outputFile->FD, /*shouldClose=*/false);
    write(os);
    os.flush();
    if (os.has_error()) {
      report.error("cannot write '" + output + "': " + os.error().message());
      os.clear_error();
      return 1;
    }
    if (llvm::Error error = outputFile->keep(output)) {
      report.error("cannot write '" + output +
                   "': " + llvm::toString(std::move(error)));
      outputFile.reset();
      return 1;
    }
    outputFile.reset();
    return 0;
  };

  // A library needs a C compiler: look for it before the work.
  std::vector<std::string> cc = getCC();
  if (emitKind == EmitKind::Library) {
    llvm::Expected<std::string> path = seqmix::findCCompiler(cc.front());
    if (!path) {
      report.error(llvm::toString(path.takeError()));
      return 1;
    }
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  seqmix::registerONNXImportDialects(registry);
  registerAllExtensions(registry);
  seqmix::registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerAllToLLVMIRTranslations(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(verbose);
  bool sawError = false;
  bool sawUnnamedResultDim = false;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      sawError = true;
      sawUnnamedResultDim |=
          StringRef(diag.str()).contains("cannot express dimension");
      printDiagnostic(diag, "error");
      break;
    case DiagnosticSeverity::Warning:
      printDiagnostic(diag, "warning");
      break;
    case DiagnosticSeverity::Note:
      printDiagnostic(diag, "note");
      break;
    case DiagnosticSeverity::Remark:
      if (verbose)
        printDiagnostic(diag, "remark");
      break;
    }
    return success();
  });
  auto fail = [&](const llvm::Twine &what) {
    if (!sawError)
      report.error(what);
    return 1;
  };

  OwningOpRef<ModuleOp> module;
  if (isONNX) {
    seqmix::ONNXImportOptions options;
    options.attentionAsSeqMix = !onnxAttentionAsLinalg;
    module = seqmix::importONNX(input->getBuffer(), inputFilename, &context,
                                options);
    if (!module)
      return fail("cannot import '" + inputFilename + "'");
    nameUnknownDims(*module);
    report.progress("imported " + inputFilename);
  } else {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
    if (!module)
      return fail("cannot parse '" + inputFilename + "'");
    report.progress("parsed " + inputFilename);
  }

  // The ABI, from the signatures before lowering.
  FailureOr<std::vector<seqmix::EntryPointABI>> entryPoints =
      seqmix::buildEntryPointABIs(*module);
  if (failed(entryPoints)) {
    if (isONNX && sawUnnamedResultDim)
      llvm::errs()
          << "seqmix-compile: note: the ABI of a model imported from ONNX is "
             "read from its graph inputs and outputs: each dynamic output "
             "size must equal an input's dimension (plus a constant); "
             "otherwise import it with seqmix-translate --import-onnx, name "
             "the results' dimensions with seqmix.dims and compile the .mlir\n";
    return fail("malformed entry points");
  }
  for (const seqmix::EntryPointABI &entry : *entryPoints)
    report.progress("entry point " + entry.format());

  // Lower to the LLVM dialect.
  seqmix::prepareEntryPoints(*module, *entryPoints);
  PassManager pm(&context);
  if (gpu) {
    // The chip: recorded on the module unless it names one already (the
    // pipeline's seqmix-gpu-target rejects a mismatch).
    if (!(*module)->hasAttr("seqmix.target")) {
      Attribute chip = parseAttribute(
          ("#seqmix.target<chip = \"" + targetName + "\">").str(), &context);
      if (!chip)
        return fail("cannot build #seqmix.target for " + targetName);
      (*module)->setAttr("seqmix.target", chip);
    }
    // ptxas: on PATH, or under $CUDA_HOME/bin; else CUDA's default place.
    if (!llvm::sys::findProgramByName("ptxas") && !std::getenv("CUDA_HOME") &&
        !std::getenv("CUDA_ROOT") && !std::getenv("CUDA_PATH") &&
        llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
      ::setenv("CUDA_HOME", "/usr/local/cuda", 0);
    seqmix::NVVMPipelineOptions nvvm;
    nvvm.chip = targetName.str();
    nvvm.mma = mmaOption;
    nvvm.segments = segmentsOption;
    nvvm.segmentTokens = segmentTokensOption;
    nvvm.loads = loadsOption;
    std::string why;
    if (!cpuPipeline.empty()) {
      if (failed(parsePassPipeline(cpuPipeline, pm)))
        return fail("cannot parse the pass pipeline");
    } else if (failed(seqmix::buildNVVMPipeline(pm, nvvm, &why))) {
      return fail(why);
    }
  } else if (failed(cpuPipeline.empty() ? seqmix::buildCPUPipeline(pm)
                                        : parsePassPipeline(cpuPipeline, pm))) {
    return fail("cannot parse the pass pipeline");
  }
  if (dumpPipeline || verbose) {
    llvm::errs() << "seqmix-compile: pipeline: ";
    pm.printAsTextualPipeline(llvm::errs());
    llvm::errs() << "\n";
  }
  if (failed(pm.run(*module)))
    return fail("the pass pipeline failed");
  report.progress("lowered to the LLVM dialect");
  if (emitKind == EmitKind::MLIR)
    return writeOutput([&](llvm::raw_ostream &os) { module->print(os); });

  // LLVM IR and the object.
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      seqmix::createCPUTargetMachine({"", cpu, features, 2});
  if (!machine) {
    report.error(llvm::toString(machine.takeError()));
    return 1;
  }
  llvm::LLVMContext llvmContext;
  llvm::Expected<std::unique_ptr<llvm::Module>> llvmModule =
      seqmix::translateAndOptimize(*module, llvmContext, **machine, 2);
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError()));
  report.progress("translated to LLVM IR and optimised (O2, " +
                  (*machine)->getTargetTriple().str() + ", " +
                  (*machine)->getTargetCPU() + ")");
  if (emitKind == EmitKind::LLVM)
    return writeOutput(
        [&](llvm::raw_ostream &os) { (*llvmModule)->print(os, nullptr); });
  SmallVector<char> object;
  if (llvm::Error error = seqmix::emitObject(**llvmModule, **machine, object)) {
    report.error(llvm::toString(std::move(error)));
    return 1;
  }
  report.progress("emitted the object (" + llvm::Twine(object.size()) +
                  " bytes)");
  if (emitKind == EmitKind::Object)
    return writeOutput(
        [&](llvm::raw_ostream &os) { os.write(object.data(), object.size()); });

  // The library.
  FailureOr<SmallVector<seqmix::ResultConvention>> conventions =
      seqmix::getResultConventions(*module, *entryPoints);
  if (failed(conventions))
    return 1;
  if (gpu)
    for (auto [entry, convention] : llvm::zip(*entryPoints, *conventions))
      if (convention != seqmix::ResultConvention::OutParams)
        return fail("@" + entry.name +
                    ": on the GPU, the results must become out-parameters "
                    "(the lowered function returns buffers it allocated)");
  std::string glue =
      seqmix::generateCPUGlue(*entryPoints, *conventions, inputFilename, gpu);
  SmallString<128> tempDir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("seqmix-compile", tempDir)) {
    report.error("cannot create a temporary directory: " + ec.message());
    return 1;
  }
  llvm::scope_exit cleanup([&] {
    if (saveTemps)
      llvm::errs() << "seqmix-compile: temporary files kept in " << tempDir
                   << "\n";
    else
      llvm::sys::fs::remove_directories(tempDir);
  });
  seqmix::CPULinkOptions link;
  link.cc = cc;
  link.runtimeDir = getRuntimeDir(argv0);
  link.tempDir = std::string(tempDir);
  link.verbose = verbose;
  link.needsRuntime = gpu;
  SmallString<256> library(tempDir);
  llvm::sys::path::append(library, "library.so");
  if (llvm::Error error = seqmix::linkCPULibrary(
          glue, StringRef(object.data(), object.size()), library, link)) {
    report.error(llvm::toString(std::move(error)));
    return 1;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> linked =
      llvm::MemoryBuffer::getFile(library, /*IsText=*/false);
  if (!linked) {
    report.error("cannot read the linked library: " +
                 linked.getError().message());
    return 1;
  }
  if (writeOutput([&](llvm::raw_ostream &os) { os << (*linked)->getBuffer(); }))
    return 1;
  report.progress("linked " + output);
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // Every pass, so that a textual pipeline parses.
  registerAllPasses();
  seqmix::registerAllPasses();

  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "SeqMix compiler: a module of func.func on tensors to a shared "
          "library with the SeqMix C ABI\n",
          &llvm::errs()))
    return 2;
  Reporter report;
  return compile(argv[0], report);
}
