//===- CPUGlue.cpp - the C glue of a CPU library, and its link ------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The glue implements SeqMixABI.h over MLIR's C interface. For each entry
// point it builds one memref descriptor per buffer (allocated = aligned =
// the caller's pointer, offset 0, sizes from the static sizes and the
// symbols, row-major strides) and calls `_mlir_ciface_<f>`: with the
// outputs as out-parameters, or, when the lowered function returns its
// results, copies them into the caller's buffers (checking their shapes) and
// frees them.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Target/CPU.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace mlir;
using namespace mlir::seqmix;

StringRef seqmix::getABIHeader() {
  static const char header[] =
#include "SeqMixABIHeader.inc"
      ;
  return StringRef(header, sizeof(header) - 1);
}

//===----------------------------------------------------------------------===//
// Glue
//===----------------------------------------------------------------------===//

/// `text` as a C string literal.
static std::string quoteC(StringRef text) {
  std::string result = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c == '?') {
      result += '\\';
      result += c;
    } else if (llvm::isPrint(c)) {
      result += c;
    } else {
      result += llvm::formatv("\\{0:o3}", unsigned(c)).str();
    }
  }
  return result + "\"";
}

/// The C expression of `dim`'s size, with symbols in `s<i>`.
static std::string dimExpr(const DimRule &dim) {
  if (dim.isStatic())
    return std::to_string(dim.offset) + "LL";
  std::string result = "s" + std::to_string(dim.symbol);
  if (dim.offset > 0)
    result += " + " + std::to_string(dim.offset) + "LL";
  else if (dim.offset < 0)
    result += " - " + std::to_string(-dim.offset) + "LL";
  return result;
}

static const char *const kPrologue = R"(
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEQMIX_EXPORT __attribute__((visibility("default")))
#define SEQMIX_HELPER __attribute__((unused)) static

static _Thread_local char seqmix_error_message[1024];

SEQMIX_EXPORT const char *seqmix_last_error(void) {
  return seqmix_error_message;
}

__attribute__((format(printf, 2, 3))) static int32_t
seqmix_fail(int32_t status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(seqmix_error_message, sizeof(seqmix_error_message), format, args);
  va_end(args);
  return status;
}

/* Fills row-major strides; returns the number of elements. */
SEQMIX_HELPER int64_t seqmix_row_major(int32_t rank, const int64_t *sizes,
                                       int64_t *strides) {
  int64_t count = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    strides[i] = count;
    count *= sizes[i];
  }
  return count;
}

/* Checks the dimensions of a buffer against its shape rule. */
SEQMIX_HELPER int32_t seqmix_check_dims(const char *function,
                                        const char *kind, int32_t index,
                                        const char *name, int32_t rank,
                                        const int64_t *sizes) {
  for (int32_t i = 0; i < rank; ++i)
    if (sizes[i] < 0)
      return seqmix_fail(SEQMIX_ERROR_SHAPE,
                         "@%s: dimension %d of %s %d ('%s') is %lld, "
                         "negative for these symbols",
                         function, i, kind, index, name, (long long)sizes[i]);
  return SEQMIX_OK;
}

/* Copies a memref returned by the module into the caller's buffer `dst`,
 * after checking its sizes against `expected`. */
SEQMIX_HELPER int32_t seqmix_take_result(const char *function, int32_t index,
                                         const char *name, int32_t rank,
                                         const void *aligned, int64_t offset,
                                         const int64_t *sizes,
                                         const int64_t *strides,
                                         const int64_t *expected,
                                         size_t element_size, void *dst) {
  int64_t count = 1;
  int contiguous = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    if (sizes[i] != expected[i])
      return seqmix_fail(SEQMIX_ERROR_SHAPE,
                         "@%s: dimension %d of output %d ('%s') is %lld but "
                         "its shape rule gives %lld",
                         function, i, index, name, (long long)sizes[i],
                         (long long)expected[i]);
    if (sizes[i] != 1 && strides[i] != count)
      contiguous = 0;
    count *= sizes[i];
  }
  if (count == 0)
    return SEQMIX_OK;
  const char *src = (const char *)aligned + offset * (int64_t)element_size;
  if (contiguous) {
    memcpy(dst, src, (size_t)count * element_size);
    return SEQMIX_OK;
  }
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t rest = linear, at = 0;
    for (int32_t i = rank - 1; i >= 0; --i) {
      at += (rest % sizes[i]) * strides[i];
      rest /= sizes[i];
    }
    memcpy((char *)dst + linear * (int64_t)element_size,
           src + at * (int64_t)element_size, element_size);
  }
  return SEQMIX_OK;
}

