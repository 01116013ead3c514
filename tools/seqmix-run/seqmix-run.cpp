//===- seqmix-run.cpp - run a compiled SeqMix library ---------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Loads a library produced by seqmix-compile (or any library that implements
// the C ABI of SeqMixABI.h), feeds one of its functions with inputs from .npy
// files or generated from a shape, and writes, prints, checks or times its
// outputs. Flags follow iree-run-module's. It links neither LLVM nor MLIR, and
// loads the CUDA driver only for CUDA functions, so it runs CPU libraries on
// machines without a GPU.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/ABIUtils.h"
#include "seqmix/Runtime/CudaDriver.h"
#include "seqmix/Runtime/Npy.h"
#include "seqmix/Runtime/Runtime.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <dlfcn.h>

using namespace seqmix::runtime;

static const char kHelp[] =
    R"(OVERVIEW: seqmix-run - run a function of a compiled SeqMix library

USAGE: seqmix-run LIB.so [options]

seqmix-run loads LIB.so, which exports seqmix_library() and
seqmix_last_error() (the C ABI of seqmix/Runtime/SeqMixABI.h), binds the
symbolic dimensions of a function from the shapes of the given inputs, runs it
once and handles its outputs; then, with --benchmark, times it.

OPTIONS:
  --function=NAME      The function to run; may be left out when the library
                       has exactly one.
  --list               Print every function of the library (or only NAME)
                       with its device, symbols, inputs and outputs and their
                       shape rules, e.g. 'q: bf16[B, T, 4, 64]', and exit.
  --input=@FILE.npy    The next input, from a .npy file. Giving the same file
                       again reads the next array stored in it.
  --input=SHAPExDTYPE=VALUES
                       The next input, generated: SHAPE is dimensions joined
                       by 'x' (none for a scalar), DTYPE one of f32, f64, bf16,
                       f16, i64, i32, i16, i8, bool, and VALUES one of
                         random  seeded pseudo-random values: uniform in
                                 [-1, 1) for floats (then rounded to DTYPE),
                                 uniform integers in [0, 16) for integers,
                                 0 or 1 for bool
                         zeros   all 0
                         ones    all 1
                         V       every element V (e.g. 0.5)
                         V,V,... all elements in C order, separated by commas
                                 or spaces, optionally in brackets
                       e.g. --input=2x64x4x32xbf16=random --input=3xi32=0,2,5
                       Inputs are matched to the function's inputs in order:
                       their number, rank and element type must match (a
                       bf16 input takes '<u2' .npy files of bf16 bit
                       patterns), and each symbol must get one value
                       (dimension minus offset, not negative) from all the
                       dimensions that name it.
  --output=SPEC        What to do with the next output: '-' prints a summary
                       (shape, dtype, min, max, mean, first values), '' (empty)
                       ignores it, '@FILE.npy' writes it, '+FILE.npy' appends
                       it to FILE.npy. Without any --output every output is
                       printed; with some, there must be one per output.
                       bf16 outputs are written as '<u2' bit patterns.
  --check=@REF.npy     Compare the next output with the array in REF.npy (any
                       supported numeric dtype; '<u2' read as bf16 bits for a
                       bf16 output) by relative L2 error |o - ref| / |ref|
                       (in double; |o - ref| when |ref| is 0). Prints the
                       error and the maximum absolute error per output; fails
                       (exit 1) above --rtol or on any NaN. '--check=' (empty)
                       skips an output. With any --check, there must be one
                       per output.
  --rtol=R             The bound of --check (default 1e-5).
  --benchmark=N        After the checked run, time N more calls (after 3
                       warm-up calls) and print the median, min and max in ms:
                       a steady clock around each call for CPU functions, CUDA
                       events around each call on one stream for CUDA
                       functions.
  --seed=S             Seed of the random inputs (default 0). Each input draws
                       from its own stream, seeded with S and its position.
  --symbol=NAME=VALUE  Fix a symbol the input shapes do not determine (or
                       check one they do).
  --cuda-device=N      The CUDA device of CUDA functions (default 0).
  --help               Print this help.

BEHAVIOUR:
  CPU functions get host buffers. For CUDA functions seqmix-run loads the CUDA
  driver (libcuda.so.1, or $SEQMIX_CUDA_DRIVER), makes the device's primary
  context current, creates a stream, copies the inputs to device memory,
  passes the stream to the function, synchronizes it and copies the outputs
  back. Outputs are filled with NaN bit patterns (all bytes 0xff) before the
  call, so that elements a function fails to write show up as NaN (or -1).

EXIT STATUS:
  0 on success; 1 on an error (a missing or malformed file, an unknown
  function, inputs that do not match, a library that is not a SeqMix library,
  a function that returns an error status, a failed --check); 2 on bad
  command-line usage. Errors are one line on stderr that starts with
  'seqmix-run: error: '.
)";

