//===- Runtime.h - SeqMix runtime support -----------------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Element types, half-precision conversions, host buffers and the
// thread-local last-error string of libseqmix_runtime.
//
// libseqmix_runtime is plain C++17 over libstdc++, libdl and pthread: it runs
// on machines without LLVM, MLIR or the CUDA toolkit, and none of its headers
// include theirs.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_RUNTIME_H
#define SEQMIX_RUNTIME_RUNTIME_H

#include "seqmix/Runtime/SeqMixABI.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seqmix {
namespace runtime {

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// True for the values of seqmix_dtype this runtime knows.
bool isValidDType(int32_t dtype);
/// "f32", "f64", "bf16", "f16", "i32", "i64" ("?" for an unknown value).
const char *dtypeName(seqmix_dtype dtype);
/// Size in bytes of one element (0 for an unknown value).
int64_t dtypeSize(seqmix_dtype dtype);
/// Parses a name printed by dtypeName.
bool parseDType(const std::string &name, seqmix_dtype &dtype);
/// True for f32, f64, bf16 and f16.
bool isFloatDType(seqmix_dtype dtype);

/// bf16 and IEEE half conversions; float to 16 bits rounds to nearest even
/// and keeps NaNs NaN.
float bf16ToFloat(uint16_t bits);
uint16_t floatToBF16(float value);
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);

/// Element `index` of a dense buffer of `dtype`, as a double (bf16 and f16
/// decoded).
double loadElement(const void *data, seqmix_dtype dtype, size_t index);
/// Stores `value` into element `index`, rounded to `dtype` (integers are
/// truncated toward zero and saturated).
void storeElement(void *data, seqmix_dtype dtype, size_t index, double value);

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// "[2, 3]" ("[]" for a scalar).
std::string formatShape(const std::vector<int64_t> &shape);
/// The number of elements of `shape` and its size in bytes for elements of
/// `elementSize` bytes. False, with `error` set, for a negative dimension or
/// a size that does not fit in 63 bits.
bool computeSize(const std::vector<int64_t> &shape, int64_t elementSize,
                 int64_t &numElements, int64_t &numBytes, std::string &error);

//===----------------------------------------------------------------------===//
// Host memory
//===----------------------------------------------------------------------===//

/// A 64-byte aligned, uninitialised host allocation. Allocation failure is an
/// error, not an exception.
class HostBuffer {
public:
  HostBuffer() = default;
  ~HostBuffer();
  HostBuffer(const HostBuffer &) = delete;
  HostBuffer &operator=(const HostBuffer &) = delete;
  HostBuffer(HostBuffer &&other) noexcept;
  HostBuffer &operator=(HostBuffer &&other) noexcept;

  /// Replaces the contents with `size` uninitialised bytes (a zero size still
  /// gives a valid, non-null pointer).
  bool allocate(size_t size, std::string &error);
  void reset();

  void *data() { return ptr; }
  const void *data() const { return ptr; }
  size_t size() const { return bytes; }

private:
  void *ptr = nullptr;
  size_t bytes = 0;
};

//===----------------------------------------------------------------------===//
// Last error
//===----------------------------------------------------------------------===//

/// The thread-local message of the last failure in libseqmix_runtime (and in
/// the code that reports through it, like the mgpu* functions), or "".
const char *getLastError();
void setLastError(const std::string &message);
void clearLastError();

} // namespace runtime
} // namespace seqmix

#endif // SEQMIX_RUNTIME_RUNTIME_H