/* Frees the buffers the module returned, once each, never an input. */
SEQMIX_HELPER void seqmix_release(void **allocated, int32_t count,
                                  void *const *inputs, int32_t num_inputs) {
  for (int32_t i = 0; i < count; ++i) {
    int owned = allocated[i] != NULL;
    for (int32_t j = 0; owned && j < i; ++j)
      owned = allocated[j] != allocated[i];
    for (int32_t j = 0; owned && j < num_inputs; ++j)
      owned = inputs[j] != allocated[i];
    if (owned)
      free(allocated[i]);
  }
}
)";

namespace {
/// Writes the glue of one entry point.
class EntryEmitter {
public:
  EntryEmitter(llvm::raw_ostream &os, const EntryPointABI &entry,
               ResultConvention convention, bool cuda)
      : os(os), entry(entry), convention(convention), cuda(cuda) {}

  void emitMetadata();
  void emitEntry();

private:
  void emitArgs(StringRef kind, ArrayRef<ArgABI> args);
  /// Declares descriptor `var` of `arg` filled from `buffers[index]`, with
  /// its checks.
  void emitDescriptor(StringRef var, StringRef kind, StringRef buffers,
                      unsigned index, const ArgABI &arg);

  llvm::raw_ostream &os;
  const EntryPointABI &entry;
  ResultConvention convention;
  bool cuda;
};
} // namespace

static std::string descriptorType(size_t rank) {
  return "seqmix_memref_" + std::to_string(rank);
}

void EntryEmitter::emitArgs(StringRef kind, ArrayRef<ArgABI> args) {
  const std::string &f = entry.name;
  for (auto [i, arg] : llvm::enumerate(args)) {
    if (arg.dims.empty())
      continue;
    os << "static const seqmix_dim seqmix_" << f << "_" << kind << i
       << "_dims[] = {";
    llvm::interleaveComma(arg.dims, os, [&](const DimRule &d) {
      os << "{" << d.symbol << ", " << d.offset << "}";
    });
    os << "};\n";
  }
  if (args.empty())
    return;
  os << "static const seqmix_arg_info seqmix_" << f << "_" << kind
     << "s[] = {\n";
  for (auto [i, arg] : llvm::enumerate(args)) {
    os << "    {" << quoteC(arg.name) << ", " << getDTypeEnumName(arg.dtype)
       << ", " << arg.dims.size() << ", ";
    if (arg.dims.empty())
      os << "NULL";
    else
      os << "seqmix_" << f << "_" << kind << i << "_dims";
    os << "},\n";
  }
  os << "};\n";
}

void EntryEmitter::emitMetadata() {
  os << "\n/* " << entry.format() << " */\n";
  emitArgs("input", entry.inputs);
  emitArgs("output", entry.outputs);
  if (!entry.symbols.empty()) {
    os << "static const char *const seqmix_" << entry.name << "_symbols[] = {";
    llvm::interleaveComma(entry.symbols, os,
                          [&](const std::string &s) { os << quoteC(s); });
    os << "};\n";
  }
}

void EntryEmitter::emitDescriptor(StringRef var, StringRef kind,
                                  StringRef buffers, unsigned index,
                                  const ArgABI &arg) {
  size_t rank = arg.dims.size();
  std::string info =
      llvm::formatv("seqmix_{0}_{1}s[{2}]", entry.name, kind, index).str();
  os << "  " << descriptorType(rank) << " " << var << ";\n";
  os << "  " << var << ".allocated = " << var << ".aligned = " << buffers << "["
     << index << "];\n";
  os << "  " << var << ".offset = 0;\n";
  if (rank > 0) {
    for (auto [d, dim] : llvm::enumerate(arg.dims))
      os << "  " << var << ".sizes[" << d << "] = " << dimExpr(dim) << ";\n";
    // Only a symbol minus a constant can be negative.
    if (llvm::any_of(arg.dims, [](const DimRule &dim) {
          return !dim.isStatic() && dim.offset < 0;
        }))
      os << "  if ((status = seqmix_check_dims(" << quoteC(entry.name) << ", "
         << quoteC(kind) << ", " << index << ", " << info << ".name, " << rank
         << ", " << var << ".sizes)))\n"
         << "    return status;\n";
    os << "  if (seqmix_row_major(" << rank << ", " << var << ".sizes, " << var
       << ".strides) != 0 && !" << buffers << "[" << index << "])\n";
  } else {
    os << "  if (!" << buffers << "[" << index << "])\n";
  }
  os << "    return seqmix_fail(SEQMIX_ERROR_INVALID_ARGUMENT, \"@%s: " << kind
     << " %d ('%s') is NULL\", " << quoteC(entry.name) << ", " << index << ", "
     << info << ".name);\n";
}

