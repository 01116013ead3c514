//===- Runtime.cpp - element types, host buffers, last error --------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/Runtime.h"
#include "seqmix/Runtime/CSupport.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace seqmix::runtime;

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

bool seqmix::runtime::isValidDType(int32_t dtype) {
  return dtype >= SEQMIX_DTYPE_F32 && dtype <= SEQMIX_DTYPE_LAST;
}

const char *seqmix::runtime::dtypeName(seqmix_dtype dtype) {
  switch (dtype) {
  case SEQMIX_DTYPE_F32:
    return "f32";
  case SEQMIX_DTYPE_F64:
    return "f64";
  case SEQMIX_DTYPE_BF16:
    return "bf16";
  case SEQMIX_DTYPE_F16:
    return "f16";
  case SEQMIX_DTYPE_I32:
    return "i32";
  case SEQMIX_DTYPE_I64:
    return "i64";
  case SEQMIX_DTYPE_BOOL:
    return "bool";
  case SEQMIX_DTYPE_I8:
    return "i8";
  case SEQMIX_DTYPE_I16:
    return "i16";
  }
  return "?";
}

int64_t seqmix::runtime::dtypeSize(seqmix_dtype dtype) {
  switch (dtype) {
  case SEQMIX_DTYPE_F32:
  case SEQMIX_DTYPE_I32:
    return 4;
  case SEQMIX_DTYPE_F64:
  case SEQMIX_DTYPE_I64:
    return 8;
  case SEQMIX_DTYPE_BF16:
  case SEQMIX_DTYPE_F16:
  case SEQMIX_DTYPE_I16:
    return 2;
  case SEQMIX_DTYPE_BOOL:
  case SEQMIX_DTYPE_I8:
    return 1;
  }
  return 0;
}

bool seqmix::runtime::parseDType(const std::string &name, seqmix_dtype &dtype) {
  for (int32_t i = SEQMIX_DTYPE_F32; i <= SEQMIX_DTYPE_LAST; ++i) {
    if (name == dtypeName(static_cast<seqmix_dtype>(i))) {
      dtype = static_cast<seqmix_dtype>(i);
      return true;
    }
  }
  return false;
}

bool seqmix::runtime::isFloatDType(seqmix_dtype dtype) {
  return dtype == SEQMIX_DTYPE_F32 || dtype == SEQMIX_DTYPE_F64 ||
         dtype == SEQMIX_DTYPE_BF16 || dtype == SEQMIX_DTYPE_F16;
}

static uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

static float bitsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

float seqmix::runtime::bf16ToFloat(uint16_t bits) {
  return bitsFloat(static_cast<uint32_t>(bits) << 16);
}

