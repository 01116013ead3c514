//===- ABIUtils.cpp - helpers over the SeqMix library ABI -----------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/ABIUtils.h"
#include "seqmix/Runtime/Runtime.h"

#include <set>

using namespace seqmix::runtime;

const char *seqmix::runtime::deviceName(seqmix_device device) {
  switch (device) {
  case SEQMIX_DEVICE_CPU:
    return "cpu";
  case SEQMIX_DEVICE_CUDA:
    return "cuda";
  }
  return "?";
}

const char *seqmix::runtime::statusName(int32_t status) {
  switch (status) {
  case SEQMIX_OK:
    return "SEQMIX_OK";
  case SEQMIX_ERROR_INVALID_ARGUMENT:
    return "SEQMIX_ERROR_INVALID_ARGUMENT";
  case SEQMIX_ERROR_SHAPE:
    return "SEQMIX_ERROR_SHAPE";
  case SEQMIX_ERROR_CUDA:
    return "SEQMIX_ERROR_CUDA";
  case SEQMIX_ERROR_OUT_OF_MEMORY:
    return "SEQMIX_ERROR_OUT_OF_MEMORY";
  case SEQMIX_ERROR_INTERNAL:
    return "SEQMIX_ERROR_INTERNAL";
  }
  return "unknown status";
}

/// Checks the inputs or outputs of `function`.
static bool verifyArgs(const seqmix_function_info &function, const char *kind,
                       int32_t count, const seqmix_arg_info *args,
                       std::string &error) {
  std::string where = std::string("function '") + function.name + "': ";
  if (count < 0 || (count > 0 && !args)) {
    error = where + "bad " + kind + " array";
    return false;
  }
  for (int32_t i = 0; i < count; ++i) {
    const seqmix_arg_info &arg = args[i];
    std::string argWhere = where + kind + " #" + std::to_string(i);
    if (!arg.name) {
      error = argWhere + " has no name";
      return false;
    }
    argWhere += " '" + std::string(arg.name) + "'";
    if (!isValidDType(arg.dtype)) {
      error = argWhere + " has unknown dtype " + std::to_string(arg.dtype);
      return false;
    }
    if (arg.rank < 0 || arg.rank > 64 || (arg.rank > 0 && !arg.dims)) {
      error = argWhere + " has a bad rank or no dims";
      return false;
    }
    for (int32_t d = 0; d < arg.rank; ++d) {
      const seqmix_dim &dim = arg.dims[d];
      if (dim.symbol >= function.num_symbols) {
        error = argWhere + " dimension " + std::to_string(d) +
                " names symbol " + std::to_string(dim.symbol) +
                " but the function has " +
                std::to_string(function.num_symbols) + " symbols";
        return false;
      }
      if (dim.symbol < 0 && dim.offset < 0) {
        error = argWhere + " dimension " + std::to_string(d) +
                " has negative static size " + std::to_string(dim.offset);
        return false;
      }
    }
  }
  return true;
}

bool seqmix::runtime::verifyLibraryInfo(const seqmix_library_info *library,
                                        std::string &error) {
  if (!library) {
    error = "seqmix_library() returned null";
    return false;
  }
  if (library->abi_version != SEQMIX_ABI_VERSION) {
    error = "the library has ABI version " +
            std::to_string(library->abi_version) + " but this runtime uses " +
            std::to_string(SEQMIX_ABI_VERSION);
    return false;
  }
  if (library->num_functions < 0 ||
      (library->num_functions > 0 && !library->functions)) {
    error = "the library describes a bad function array";
    return false;
  }
  std::set<std::string> names;
  for (int32_t f = 0; f < library->num_functions; ++f) {
    const seqmix_function_info &function = library->functions[f];
    if (!function.name) {
      error = "function #" + std::to_string(f) + " has no name";
      return false;
    }
    std::string where = std::string("function '") + function.name + "'";
    if (!names.insert(function.name).second) {
      error = "two functions are named '" + std::string(function.name) + "'";
      return false;
    }
    if (function.device != SEQMIX_DEVICE_CPU &&
        function.device != SEQMIX_DEVICE_CUDA) {
      error = where + " has unknown device " + std::to_string(function.device);
      return false;
    }
    if (!function.entry) {
      error = where + " has no entry point";
      return false;
    }
    if (function.num_symbols < 0 ||
        (function.num_symbols > 0 && !function.symbol_names)) {
      error = where + " has a bad symbol array";
      return false;
    }
    for (int32_t s = 0; s < function.num_symbols; ++s) {
      if (!function.symbol_names[s]) {
        error = where + ": symbol #" + std::to_string(s) + " has no name";
        return false;
      }
    }
    if (!verifyArgs(function, "input", function.num_inputs, function.inputs,
                    error) ||
        !verifyArgs(function, "output", function.num_outputs, function.outputs,
                    error))
      return false;
  }
  return true;
}

const seqmix_function_info *
seqmix::runtime::findFunction(const seqmix_library_info &library,
                              const std::string &name) {
  for (int32_t f = 0; f < library.num_functions; ++f)
    if (name == library.functions[f].name)
      return &library.functions[f];
  return nullptr;
}