void EntryEmitter::emitEntry() {
  const std::string &f = entry.name;
  size_t numIn = entry.inputs.size(), numOut = entry.outputs.size();
  bool returned = convention == ResultConvention::Returned;

  // The C interface, as convert-func-to-llvm wraps the lowered function.
  if (returned && numOut > 1) {
    os << "typedef struct {\n";
    for (auto [i, arg] : llvm::enumerate(entry.outputs))
      os << "  " << descriptorType(arg.dims.size()) << " r" << i << ";\n";
    os << "} seqmix_" << f << "_results;\n";
  }
  SmallVector<std::string> params;
  if (returned)
    params.push_back(numOut > 1
                         ? "seqmix_" + f + "_results *"
                         : descriptorType(entry.outputs[0].dims.size()) + " *");
  for (const ArgABI &arg : entry.inputs)
    params.push_back(descriptorType(arg.dims.size()) + " *");
  if (!returned)
    for (const ArgABI &arg : entry.outputs)
      params.push_back(descriptorType(arg.dims.size()) + " *");
  os << "extern void _mlir_ciface_" << f << "(";
  if (params.empty())
    os << "void";
  llvm::interleaveComma(params, os);
  os << ");\n\n";

  os << "SEQMIX_EXPORT int32_t seqmix_entry_" << f
     << "(void *const *inputs, void *const *outputs,\n"
     << "    const int64_t *symbols, void *stream) {\n"
     << "  int32_t status = SEQMIX_OK;\n"
     << (cuda ? "" : "  (void)stream;\n")
     << "  (void)status;\n";
  auto checkArray = [&](StringRef name, size_t count) {
    if (count == 0) {
      os << "  (void)" << name << ";\n";
      return;
    }
    os << "  if (!" << name << ")\n"
       << "    return seqmix_fail(SEQMIX_ERROR_INVALID_ARGUMENT, \"@%s: "
       << name << " is NULL\", " << quoteC(f) << ");\n";
  };
  checkArray("inputs", numIn);
  checkArray("outputs", numOut);
  checkArray("symbols", entry.symbols.size());
  for (auto [s, name] : llvm::enumerate(entry.symbols)) {
    os << "  const int64_t s" << s << " = symbols[" << s << "];\n"
       << "  if (s" << s << " < 0)\n"
       << "    return seqmix_fail(SEQMIX_ERROR_INVALID_ARGUMENT, \"@%s: symbol "
       << "%s is %lld; symbols are non-negative\", " << quoteC(f) << ", "
       << quoteC(name) << ", (long long)s" << s << ");\n";
  }
  for (auto [i, arg] : llvm::enumerate(entry.inputs))
    emitDescriptor("in" + std::to_string(i), "input", "inputs", i, arg);
  for (auto [i, arg] : llvm::enumerate(entry.outputs))
    emitDescriptor("out" + std::to_string(i), "output", "outputs", i, arg);

  SmallVector<std::string> callArgs;
  if (returned) {
    if (numOut > 1) {
      os << "  seqmix_" << f << "_results ret;\n";
    } else {
      os << "  " << descriptorType(entry.outputs[0].dims.size()) << " ret;\n";
    }
    os << "  memset(&ret, 0, sizeof(ret));\n";
    callArgs.push_back("&ret");
  }
  for (size_t i = 0; i < numIn; ++i)
    callArgs.push_back("&in" + std::to_string(i));
  if (!returned)
    for (size_t i = 0; i < numOut; ++i)
      callArgs.push_back("&out" + std::to_string(i));
  if (cuda)
    os << "  seqmix_runtime_cuda_begin(stream);\n";
  os << "  _mlir_ciface_" << f << "(";
  llvm::interleaveComma(callArgs, os);
  os << ");\n";
  if (cuda)
    os << "  if (seqmix_runtime_cuda_end())\n"
       << "    return seqmix_fail(SEQMIX_ERROR_CUDA, \"@%s: %s\", " << quoteC(f)
       << ", seqmix_runtime_last_error());\n";

  if (returned) {
    for (auto [i, arg] : llvm::enumerate(entry.outputs)) {
      std::string ret = numOut > 1 ? "ret.r" + std::to_string(i) : "ret";
      bool scalar = arg.dims.empty();
      os << "  if (status == SEQMIX_OK)\n"
         << "    status = seqmix_take_result(" << quoteC(f) << ", " << i
         << ", seqmix_" << f << "_outputs[" << i << "].name, "
         << arg.dims.size() << ", " << ret << ".aligned, " << ret << ".offset, "
         << (scalar ? "NULL" : ret + ".sizes") << ", "
         << (scalar ? "NULL" : ret + ".strides") << ", "
         << (scalar ? "NULL" : "out" + std::to_string(i) + ".sizes") << ", "
         << getDTypeSize(arg.dtype) << ", outputs[" << i << "]);\n";
    }
    os << "  void *owned[" << numOut << "] = {";
    for (size_t i = 0; i < numOut; ++i)
      os << (i ? ", " : "")
         << (numOut > 1 ? "ret.r" + std::to_string(i) : std::string("ret"))
         << ".allocated";
    os << "};\n"
       << "  seqmix_release(owned, " << numOut << ", "
       << (numIn ? "inputs" : "NULL") << ", " << numIn << ");\n";
  }
  os << "  return status;\n}\n";
}