uint16_t seqmix::runtime::floatToBF16(float value) {
  uint32_t bits = floatBits(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it NaN, make it quiet.
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  // Round to nearest even; overflow rounds to infinity.
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float seqmix::runtime::halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0x1f) // Infinity or NaN.
    return bitsFloat(sign | 0x7f800000u | (mantissa << 13));
  if (exponent == 0) { // Zero or subnormal: mantissa * 2^-24.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  return bitsFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

uint16_t seqmix::runtime::floatToHalf(float value) {
  uint32_t bits = floatBits(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) { // Infinity or NaN (made quiet).
    if (magnitude == 0x7f800000u)
      return sign | 0x7c00u;
    return sign | 0x7e00u | static_cast<uint16_t>((magnitude >> 13) & 0x3ffu);
  }
  if (magnitude >= 0x477ff000u) // >= 65520: rounds to infinity.
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) { // Below 2^-14: subnormal half (or zero).
    // Scaling by 2^24 is exact; rint rounds to nearest even.
    float scaled = bitsFloat(magnitude) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::rint(scaled));
  }
  uint32_t mantissa = magnitude & 0x7fffffu;
  uint32_t exponent = (magnitude >> 23) - 127 + 15;
  uint32_t half = (exponent << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
    ++half; // A carry into the exponent is the right result.
  return sign | static_cast<uint16_t>(half);
}

double seqmix::runtime::loadElement(const void *data, seqmix_dtype dtype,
                                    size_t index) {
  const char *base = static_cast<const char *>(data);
  switch (dtype) {
  case SEQMIX_DTYPE_F32: {
    float v;
    std::memcpy(&v, base + 4 * index, 4);
    return v;
  }
  case SEQMIX_DTYPE_F64: {
    double v;
    std::memcpy(&v, base + 8 * index, 8);
    return v;
  }
  case SEQMIX_DTYPE_BF16:
  case SEQMIX_DTYPE_F16: {
    uint16_t v;
    std::memcpy(&v, base + 2 * index, 2);
    return dtype == SEQMIX_DTYPE_BF16 ? bf16ToFloat(v) : halfToFloat(v);
  }
  case SEQMIX_DTYPE_I32: {
    int32_t v;
    std::memcpy(&v, base + 4 * index, 4);
    return v;
  }
  case SEQMIX_DTYPE_I64: {
    int64_t v;
    std::memcpy(&v, base + 8 * index, 8);
    return static_cast<double>(v);
  }
  case SEQMIX_DTYPE_BOOL: {
    // The byte as is: an unwritten (poisoned, 0xff) element reads 255.
    uint8_t v;
    std::memcpy(&v, base + index, 1);
    return v;
  }
  case SEQMIX_DTYPE_I8: {
    int8_t v;
    std::memcpy(&v, base + index, 1);
    return v;
  }
  case SEQMIX_DTYPE_I16: {
    int16_t v;
    std::memcpy(&v, base + 2 * index, 2);
    return v;
  }
  }
  return 0.0;
}

template <typename T> static T saturate(double value) {
  if (std::isnan(value))
    return 0;
  if (value <= static_cast<double>(std::numeric_limits<T>::min()))
    return std::numeric_limits<T>::min();
  if (value >= static_cast<double>(std::numeric_limits<T>::max()))
    return std::numeric_limits<T>::max();
  return static_cast<T>(value);
}

void seqmix::runtime::storeElement(void *data, seqmix_dtype dtype, size_t index,
                                   double value) {
  char *base = static_cast<char *>(data);
  switch (dtype) {
  case SEQMIX_DTYPE_F32: {
    float v = static_cast<float>(value);
    std::memcpy(base + 4 * index, &v, 4);
    return;
  }
  case SEQMIX_DTYPE_F64:
    std::memcpy(base + 8 * index, &value, 8);
    return;
  case SEQMIX_DTYPE_BF16:
  case SEQMIX_DTYPE_F16: {
    float f = static_cast<float>(value);
    uint16_t v = dtype == SEQMIX_DTYPE_BF16 ? floatToBF16(f) : floatToHalf(f);
    std::memcpy(base + 2 * index, &v, 2);
    return;
  }
  case SEQMIX_DTYPE_I32: {
    int32_t v = saturate<int32_t>(value);
    std::memcpy(base + 4 * index, &v, 4);
    return;
  }
  case SEQMIX_DTYPE_I64: {
    int64_t v = saturate<int64_t>(value);
    std::memcpy(base + 8 * index, &v, 8);
    return;
  }
  case SEQMIX_DTYPE_BOOL: {
    uint8_t v = value != 0.0 && !std::isnan(value);
    std::memcpy(base + index, &v, 1);
    return;
  }
  case SEQMIX_DTYPE_I8: {
    int8_t v = saturate<int8_t>(value);
    std::memcpy(base + index, &v, 1);
    return;
  }
  case SEQMIX_DTYPE_I16: {
    int16_t v = saturate<int16_t>(value);
    std::memcpy(base + 2 * index, &v, 2);
    return;
  }
  }
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

std::string seqmix::runtime::formatShape(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

bool seqmix::runtime::computeSize(const std::vector<int64_t> &shape,
                                  int64_t elementSize, int64_t &numElements,
                                  int64_t &numBytes, std::string &error) {
  const int64_t limit = std::numeric_limits<int64_t>::max();
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) {
      error = "negative dimension " + std::to_string(dim) + " in shape " +
              formatShape(shape);
      return false;
    }
    if (dim != 0 && count > limit / dim) {
      error = "shape " + formatShape(shape) + " is too large";
      return false;
    }
    count *= dim;
  }
  if (elementSize > 0 && count > limit / elementSize) {
    error = "shape " + formatShape(shape) + " is too large";
    return false;
  }
  numElements = count;
  numBytes = count * elementSize;
  return true;
}

//===----------------------------------------------------------------------===//
// Host memory
//===----------------------------------------------------------------------===//

HostBuffer::~HostBuffer() { reset(); }

HostBuffer::HostBuffer(HostBuffer &&other) noexcept
    : ptr(other.ptr), bytes(other.bytes) {
  other.ptr = nullptr;
  other.bytes = 0;
}

HostBuffer &HostBuffer::operator=(HostBuffer &&other) noexcept {
  if (this != &other) {
    reset();
    ptr = other.ptr;
    bytes = other.bytes;
    other.ptr = nullptr;
    other.bytes = 0;
  }
  return *this;
}

bool HostBuffer::allocate(size_t size, std::string &error) {
  reset();
  void *p = nullptr;
  // Round up so that a zero size still gives a pointer, and so that code
  // that reads whole vectors past the end of a tensor stays in bounds.
  size_t rounded = (size + 63) / 64 * 64;
  if (rounded < size || posix_memalign(&p, 64, rounded ? rounded : 64) != 0) {
    error = "out of host memory: cannot allocate " + std::to_string(size) +
            " bytes";
    return false;
  }
  ptr = p;
  bytes = size;
  return true;
}

void HostBuffer::reset() {
  std::free(ptr);
  ptr = nullptr;
  bytes = 0;
}

//===----------------------------------------------------------------------===//
// Last error
//===----------------------------------------------------------------------===//

static std::string &lastErrorStorage() {
  static thread_local std::string message;
  return message;
}

const char *seqmix::runtime::getLastError() {
  return lastErrorStorage().c_str();
}

void seqmix::runtime::setLastError(const std::string &message) {
  lastErrorStorage() = message;
}

void seqmix::runtime::clearLastError() { lastErrorStorage().clear(); }

extern "C" const char *seqmix_runtime_last_error(void) {
  return getLastError();
}