std::string seqmix::runtime::formatDim(const seqmix_function_info &function,
                                       const seqmix_dim &dim) {
  if (dim.symbol < 0)
    return std::to_string(dim.offset);
  std::string text = function.symbol_names[dim.symbol];
  if (dim.offset > 0)
    text += " + " + std::to_string(dim.offset);
  else if (dim.offset < 0)
    text += " - " + std::to_string(-dim.offset);
  return text;
}

std::string seqmix::runtime::formatArg(const seqmix_function_info &function,
                                       const seqmix_arg_info &arg) {
  std::string text = std::string(arg.name) + ": " + dtypeName(arg.dtype) + "[";
  for (int32_t d = 0; d < arg.rank; ++d) {
    if (d)
      text += ", ";
    text += formatDim(function, arg.dims[d]);
  }
  return text + "]";
}

static std::string describeInput(const seqmix_function_info &function,
                                 int32_t index) {
  return std::string("input '") + function.inputs[index].name + "' (#" +
         std::to_string(index) + ")";
}

bool seqmix::runtime::bindSymbols(
    const seqmix_function_info &function,
    const std::vector<std::vector<int64_t>> &inputShapes,
    std::vector<int64_t> &symbols, std::string &error,
    const std::vector<std::string> *presetOrigin) {
  if (static_cast<int64_t>(inputShapes.size()) != function.num_inputs) {
    error = std::string("function '") + function.name + "' takes " +
            std::to_string(function.num_inputs) + " inputs, not " +
            std::to_string(inputShapes.size());
    return false;
  }
  symbols.resize(function.num_symbols, kUnboundSymbol);
  // Where each symbol got its value, for messages.
  std::vector<std::string> origin(function.num_symbols);
  for (int32_t s = 0; s < function.num_symbols; ++s)
    if (symbols[s] != kUnboundSymbol)
      origin[s] = presetOrigin && s < static_cast<int32_t>(presetOrigin->size())
                      ? (*presetOrigin)[s]
                      : std::string("the caller");

  for (int32_t i = 0; i < function.num_inputs; ++i) {
    const seqmix_arg_info &arg = function.inputs[i];
    const std::vector<int64_t> &shape = inputShapes[i];
    std::string rule = formatArg(function, arg);
    if (static_cast<int64_t>(shape.size()) != arg.rank) {
      error = describeInput(function, i) + " has rank " +
              std::to_string(shape.size()) + " (shape " + formatShape(shape) +
              ") but '" + function.name + "' expects rank " +
              std::to_string(arg.rank) + " (" + rule + ")";
      return false;
    }
    for (int32_t d = 0; d < arg.rank; ++d) {
      const seqmix_dim &dim = arg.dims[d];
      int64_t size = shape[d];
      std::string where = describeInput(function, i) + " dimension " +
                          std::to_string(d) + " (" + formatDim(function, dim) +
                          ")";
      if (dim.symbol < 0) {
        if (size != dim.offset) {
          error = where + " is " + std::to_string(size) + " but '" +
                  function.name + "' expects " + std::to_string(dim.offset) +
                  " (" + rule + ")";
          return false;
        }
        continue;
      }
      int64_t value;
      const char *name = function.symbol_names[dim.symbol];
      if (__builtin_sub_overflow(size, dim.offset, &value) || value < 0) {
        error = where + " is " + std::to_string(size) +
                " but must be at least " + std::to_string(dim.offset) +
                " so that " + name + " is not negative (" + rule + ")";
        return false;
      }
      int64_t &bound = symbols[dim.symbol];
      if (bound == kUnboundSymbol) {
        bound = value;
        origin[dim.symbol] =
            describeInput(function, i) + " dimension " + std::to_string(d);
        continue;
      }
      if (bound != value) {
        error = where + " is " + std::to_string(size) + ", which gives " +
                name + " = " + std::to_string(value) + ", but " +
                origin[dim.symbol] + " gave " + name + " = " +
                std::to_string(bound);
        return false;
      }
    }
  }
  return true;
}

bool seqmix::runtime::resolveShape(const seqmix_function_info &function,
                                   const seqmix_arg_info &arg,
                                   const std::vector<int64_t> &symbols,
                                   std::vector<int64_t> &shape,
                                   std::string &error) {
  shape.assign(arg.rank, 0);
  for (int32_t d = 0; d < arg.rank; ++d) {
    const seqmix_dim &dim = arg.dims[d];
    if (dim.symbol < 0) {
      shape[d] = dim.offset;
      continue;
    }
    if (dim.symbol >= static_cast<int32_t>(symbols.size()) ||
        symbols[dim.symbol] == kUnboundSymbol) {
      error = std::string("'") + arg.name + "' (" + formatArg(function, arg) +
              "): symbol " + function.symbol_names[dim.symbol] +
              " has no value";
      return false;
    }
    int64_t size;
    if (__builtin_add_overflow(symbols[dim.symbol], dim.offset, &size) ||
        size < 0) {
      error = std::string("'") + arg.name + "' (" + formatArg(function, arg) +
              "): dimension " + std::to_string(d) + " would be " +
              std::to_string(size);
      return false;
    }
    shape[d] = size;
  }
  return true;
}