std::string seqmix::generateCPUGlue(ArrayRef<EntryPointABI> entryPoints,
                                    ArrayRef<ResultConvention> conventions,
                                    StringRef source, bool cuda) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by seqmix-compile from " << source << ": the\n"
     << " * SeqMix C ABI (SeqMixABI.h) over the MLIR C interface of the\n"
     << " * compiled module. Do not edit. */\n"
     << "#include \"SeqMixABI.h\"\n"
     << kPrologue;
  if (cuda)
    os << "\n/* libseqmix_runtime: the mgpu* functions that the module calls\n"
       << " * use the caller's stream between begin and end (CSupport.h). */\n"
       << "extern void seqmix_runtime_cuda_begin(void *stream);\n"
       << "extern int32_t seqmix_runtime_cuda_end(void);\n"
       << "extern const char *seqmix_runtime_last_error(void);\n";

  // Memref descriptors of the MLIR C interface, by rank.
  std::set<size_t> ranks;
  for (const EntryPointABI &entry : entryPoints) {
    for (const ArgABI &arg : entry.inputs)
      ranks.insert(arg.dims.size());
    for (const ArgABI &arg : entry.outputs)
      ranks.insert(arg.dims.size());
  }
  os << "\n/* Memref descriptors of the MLIR C interface, by rank. */\n";
  for (size_t rank : ranks) {
    os << "typedef struct {\n"
       << "  void *allocated;\n"
       << "  void *aligned;\n"
       << "  int64_t offset;\n";
    if (rank > 0)
      os << "  int64_t sizes[" << rank << "];\n"
         << "  int64_t strides[" << rank << "];\n";
    os << "} " << descriptorType(rank) << ";\n";
  }

  for (auto [entry, convention] : llvm::zip_equal(entryPoints, conventions)) {
    EntryEmitter emitter(os, entry, convention, cuda);
    emitter.emitMetadata();
    emitter.emitEntry();
  }

  os << "\nstatic const seqmix_function_info seqmix_functions[] = {\n";
  for (const EntryPointABI &entry : entryPoints) {
    const std::string &f = entry.name;
    auto table = [&](StringRef kind, bool empty) {
      return empty ? std::string("NULL")
                   : llvm::formatv("seqmix_{0}_{1}", f, kind).str();
    };
    os << "    {" << quoteC(f) << ", "
       << (cuda ? "SEQMIX_DEVICE_CUDA" : "SEQMIX_DEVICE_CPU") << ", "
       << entry.inputs.size()
       << ", " << table("inputs", entry.inputs.empty()) << ", "
       << entry.outputs.size() << ", "
       << table("outputs", entry.outputs.empty()) << ", "
       << entry.symbols.size() << ", "
       << table("symbols", entry.symbols.empty()) << ", seqmix_entry_" << f
       << "},\n";
  }
  os << "};\n\n"
     << "static const seqmix_library_info seqmix_library_info_value = {\n"
     << "    SEQMIX_ABI_VERSION, " << entryPoints.size()
     << ", seqmix_functions};\n\n"
     << "SEQMIX_EXPORT const seqmix_library_info *seqmix_library(void) {\n"
     << "  return &seqmix_library_info_value;\n"
     << "}\n";
  return text;
}

