//===- ABIUtils.h - helpers over the SeqMix library ABI ---------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// What a host of a compiled SeqMix library (seqmix-run, a C++ embedder) does
// with the metadata of SeqMixABI.h: check it, print shape rules, bind the
// symbols of a function from the shapes of its inputs, and compute the shapes
// of its outputs.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_ABIUTILS_H
#define SEQMIX_RUNTIME_ABIUTILS_H

#include "seqmix/Runtime/SeqMixABI.h"

#include <cstdint>
#include <string>
#include <vector>

namespace seqmix {
namespace runtime {

/// The value of a symbol that is not bound yet.
constexpr int64_t kUnboundSymbol = -1;

/// "cpu" or "cuda".
const char *deviceName(seqmix_device device);
/// "SEQMIX_OK", "SEQMIX_ERROR_SHAPE", ... ("unknown status" otherwise).
const char *statusName(int32_t status);

/// Checks that the metadata a library returns is well formed: version,
/// non-null names and arrays, known dtypes and devices, unique function
/// names, symbol indices in range, non-negative static sizes.
bool verifyLibraryInfo(const seqmix_library_info *library, std::string &error);

/// The function named `name`, or null.
const seqmix_function_info *findFunction(const seqmix_library_info &library,
                                         const std::string &name);

/// "4", "N", "N + 1", "N - 2".
std::string formatDim(const seqmix_function_info &function,
                      const seqmix_dim &dim);
/// "q: bf16[B, T, 4, 64]".
std::string formatArg(const seqmix_function_info &function,
                      const seqmix_arg_info &arg);

/// Binds the symbols of `function` from the shapes of its inputs. `symbols`
/// has one entry per symbol: a value the caller already fixed, or
/// kUnboundSymbol; `presetOrigin` (may be null) names where each fixed value
/// came from, for messages. Each dimension `symbol + offset` gives the symbol
/// the value `size - offset`, which must be non-negative and the same for
/// every dimension that names the symbol; a static dimension must equal its
/// size. On failure `error` names the input, the dimension and both values.
/// Symbols that no input names stay unbound.
bool bindSymbols(const seqmix_function_info &function,
                 const std::vector<std::vector<int64_t>> &inputShapes,
                 std::vector<int64_t> &symbols, std::string &error,
                 const std::vector<std::string> *presetOrigin = nullptr);

/// The shape of `arg` for the given symbol values. False if a symbol it names
/// is unbound or a dimension would be negative.
bool resolveShape(const seqmix_function_info &function,
                  const seqmix_arg_info &arg,
                  const std::vector<int64_t> &symbols,
                  std::vector<int64_t> &shape, std::string &error);

} // namespace runtime
} // namespace seqmix

#endif // SEQMIX_RUNTIME_ABIUTILS_H