namespace {

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

/// A generated input: --input=SHAPExDTYPE=VALUES.
struct InputSpec {
  std::string text;
  std::string path; // Non-empty for @FILE.npy.
  seqmix_dtype dtype = SEQMIX_DTYPE_F32;
  std::vector<int64_t> shape;
  enum class Fill { Random, Values } fill = Fill::Random;
  std::vector<double> values; // One (a splat) or one per element.
};

struct OutputSpec {
  enum class Kind { Print, Ignore, Write, Append } kind = Kind::Print;
  std::string path;
};

struct Options {
  std::string library;
  std::string function;
  bool list = false;
  bool help = false;
  std::vector<InputSpec> inputs;
  std::vector<OutputSpec> outputs;
  std::vector<std::string> checks; // Paths; "" skips an output.
  std::vector<std::pair<std::string, int64_t>> symbols;
  int64_t benchmark = 0;
  double rtol = 1e-5;
  uint64_t seed = 0;
  int cudaDevice = 0;
};

bool parseInt(const std::string &text, int64_t &value) {
  if (text.empty() ||
      !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-'))
    return false;
  errno = 0;
  char *end = nullptr;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end)
    return false;
  value = parsed;
  return true;
}

bool parseUnsigned(const std::string &text, uint64_t &value) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
    return false;
  errno = 0;
  char *end = nullptr;
  unsigned long long parsed = std::strtoull(text.c_str(), &end, 10);
  if (errno || *end)
    return false;
  value = parsed;
  return true;
}

bool parseDouble(const std::string &text, double &value) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  double parsed = std::strtod(text.c_str(), &end);
  if (errno == ERANGE || *end)
    return false;
  value = parsed;
  return true;
}

bool parseInputSpec(const std::string &text, InputSpec &spec,
                    std::string &error) {
  spec.text = text;
  const std::string flag = "--input=" + text;
  if (!text.empty() && text[0] == '@') {
    spec.path = text.substr(1);
    if (spec.path.empty()) {
      error = flag + ": no file name after '@'";
      return false;
    }
    return true;
  }
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    error = flag + ": expected @FILE.npy or SHAPExDTYPE=VALUES (e.g. "
                   "--input=2x4xf32=random)";
    return false;
  }
  // SHAPExDTYPE: dimensions and an element type joined by 'x'.
  std::vector<std::string> parts;
  std::string type = text.substr(0, eq);
  size_t start = 0;
  for (;;) {
    size_t x = type.find('x', start);
    parts.push_back(type.substr(start, x - start));
    if (x == std::string::npos)
      break;
    start = x + 1;
  }
  if (!parseDType(parts.back(), spec.dtype)) {
    error = flag + ": unknown element type '" + parts.back() +
            "' (use f32, f64, bf16, f16, i32 or i64)";
    return false;
  }
  parts.pop_back();
  for (const std::string &part : parts) {
    int64_t dim;
    if (part.empty() || !std::isdigit(static_cast<unsigned char>(part[0])) ||
        !parseInt(part, dim)) {
      error = flag + ": bad dimension '" + part + "'";
      return false;
    }
    spec.shape.push_back(dim);
  }
  int64_t numElements, numBytes;
  if (!computeSize(spec.shape, dtypeSize(spec.dtype), numElements, numBytes,
                   error)) {
    error = flag + ": " + error;
    return false;
  }

  std::string values = text.substr(eq + 1);
  if (values == "random") {
    spec.fill = InputSpec::Fill::Random;
    return true;
  }
  spec.fill = InputSpec::Fill::Values;
  if (values == "zeros" || values == "ones") {
    spec.values.assign(1, values == "ones" ? 1.0 : 0.0);
    return true;
  }
  for (char &c : values)
    if (c == ',' || c == '[' || c == ']')
      c = ' ';
  size_t pos = 0;
  while (pos < values.size()) {
    while (pos < values.size() &&
           std::isspace(static_cast<unsigned char>(values[pos])))
      ++pos;
    if (pos == values.size())
      break;
    size_t end = pos;
    while (end < values.size() &&
           !std::isspace(static_cast<unsigned char>(values[end])))
      ++end;
    double value;
    std::string token = values.substr(pos, end - pos);
    if (!parseDouble(token, value)) {
      error = flag + ": bad value '" + token +
              "' (use random, zeros, ones, a number or a list of numbers)";
      return false;
    }
    spec.values.push_back(value);
    pos = end;
  }
  if (spec.values.empty()) {
    error = flag + ": no values after '='";
    return false;
  }
  if (spec.values.size() != 1 &&
      static_cast<int64_t>(spec.values.size()) != numElements) {
    error = flag + ": " + std::to_string(spec.values.size()) + " values for " +
            std::to_string(numElements) + " elements";
    return false;
  }
  return true;
}

bool parseOutputSpec(const std::string &text, OutputSpec &spec,
                     std::string &error) {
  if (text.empty()) {
    spec.kind = OutputSpec::Kind::Ignore;
  } else if (text == "-") {
    spec.kind = OutputSpec::Kind::Print;
  } else if ((text[0] == '@' || text[0] == '+') && text.size() > 1) {
    spec.kind =
        text[0] == '@' ? OutputSpec::Kind::Write : OutputSpec::Kind::Append;
    spec.path = text.substr(1);
  } else {
    error = "--output=" + text +
            ": expected '-', '@FILE.npy', '+FILE.npy' or nothing";
    return false;
  }
  return true;
}