//===----------------------------------------------------------------------===//
// Link
//===----------------------------------------------------------------------===//

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static llvm::Error writeFile(StringRef path, StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << contents;
  os.close();
  if (os.has_error())
    return makeError("cannot write '" + path + "': " + os.error().message());
  return llvm::Error::success();
}

llvm::Expected<std::string> seqmix::findCCompiler(StringRef name) {
  llvm::ErrorOr<std::string> path = llvm::sys::path::has_parent_path(name)
                                        ? llvm::ErrorOr<std::string>(name.str())
                                        : llvm::sys::findProgramByName(name);
  if (!path || !llvm::sys::fs::can_execute(*path))
    return makeError("cannot find the C compiler '" + name +
                     "' (install one, or name it with --cc= or CC)");
  return *path;
}

llvm::Error seqmix::linkCPULibrary(StringRef glue, StringRef object,
                                   StringRef output,
                                   const CPULinkOptions &options) {
  if (options.cc.empty())
    return makeError("no C compiler given");
  auto inTemp = [&](StringRef name) {
    SmallString<256> path(options.tempDir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };
  std::string gluePath = inTemp("glue.c"), objectPath = inTemp("module.o"),
              exportsPath = inTemp("exports.map"), logPath = inTemp("cc.log");
  if (llvm::Error error = writeFile(inTemp("SeqMixABI.h"), getABIHeader()))
    return error;
  if (llvm::Error error = writeFile(gluePath, glue))
    return error;
  if (llvm::Error error = writeFile(objectPath, object))
    return error;
  if (llvm::Error error =
          writeFile(exportsPath, "{\n  global:\n    seqmix_library;\n"
                                 "    seqmix_last_error;\n    seqmix_entry_*;\n"
                                 "  local:\n    *;\n};\n"))
    return error;

  // The runtime, when the object calls it.
  llvm::Expected<std::vector<std::string>> undefined =
      getUndefinedSymbols(object);
  if (!undefined)
    return undefined.takeError();
  std::vector<std::string> runtimeSymbols;
  for (const std::string &name : *undefined)
    if (isRuntimeSymbol(name))
      runtimeSymbols.push_back(name);
  std::vector<std::string> runtimeArgs;
  if (options.needsRuntime && runtimeSymbols.empty())
    runtimeSymbols.push_back("seqmix_runtime_cuda_begin");
  if (!runtimeSymbols.empty()) {
    SmallString<256> runtime(options.runtimeDir);
    llvm::sys::path::append(runtime, "libseqmix_runtime.so");
    if (!llvm::sys::fs::exists(runtime))
      return makeError("the compiled module calls " +
                       llvm::join(runtimeSymbols, ", ") +
                       ", which libseqmix_runtime provides, but " + runtime +
                       " does not exist (build libseqmix_runtime, or point "
                       "--runtime-dir= at it)");
    // Found beside the library first (a library copied with the runtime),
    // then where it was linked from (in the build or install tree).
    SmallString<256> absolute(options.runtimeDir);
    (void)llvm::sys::fs::make_absolute(absolute);
    runtimeArgs = {"-L" + options.runtimeDir, "-lseqmix_runtime",
                   ("-Wl,-rpath,$ORIGIN:" + absolute).str()};
  }

  llvm::Expected<std::string> cc = findCCompiler(options.cc.front());
  if (!cc)
    return cc.takeError();

  std::vector<std::string> args(options.cc.begin(), options.cc.end());
  args.insert(args.end(), {"-shared", "-fPIC", "-O2", gluePath, objectPath,
                           "-o", output.str(), "-lm"});
  args.insert(args.end(), runtimeArgs.begin(), runtimeArgs.end());
  args.insert(args.end(),
              {"-Wl,--version-script=" + exportsPath, "-Wl,--no-undefined"});
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  if (options.verbose) {
    llvm::errs() << "seqmix-compile: running";
    for (StringRef arg : argRefs)
      llvm::errs() << " " << arg;
    llvm::errs() << "\n";
  }
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*cc, argRefs, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &message);
  if (rc != 0) {
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
      log = (*buffer)->getBuffer().rtrim().str();
    return makeError(
        "the C compiler failed (" +
        (message.empty() ? "exit code " + std::to_string(rc) : message) +
        "): " + llvm::join(argRefs, " ") + (log.empty() ? "" : "\n" + log));
  }
  return llvm::Error::success();
}