/// Parses the command line; false (exit status 2) on bad usage.
bool parseCommandLine(int argc, char **argv, Options &options,
                      std::string &error) {
  bool positionalOnly = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool isOption = !positionalOnly && arg.size() > 1 && arg[0] == '-';
    if (!isOption) {
      if (!options.library.empty()) {
        error = "unexpected argument '" + arg + "' (one library only)";
        return false;
      }
      options.library = arg;
      continue;
    }
    if (arg == "--") {
      positionalOnly = true;
      continue;
    }
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      options.help = true;
      continue;
    }
    if (arg == "--list") {
      options.list = true;
      continue;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    if (eq == std::string::npos) {
      for (const char *valued :
           {"--function", "--input", "--output", "--check", "--rtol",
            "--benchmark", "--seed", "--symbol", "--cuda-device"}) {
        if (name == valued) {
          error = "option '" + name + "' needs a value: " + name + "=...";
          return false;
        }
      }
      error = "unknown option '" + arg + "' (see --help)";
      return false;
    }
    std::string value = arg.substr(eq + 1);
    if (name == "--function") {
      options.function = value;
    } else if (name == "--input") {
      InputSpec spec;
      if (!parseInputSpec(value, spec, error))
        return false;
      options.inputs.push_back(spec);
    } else if (name == "--output") {
      OutputSpec spec;
      if (!parseOutputSpec(value, spec, error))
        return false;
      options.outputs.push_back(spec);
    } else if (name == "--check") {
      if (!value.empty() && (value[0] != '@' || value.size() == 1)) {
        error = "--check=" + value + ": expected @REF.npy or nothing";
        return false;
      }
      options.checks.push_back(value.empty() ? "" : value.substr(1));
    } else if (name == "--rtol") {
      if (!parseDouble(value, options.rtol) || !(options.rtol >= 0) ||
          !std::isfinite(options.rtol)) {
        error = "--rtol=" + value + ": expected a non-negative number";
        return false;
      }
    } else if (name == "--benchmark") {
      if (!parseInt(value, options.benchmark) || options.benchmark < 0) {
        error = "--benchmark=" + value + ": expected a number of calls";
        return false;
      }
    } else if (name == "--seed") {
      if (!parseUnsigned(value, options.seed)) {
        error = "--seed=" + value + ": expected a non-negative integer";
        return false;
      }
    } else if (name == "--cuda-device") {
      int64_t device;
      if (!parseInt(value, device) || device < 0 || device > 1024) {
        error = "--cuda-device=" + value + ": expected a device ordinal";
        return false;
      }
      options.cudaDevice = static_cast<int>(device);
    } else if (name == "--symbol") {
      size_t symbolEq = value.find('=');
      int64_t symbolValue;
      if (symbolEq == std::string::npos || symbolEq == 0 ||
          !parseInt(value.substr(symbolEq + 1), symbolValue) ||
          symbolValue < 0) {
        error = "--symbol=" + value + ": expected NAME=VALUE with VALUE >= 0";
        return false;
      }
      options.symbols.emplace_back(value.substr(0, symbolEq), symbolValue);
    } else if (name == "--list" || name == "--help") {
      error = "option '" + name + "' takes no value";
      return false;
    } else {
      error = "unknown option '" + name + "' (see --help)";
      return false;
    }
  }
  if (!options.help && options.library.empty()) {
    error = "no library given (usage: seqmix-run LIB.so [options]; see --help)";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// A host tensor: an input (read or generated) or an output.
struct Tensor {
  /// The .npy type of the data; for generated inputs, `dtype` says more.
  NpyType type;
  bool hasDType = false;
  seqmix_dtype dtype = SEQMIX_DTYPE_F32;
  std::vector<int64_t> shape;
  int64_t numElements = 0;
  int64_t numBytes = 0;
  HostBuffer data;
  /// Where it came from, for messages: "'x.npy'", "--input=2x4xf32=random".
  std::string source;
};

/// splitmix64: a small, well-mixed generator that is the same everywhere.
uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool makeInput(const InputSpec &spec, size_t position, uint64_t seed,
               Tensor &tensor, std::string &error) {
  tensor.hasDType = true;
  tensor.dtype = spec.dtype;
  tensor.type = npyTypeFor(spec.dtype);
  tensor.shape = spec.shape;
  tensor.source = "--input=" + spec.text;
  if (!computeSize(spec.shape, dtypeSize(spec.dtype), tensor.numElements,
                   tensor.numBytes, error) ||
      !tensor.data.allocate(static_cast<size_t>(tensor.numBytes), error)) {
    error = tensor.source + ": " + error;
    return false;
  }
  void *data = tensor.data.data();
  if (spec.fill == InputSpec::Fill::Values) {
    for (int64_t i = 0; i < tensor.numElements; ++i)
      storeElement(data, spec.dtype, i,
                   spec.values[spec.values.size() == 1 ? 0 : i]);
    return true;
  }
  uint64_t state = seed ^ (0xd1b54a32d192ed03ull * (position + 1));
  bool isFloat = isFloatDType(spec.dtype);
  for (int64_t i = 0; i < tensor.numElements; ++i) {
    uint64_t bits = nextRandom(state);
    double value = isFloat ? 2.0 * static_cast<double>(bits >> 11) *
                                     (1.0 / 9007199254740992.0) -
                                 1.0
                           : static_cast<double>(
                                 bits % (spec.dtype == SEQMIX_DTYPE_BOOL ? 2 : 16));
    storeElement(data, spec.dtype, i, value);
  }
  return true;
}

/// Reads arrays in order from the files named by --input and --check.
class NpyFiles {
public:
  bool read(const std::string &path, NpyArray &array, std::string &error) {
    std::unique_ptr<NpyReader> &reader = readers[path];
    if (!reader) {
      reader = std::make_unique<NpyReader>();
      if (!reader->open(path, error))
        return false;
    }
    return reader->read(array, error);
  }

private:
  std::map<std::string, std::unique_ptr<NpyReader>> readers;
};

bool readInput(NpyFiles &files, const InputSpec &spec, Tensor &tensor,
               std::string &error) {
  NpyArray array;
  if (!files.read(spec.path, array, error))
    return false;
  tensor.type = array.type;
  tensor.shape = array.shape;
  tensor.numElements = array.numElements;
  tensor.numBytes = array.numElements * array.type.size;
  tensor.data = std::move(array.data);
  tensor.source = "'" + spec.path + "'";
  return true;
}

double elementAsDouble(const Tensor &tensor, int64_t index) {
  if (tensor.hasDType)
    return loadElement(tensor.data.data(), tensor.dtype, index);
  return loadNpyElement(tensor.data.data(), tensor.type, index);
}

std::string formatValue(double value, bool isFloat) {
  char text[64];
  if (std::isnan(value))
    return "nan";
  if (isFloat)
    std::snprintf(text, sizeof(text), "%.6g", value);
  else
    std::snprintf(text, sizeof(text), "%.0f", value);
  return text;
}

/// Prints the summary of --output=-.
void printSummary(size_t index, const seqmix_arg_info &arg,
                  const Tensor &tensor) {
  std::printf("output #%zu '%s': %s%s", index, arg.name, dtypeName(arg.dtype),
              formatShape(tensor.shape).c_str());
  if (tensor.numElements == 0) {
    std::printf(": empty\n");
    return;
  }
  bool isFloat = isFloatDType(arg.dtype);
  double minimum = INFINITY, maximum = -INFINITY, sum = 0.0;
  int64_t nans = 0;
  for (int64_t i = 0; i < tensor.numElements; ++i) {
    double v = elementAsDouble(tensor, i);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    minimum = std::min(minimum, v);
    maximum = std::max(maximum, v);
    sum += v;
  }
  int64_t counted = tensor.numElements - nans;
  if (counted > 0)
    std::printf(": min %s, max %s, mean %s",
                formatValue(minimum, isFloat).c_str(),
                formatValue(maximum, isFloat).c_str(),
                formatValue(sum / counted, true).c_str());
  if (nans)
    std::printf("%s%lld NaN", counted > 0 ? ", " : ": ",
                static_cast<long long>(nans));
  std::printf("\n  [");
  const int64_t shown = std::min<int64_t>(tensor.numElements, 8);
  for (int64_t i = 0; i < shown; ++i)
    std::printf("%s%s", i ? ", " : "",
                formatValue(elementAsDouble(tensor, i), isFloat).c_str());
  std::printf("%s]\n", shown < tensor.numElements ? ", ..." : "");
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

int reportError(const std::string &message, int status = 1) {
  std::fflush(stdout);
  std::fprintf(stderr, "seqmix-run: error: %s\n", message.c_str());
  return status;
}

std::string functionNames(const seqmix_library_info &library) {
  std::string names;
  for (int32_t f = 0; f < library.num_functions; ++f)
    names += std::string(f ? ", " : "") + library.functions[f].name;
  return names;
}

void listFunction(const seqmix_function_info &function) {
  std::printf("function %s [%s]", function.name, deviceName(function.device));
  for (int32_t s = 0; s < function.num_symbols; ++s)
    std::printf("%s%s", s ? ", " : ", symbols ", function.symbol_names[s]);
  std::printf("\n");
  for (int32_t i = 0; i < function.num_inputs; ++i)
    std::printf("  input  %s\n",
                formatArg(function, function.inputs[i]).c_str());
  for (int32_t i = 0; i < function.num_outputs; ++i)
    std::printf("  output %s\n",
                formatArg(function, function.outputs[i]).c_str());
}

/// The device side of one call: host buffers for CPU functions, device
/// buffers and a stream for CUDA functions.
class Executor {
public:
  virtual ~Executor() = default;
  /// Calls the function once on the prepared buffers; false with `error` set
  /// on failure. `milliseconds` gets the time of the call.
  virtual bool call(double &milliseconds, std::string &error) = 0;
  /// Copies the outputs of the last call into the host tensors.
  virtual bool fetchOutputs(std::vector<Tensor> &outputs,
                            std::string &error) = 0;
};

std::string statusMessage(const seqmix_function_info &function, int32_t status,
                          const char *(*lastError)()) {
  const char *message = lastError ? lastError() : nullptr;
  return std::string("'") + function.name + "' failed with " +
         statusName(status) + " (" + std::to_string(status) + ")" +
         (message && *message ? std::string(": ") + message : "");
}

class CpuExecutor : public Executor {
public:
  CpuExecutor(const seqmix_function_info &function,
              const std::vector<int64_t> &symbols, std::vector<Tensor> &inputs,
              std::vector<Tensor> &outputs, const char *(*lastError)())
      : function(function), symbols(symbols), lastError(lastError) {
    for (Tensor &t : inputs)
      inputPtrs.push_back(t.data.data());
    for (Tensor &t : outputs) {
      std::memset(t.data.data(), 0xff, t.data.size()); // Poison: NaN or -1.
      outputPtrs.push_back(t.data.data());
    }
  }

  bool call(double &milliseconds, std::string &error) override {
    auto start = std::chrono::steady_clock::now();
    int32_t status = function.entry(inputPtrs.data(), outputPtrs.data(),
                                    symbols.data(), nullptr);
    auto end = std::chrono::steady_clock::now();
    milliseconds =
        std::chrono::duration<double, std::milli>(end - start).count();
    if (status != SEQMIX_OK) {
      error = statusMessage(function, status, lastError);
      return false;
    }
    return true;
  }

  bool fetchOutputs(std::vector<Tensor> &outputs, std::string &error) override {
    return true; // The outputs are the host buffers themselves.
  }

private:
  const seqmix_function_info &function;
  const std::vector<int64_t> &symbols;
  const char *(*lastError)();
  std::vector<void *> inputPtrs, outputPtrs;
};

class CudaExecutor : public Executor {
public:
  CudaExecutor(const seqmix_function_info &function,
               const std::vector<int64_t> &symbols, const char *(*lastError)())
      : function(function), symbols(symbols), lastError(lastError) {}

  ~CudaExecutor() override {
    if (!driver)
      return;
    // Best effort: errors while tearing down are not reported.
    if (startEvent)
      driver->cuEventDestroy(startEvent);
    if (endEvent)
      driver->cuEventDestroy(endEvent);
    for (CUdeviceptr ptr : allocations)
      driver->cuMemFree(ptr);
    if (stream)
      driver->cuStreamDestroy(stream);
  }

  bool prepare(int device, std::vector<Tensor> &inputs,
               std::vector<Tensor> &outputs, std::string &error) {
    driver = CudaDriver::get();
    if (!driver || !driver->setDevice(device) ||
        !SEQMIX_CUDA_CHECK(*driver, cuStreamCreate, &stream,
                           CU_STREAM_NON_BLOCKING) ||
        !SEQMIX_CUDA_CHECK(*driver, cuEventCreate, &startEvent,
                           CU_EVENT_DEFAULT) ||
        !SEQMIX_CUDA_CHECK(*driver, cuEventCreate, &endEvent, CU_EVENT_DEFAULT))
      return fail(error);
    for (Tensor &t : inputs) {
      CUdeviceptr ptr;
      if (!allocate(t.numBytes, ptr))
        return fail(error);
      if (t.numBytes &&
          !SEQMIX_CUDA_CHECK(*driver, cuMemcpyHtoD, ptr, t.data.data(),
                             static_cast<size_t>(t.numBytes)))
        return fail(error);
      inputPtrs.push_back(reinterpret_cast<void *>(ptr));
    }
    for (Tensor &t : outputs) {
      CUdeviceptr ptr;
      if (!allocate(t.numBytes, ptr))
        return fail(error);
      // Poison with NaN bit patterns, over the rounded-up allocation.
      if (!SEQMIX_CUDA_CHECK(*driver, cuMemsetD32, ptr, 0xffffffffu,
                             roundedSize(t.numBytes) / 4))
        return fail(error);
      outputPtrs.push_back(reinterpret_cast<void *>(ptr));
    }
    // The poisoning runs on the legacy default stream; finish it before the
    // function's (non-blocking) stream starts.
    if (!SEQMIX_CUDA_CHECK(*driver, cuStreamSynchronize, nullptr))
      return fail(error);
    return true;
  }

  bool call(double &milliseconds, std::string &error) override {
    if (!SEQMIX_CUDA_CHECK(*driver, cuEventRecord, startEvent, stream))
      return fail(error);
    int32_t status = function.entry(inputPtrs.data(), outputPtrs.data(),
                                    symbols.data(), stream);
    if (status != SEQMIX_OK) {
      error = statusMessage(function, status, lastError);
      return false;
    }
    float elapsed = 0.0f;
    if (!SEQMIX_CUDA_CHECK(*driver, cuEventRecord, endEvent, stream) ||
        !SEQMIX_CUDA_CHECK(*driver, cuStreamSynchronize, stream) ||
        !SEQMIX_CUDA_CHECK(*driver, cuEventSynchronize, endEvent) ||
        !SEQMIX_CUDA_CHECK(*driver, cuEventElapsedTime, &elapsed, startEvent,
                           endEvent))
      return fail(error, "after '" + std::string(function.name) + "': ");
    milliseconds = elapsed;
    return true;
  }

  bool fetchOutputs(std::vector<Tensor> &outputs, std::string &error) override {
    for (size_t i = 0; i < outputs.size(); ++i) {
      Tensor &t = outputs[i];
      if (t.numBytes &&
          !SEQMIX_CUDA_CHECK(*driver, cuMemcpyDtoH, t.data.data(),
                             reinterpret_cast<CUdeviceptr>(outputPtrs[i]),
                             static_cast<size_t>(t.numBytes)))
        return fail(error);
    }
    return true;
  }

private:
  static size_t roundedSize(int64_t bytes) {
    // Never empty (cuMemAlloc refuses 0 bytes), whole 32-bit words.
    return static_cast<size_t>(std::max<int64_t>(4, (bytes + 3) / 4 * 4));
  }

  bool allocate(int64_t bytes, CUdeviceptr &ptr) {
    if (!SEQMIX_CUDA_CHECK(*driver, cuMemAlloc, &ptr, roundedSize(bytes)))
      return false;
    allocations.push_back(ptr);
    return true;
  }

  bool fail(std::string &error, const std::string &prefix = "") {
    error = prefix + getLastError();
    return false;
  }

  const seqmix_function_info &function;
  const std::vector<int64_t> &symbols;
  const char *(*lastError)();
  CudaDriver *driver = nullptr;
  CUstream stream = nullptr;
  CUevent startEvent = nullptr, endEvent = nullptr;
  std::vector<CUdeviceptr> allocations;
  std::vector<void *> inputPtrs, outputPtrs;
};

/// Compares `output` with the reference array `ref`; prints one line. Returns
/// 1 for a failed check, 0 for a passed one, -1 for an error.
int checkOutput(size_t index, const seqmix_arg_info &arg, const Tensor &output,
                const NpyArray &ref, const std::string &refPath, double rtol,
                std::string &error) {
  std::string what = "check #" + std::to_string(index) + " '" + arg.name + "'";
  if (ref.shape != output.shape) {
    error = what + ": '" + refPath + "' has shape " + formatShape(ref.shape) +
            " but the output has shape " + formatShape(output.shape);
    return -1;
  }
  bool refIsBF16 = arg.dtype == SEQMIX_DTYPE_BF16 &&
                   ref.type == npyTypeFor(SEQMIX_DTYPE_BF16);
  double diff2 = 0.0, ref2 = 0.0, maxAbs = 0.0;
  int64_t outputNaNs = 0, refNaNs = 0;
  for (int64_t i = 0; i < output.numElements; ++i) {
    double o = elementAsDouble(output, i);
    double r = refIsBF16 ? loadElement(ref.data.data(), SEQMIX_DTYPE_BF16, i)
                         : loadNpyElement(ref.data.data(), ref.type, i);
    if (std::isnan(o))
      ++outputNaNs;
    if (std::isnan(r))
      ++refNaNs;
    if (std::isnan(o) || std::isnan(r))
      continue;
    double d = o - r;
    diff2 += d * d;
    ref2 += r * r;
    maxAbs = std::max(maxAbs, std::fabs(d));
  }
  if (outputNaNs || refNaNs) {
    std::printf("%s: %lld NaN in the %s: FAILED\n", what.c_str(),
                static_cast<long long>(outputNaNs ? outputNaNs : refNaNs),
                outputNaNs ? "output" : "reference");
    return 1;
  }
  double relative =
      ref2 > 0.0 ? std::sqrt(diff2) / std::sqrt(ref2) : std::sqrt(diff2);
  bool passed = std::isfinite(relative) && relative <= rtol;
  std::printf("%s: rel-l2 %.3g, max-abs %.3g (rtol %g): %s\n", what.c_str(),
              relative, maxAbs, rtol, passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}

int runTool(const Options &options) {
  // Load the library. dlopen searches the library path for a bare name, so
  // make a file name in the working directory explicit.
  std::string path = options.library;
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return reportError("cannot open library '" + path +
                       "': " + std::strerror(errno));
  if (path.find('/') == std::string::npos)
    path = "./" + path;
  dlerror();
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *detail = dlerror();
    return reportError("cannot load library '" + options.library +
                       "': " + (detail ? detail : "unknown error"));
  }
  using LibraryFn = const seqmix_library_info *(*)();
  using LastErrorFn = const char *(*)();
  auto libraryFn = reinterpret_cast<LibraryFn>(dlsym(handle, "seqmix_library"));
  auto lastErrorFn =
      reinterpret_cast<LastErrorFn>(dlsym(handle, "seqmix_last_error"));
  if (!libraryFn || !lastErrorFn)
    return reportError("'" + options.library +
                       "' is not a SeqMix library: it does not export " +
                       (!libraryFn ? "seqmix_library" : "seqmix_last_error"));
  const seqmix_library_info *library = libraryFn();
  std::string error;
  if (library && library->abi_version != SEQMIX_ABI_VERSION)
    return reportError("'" + options.library + "' has SeqMix ABI version " +
                       std::to_string(library->abi_version) +
                       " but seqmix-run supports version " +
                       std::to_string(SEQMIX_ABI_VERSION));
  if (!verifyLibraryInfo(library, error))
    return reportError("'" + options.library + "' has bad metadata: " + error);

  // Choose the function.
  const seqmix_function_info *function = nullptr;
  if (!options.function.empty()) {
    function = findFunction(*library, options.function);
    if (!function)
      return reportError("no function '" + options.function + "' in '" +
                         options.library +
                         "' (its functions: " + functionNames(*library) + ")");
  }
  if (options.list) {
    std::printf("library '%s': SeqMix ABI version %d, %d function%s\n",
                options.library.c_str(), library->abi_version,
                library->num_functions, library->num_functions == 1 ? "" : "s");
    for (int32_t f = 0; f < library->num_functions; ++f)
      if (!function || function == &library->functions[f])
        listFunction(library->functions[f]);
    return 0;
  }
  if (!function) {
    if (library->num_functions == 0)
      return reportError("'" + options.library + "' has no functions");
    if (library->num_functions > 1)
      return reportError("'" + options.library + "' has " +
                         std::to_string(library->num_functions) +
                         " functions (" + functionNames(*library) +
                         "): choose one with --function=NAME");
    function = &library->functions[0];
  }
  const seqmix_function_info &fn = *function;
  const std::string fnName = std::string("'") + fn.name + "'";

  // Check the number of inputs, outputs and references first: it is the
  // cheapest mistake to find.
  if (static_cast<int64_t>(options.inputs.size()) != fn.num_inputs) {
    std::string names;
    for (int32_t i = 0; i < fn.num_inputs; ++i)
      names += std::string(i ? ", " : "") + fn.inputs[i].name;
    return reportError(fnName + " takes " + std::to_string(fn.num_inputs) +
                       " input" + (fn.num_inputs == 1 ? "" : "s") +
                       (names.empty() ? "" : " (" + names + ")") + " but " +
                       std::to_string(options.inputs.size()) + " --input " +
                       (options.inputs.size() == 1 ? "was" : "were") +
                       " given");
  }
  if (!options.outputs.empty() &&
      static_cast<int64_t>(options.outputs.size()) != fn.num_outputs)
    return reportError(fnName + " has " + std::to_string(fn.num_outputs) +
                       " output" + (fn.num_outputs == 1 ? "" : "s") + " but " +
                       std::to_string(options.outputs.size()) +
                       " --output flags were given");
  if (!options.checks.empty() &&
      static_cast<int64_t>(options.checks.size()) != fn.num_outputs)
    return reportError(fnName + " has " + std::to_string(fn.num_outputs) +
                       " output" + (fn.num_outputs == 1 ? "" : "s") + " but " +
                       std::to_string(options.checks.size()) +
                       " --check flags were given");

  // Read or generate the inputs and match their element types.
  NpyFiles files;
  std::vector<Tensor> inputs(fn.num_inputs);
  std::vector<std::vector<int64_t>> inputShapes;
  for (int32_t i = 0; i < fn.num_inputs; ++i) {
    const InputSpec &spec = options.inputs[i];
    Tensor &tensor = inputs[i];
    if (!(spec.path.empty() ? makeInput(spec, i, options.seed, tensor, error)
                            : readInput(files, spec, tensor, error)))
      return reportError(error);
    const seqmix_arg_info &arg = fn.inputs[i];
    std::string expected = std::string("input '") + arg.name + "' (#" +
                           std::to_string(i) + ") of " + fnName + " is " +
                           dtypeName(arg.dtype);
    if (tensor.hasDType && tensor.dtype != arg.dtype)
      return reportError(expected + " but " + tensor.source + " gives " +
                         dtypeName(tensor.dtype));
    if (!tensor.hasDType && tensor.type != npyTypeFor(arg.dtype))
      return reportError(
          expected + " (.npy '" + npyDescr(npyTypeFor(arg.dtype)) +
          (arg.dtype == SEQMIX_DTYPE_BF16 ? "', bf16 bit patterns" : "'") +
          ") but " + tensor.source + " holds '" + npyDescr(tensor.type) +
          "' (" + npyTypeName(tensor.type) + ")");
    tensor.hasDType = true;
    tensor.dtype = arg.dtype;
    inputShapes.push_back(tensor.shape);
  }

  // Bind the symbols.
  std::vector<int64_t> symbols(fn.num_symbols, kUnboundSymbol);
  std::vector<std::string> origins(fn.num_symbols);
  for (const auto &[name, value] : options.symbols) {
    int32_t s = 0;
    while (s < fn.num_symbols && name != fn.symbol_names[s])
      ++s;
    if (s == fn.num_symbols) {
      std::string names;
      for (int32_t k = 0; k < fn.num_symbols; ++k)
        names += std::string(k ? ", " : "") + fn.symbol_names[k];
      return reportError(
          fnName + " has no symbol '" + name + "' (" +
          (names.empty() ? "it has none" : "its symbols: " + names) + ")");
    }
    symbols[s] = value;
    origins[s] = "--symbol=" + name + "=" + std::to_string(value);
  }
  if (!bindSymbols(fn, inputShapes, symbols, error, &origins))
    return reportError(error);
  for (int32_t s = 0; s < fn.num_symbols; ++s)
    if (symbols[s] == kUnboundSymbol)
      return reportError(std::string("symbol ") + fn.symbol_names[s] + " of " +
                         fnName +
                         " is not determined by the input shapes: "
                         "give it with --symbol=" +
                         fn.symbol_names[s] + "=VALUE");

  // Allocate the host side of the outputs.
  std::vector<Tensor> outputs(fn.num_outputs);
  for (int32_t i = 0; i < fn.num_outputs; ++i) {
    const seqmix_arg_info &arg = fn.outputs[i];
    Tensor &t = outputs[i];
    t.hasDType = true;
    t.dtype = arg.dtype;
    t.type = npyTypeFor(arg.dtype);
    t.source = std::string("output '") + arg.name + "'";
    if (!resolveShape(fn, arg, symbols, t.shape, error) ||
        !computeSize(t.shape, dtypeSize(arg.dtype), t.numElements, t.numBytes,
                     error) ||
        !t.data.allocate(static_cast<size_t>(t.numBytes), error))
      return reportError("output '" + std::string(arg.name) + "': " + error);
  }

  // Run once.
  std::unique_ptr<Executor> executor;
  if (fn.device == SEQMIX_DEVICE_CUDA) {
    auto cuda = std::make_unique<CudaExecutor>(fn, symbols, lastErrorFn);
    if (!cuda->prepare(options.cudaDevice, inputs, outputs, error))
      return reportError(fnName + " runs on CUDA: " + error);
    executor = std::move(cuda);
  } else {
    executor = std::make_unique<CpuExecutor>(fn, symbols, inputs, outputs,
                                             lastErrorFn);
  }
  double milliseconds = 0.0;
  if (!executor->call(milliseconds, error) ||
      !executor->fetchOutputs(outputs, error))
    return reportError(error);

  // Outputs.
  for (int32_t i = 0; i < fn.num_outputs; ++i) {
    OutputSpec spec;
    if (!options.outputs.empty())
      spec = options.outputs[i];
    const Tensor &t = outputs[i];
    switch (spec.kind) {
    case OutputSpec::Kind::Ignore:
      break;
    case OutputSpec::Kind::Print:
      printSummary(i, fn.outputs[i], t);
      break;
    case OutputSpec::Kind::Write:
    case OutputSpec::Kind::Append:
      if (!writeNpyFile(spec.path, t.type, t.shape, t.data.data(),
                        static_cast<size_t>(t.numBytes),
                        spec.kind == OutputSpec::Kind::Append, error))
        return reportError(error);
      break;
    }
  }
  std::fflush(stdout);

  // Checks.
  int failedChecks = 0, performedChecks = 0;
  NpyFiles refFiles;
  for (size_t i = 0; i < options.checks.size(); ++i) {
    if (options.checks[i].empty())
      continue;
    ++performedChecks;
    NpyArray ref;
    if (!refFiles.read(options.checks[i], ref, error))
      return reportError(error);
    int result = checkOutput(i, fn.outputs[i], outputs[i], ref,
                             options.checks[i], options.rtol, error);
    if (result < 0)
      return reportError(error);
    failedChecks += result;
  }
  std::fflush(stdout);

  // Benchmark.
  if (options.benchmark > 0) {
    const int warmup = 3;
    for (int i = 0; i < warmup; ++i)
      if (!executor->call(milliseconds, error))
        return reportError(error);
    std::vector<double> times;
    for (int64_t i = 0; i < options.benchmark; ++i) {
      if (!executor->call(milliseconds, error))
        return reportError(error);
      times.push_back(milliseconds);
    }
    std::sort(times.begin(), times.end());
    size_t n = times.size();
    double median =
        n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    std::printf("benchmark %s [%s]: %lld calls after %d warm-up calls: "
                "median %.4g ms, min %.4g ms, max %.4g ms\n",
                fnName.c_str(), deviceName(fn.device),
                static_cast<long long>(options.benchmark), warmup, median,
                times.front(), times.back());
    std::fflush(stdout);
  }

  if (failedChecks)
    return reportError(std::to_string(failedChecks) + " of " +
                       std::to_string(performedChecks) + " checks failed");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  std::string error;
  if (!parseCommandLine(argc, argv, options, error))
    return reportError(error, 2);
  if (options.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  return runTool(options);
}
