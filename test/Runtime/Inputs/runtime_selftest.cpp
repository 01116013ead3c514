//===- runtime_selftest.cpp - unit checks of libseqmix_runtime ------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Checks of libseqmix_runtime's pieces that seqmix-run exercises only in part:
// memrefCopy over many layouts, the bf16 and f16 conversions, the .npy header
// writer and parser, symbol binding. Run by test/Runtime/selftest.test; like
// the runtime, it uses no LLVM and no test framework. Prints one line per
// failed check and a summary; exits 1 if any check failed.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/ABIUtils.h"
#include "seqmix/Runtime/CSupport.h"
#include "seqmix/Runtime/Npy.h"
#include "seqmix/Runtime/Runtime.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace seqmix::runtime;

static int numChecks = 0, numFailures = 0;

static void check(bool condition, const std::string &what) {
  ++numChecks;
  if (!condition) {
    ++numFailures;
    std::printf("FAILED: %s\n", what.c_str());
  }
}

//===----------------------------------------------------------------------===//
// memrefCopy
//===----------------------------------------------------------------------===//

/// A ranked descriptor of any rank, laid out as MLIR lays it out.
struct Descriptor {
  std::vector<int64_t> words; // allocated, aligned, offset, sizes, strides

  Descriptor(void *base, int64_t offset, const std::vector<int64_t> &sizes,
             const std::vector<int64_t> &strides) {
    words.resize(3 + 2 * sizes.size());
    std::memcpy(&words[0], &base, sizeof(void *));
    std::memcpy(&words[1], &base, sizeof(void *));
    words[2] = offset;
    for (size_t d = 0; d < sizes.size(); ++d) {
      words[3 + d] = sizes[d];
      words[3 + sizes.size() + d] = strides[d];
    }
  }
};

/// Copies a strided view of `src` into a strided view of `dst` with
/// memrefCopy and compares every element with a direct loop.
static void checkCopy(const std::string &name,
                      const std::vector<int64_t> &sizes, int64_t srcOffset,
                      const std::vector<int64_t> &srcStrides, int64_t dstOffset,
                      const std::vector<int64_t> &dstStrides) {
  std::vector<float> src(512), dst(512, -1.0f), expected(512, -1.0f);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<float>(i);
  int64_t rank = static_cast<int64_t>(sizes.size());
  int64_t count = 1;
  for (int64_t s : sizes)
    count *= s;
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t rest = linear, s = srcOffset, d = dstOffset;
    for (int64_t k = rank - 1; k >= 0; --k) {
      int64_t index = rest % sizes[k];
      rest /= sizes[k];
      s += index * srcStrides[k];
      d += index * dstStrides[k];
    }
    expected[d] = src[s];
  }
  Descriptor srcDesc(src.data(), srcOffset, sizes, srcStrides);
  Descriptor dstDesc(dst.data(), dstOffset, sizes, dstStrides);
  SeqMixUnrankedMemRef srcRef = {rank, srcDesc.words.data()};
  SeqMixUnrankedMemRef dstRef = {rank, dstDesc.words.data()};
  memrefCopy(sizeof(float), &srcRef, &dstRef);
  check(dst == expected, "memrefCopy " + name);
}

static void checkMemrefCopy() {
  checkCopy("rank 0", {}, 5, {}, 7, {});
  checkCopy("contiguous 1-D", {10}, 3, {1}, 0, {1});
  checkCopy("strided 1-D", {10}, 1, {3}, 2, {2});
  checkCopy("contiguous 2-D", {4, 5}, 0, {5, 1}, 100, {5, 1});
  checkCopy("transpose", {4, 5}, 0, {1, 4}, 0, {5, 1});
  checkCopy("padded rows", {3, 4}, 2, {8, 1}, 1, {6, 1});
  checkCopy("size-1 dims", {1, 6, 1}, 4, {99, 1, 77}, 0, {6, 1, 1});
  checkCopy("3-D permutation", {2, 3, 4}, 0, {1, 2, 6}, 0, {12, 4, 1});
  checkCopy("inner contiguous, outer strided", {3, 2, 4}, 0, {16, 4, 1}, 0,
            {8, 4, 1});
  checkCopy("empty", {3, 0, 2}, 0, {0, 2, 1}, 0, {0, 2, 1});
  checkCopy("negative stride", {5}, 4, {-1}, 0, {1});
  checkCopy("broadcast source", {3, 4}, 0, {0, 1}, 0, {4, 1});

  void *p = _mlir_memref_to_llvm_aligned_alloc(64, 100);
  check(p && reinterpret_cast<uintptr_t>(p) % 64 == 0,
        "_mlir_memref_to_llvm_aligned_alloc aligns");
  _mlir_memref_to_llvm_free(p);
  p = _mlir_memref_to_llvm_alloc(16);
  check(p != nullptr, "_mlir_memref_to_llvm_alloc");
  _mlir_memref_to_llvm_free(p);
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

static void checkConversions() {
  // Every bf16 and f16 bit pattern that is not NaN survives a round trip.
  bool bf16RoundTrip = true, halfRoundTrip = true;
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    uint16_t b = static_cast<uint16_t>(bits);
    float v = bf16ToFloat(b);
    if (!std::isnan(v) && floatToBF16(v) != b)
      bf16RoundTrip = false;
    if (std::isnan(v) && !std::isnan(bf16ToFloat(floatToBF16(v))))
      bf16RoundTrip = false;
    float h = halfToFloat(b);
    if (!std::isnan(h) && floatToHalf(h) != b)
      halfRoundTrip = false;
    if (std::isnan(h) && !std::isnan(halfToFloat(floatToHalf(h))))
      halfRoundTrip = false;
  }
  check(bf16RoundTrip, "bf16 round trip of every pattern");
  check(halfRoundTrip, "f16 round trip of every pattern");

  // Rounding to nearest, ties to even.
  check(floatToBF16(1.0f + 1.0f / 256) == 0x3f80, "bf16 tie to even (down)");
  check(floatToBF16(1.0f + 3.0f / 256) == 0x3f82, "bf16 tie to even (up)");
  check(floatToBF16(1.0f + 1.0f / 200) == 0x3f81, "bf16 rounds to nearest");
  check(floatToHalf(1.0f + 1.0f / 2048) == 0x3c00, "f16 tie to even (down)");
  check(floatToHalf(1.0f + 3.0f / 2048) == 0x3c02, "f16 tie to even (up)");
  check(floatToHalf(65504.0f) == 0x7bff, "f16 max");
  check(floatToHalf(65519.0f) == 0x7bff, "f16 below the overflow tie");
  check(floatToHalf(65520.0f) == 0x7c00, "f16 overflow to infinity");
  check(floatToHalf(-1e10f) == 0xfc00, "f16 -infinity");
  check(floatToHalf(5.9604645e-8f) == 0x0001, "f16 smallest subnormal");
  check(floatToHalf(2.9802322e-8f) == 0x0000, "f16 tie to zero");
  check(floatToHalf(6.1035156e-5f) == 0x0400, "f16 smallest normal");
  check(floatToBF16(3.4e38f) == 0x7f80, "bf16 overflow to infinity");

  double values[] = {0.5, -2.0, 3.0};
  for (int32_t dtype = SEQMIX_DTYPE_F32; dtype <= SEQMIX_DTYPE_LAST; ++dtype) {
    auto d = static_cast<seqmix_dtype>(dtype);
    if (d == SEQMIX_DTYPE_BOOL)
      continue; // below
    char buffer[64];
    for (int i = 0; i < 3; ++i)
      storeElement(buffer, d, i, values[i]);
    double expected0 = isFloatDType(d) ? 0.5 : 0.0;
    check(loadElement(buffer, d, 0) == expected0 &&
              loadElement(buffer, d, 1) == -2.0 &&
              loadElement(buffer, d, 2) == 3.0,
          std::string("store/load ") + dtypeName(d));
  }
  char buffer[8];
  storeElement(buffer, SEQMIX_DTYPE_I32, 0, 1e12);
  check(loadElement(buffer, SEQMIX_DTYPE_I32, 0) == 2147483647.0,
        "i32 saturates");
  storeElement(buffer, SEQMIX_DTYPE_I8, 0, -300);
  check(loadElement(buffer, SEQMIX_DTYPE_I8, 0) == -128.0, "i8 saturates");
  for (int i = 0; i < 3; ++i)
    storeElement(buffer, SEQMIX_DTYPE_BOOL, i, values[i]);
  storeElement(buffer, SEQMIX_DTYPE_BOOL, 3, 0.0);
  check(buffer[0] == 1 && buffer[1] == 1 && buffer[2] == 1 && buffer[3] == 0,
        "bool stores 0 or 1");
  buffer[4] = static_cast<char>(0xff);
  check(loadElement(buffer, SEQMIX_DTYPE_BOOL, 4) == 255.0,
        "bool reads a poisoned byte as 255");
}

//===----------------------------------------------------------------------===//
// .npy headers
//===----------------------------------------------------------------------===//

static void checkNpyHeader(const std::string &text, bool ok,
                           const std::string &what) {
  NpyType type;
  std::vector<int64_t> shape;
  std::string error;
  check(parseNpyHeader(text, type, shape, error) == ok,
        "npy header " + what + (ok ? "" : " is refused") +
            (error.empty() ? "" : " (" + error + ")"));
}

static void checkNpy() {
  std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {7}, {2, 3}, {1, 2, 3, 4}};
  for (const auto &shape : shapes) {
    for (NpyType type : {NpyType{'f', 4}, NpyType{'u', 2}, NpyType{'b', 1}}) {
      std::string encoded = encodeNpyHeader(type, shape);
      check(encoded.size() % 64 == 0, "npy header is 64-byte aligned");
      check(encoded.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0,
            "npy header magic and version 1.0");
      NpyType parsed;
      std::vector<int64_t> parsedShape;
      std::string error;
      bool ok = parseNpyHeader(encoded.substr(10), parsed, parsedShape, error);
      check(ok && parsed == type && parsedShape == shape,
            "npy header round trip " + npyDescr(type) + formatShape(shape));
    }
  }
  // A header too long for version 1.0 gets version 2.0.
  std::vector<int64_t> longShape(30000, 1);
  std::string encoded = encodeNpyHeader({'f', 4}, longShape);
  check(encoded[6] == 2 && encoded.size() % 64 == 0, "npy header version 2.0");

  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                 true, "numpy's own");
  checkNpyHeader("{\"shape\": (3L,), \"fortran_order\": False, \"descr\": "
                 "\"<i8\"}",
                 true, "with double quotes, other key order, Python 2 long");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), "
                 "'extra': [1, {'a': (2,)}], }",
                 true, "with an unknown key");
  checkNpyHeader("{'descr': '=f8', 'fortran_order': False, 'shape': (1,)}",
                 true, "native byte order");
  checkNpyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (1,)}",
                 true, "a byte type");
  checkNpyHeader("{'descr': '>u1', 'fortran_order': False, 'shape': (1,)}",
                 true, "a big-endian byte type");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
                 false, "without a closing brace");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", false,
                 "with a non-boolean fortran_order");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
                 false, "with a list shape");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, "
                 "'a')}",
                 false, "with a string in the shape");
  checkNpyHeader("{'descr': '<f3', 'fortran_order': False, 'shape': (2,)}",
                 false, "with a 3-byte float");
  checkNpyHeader("{'descr': '<U8', 'fortran_order': False, 'shape': (2,)}",
                 false, "with a unicode string type");
  checkNpyHeader("{'descr': '', 'fortran_order': False, 'shape': (2,)}", false,
                 "with an empty descr");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': "
                 "(99999999999999999999,)}",
                 false, "with a dimension that overflows");
  checkNpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
                 "'x': 'unterminated}",
                 false, "with an unterminated string");
  checkNpyHeader("", false, "that is empty");
}

//===----------------------------------------------------------------------===//
// Symbol binding
//===----------------------------------------------------------------------===//

static void checkBinding() {
  static const char *const names[] = {"B", "T"};
  static const seqmix_dim dimsX[] = {{0, 0}, {1, 0}, {-1, 4}};
  static const seqmix_dim dimsCu[] = {{0, 1}};
  static const seqmix_arg_info inputs[] = {{"x", SEQMIX_DTYPE_F32, 3, dimsX},
                                           {"cu", SEQMIX_DTYPE_I32, 1, dimsCu}};
  static const seqmix_dim dimsOut[] = {{1, -1}, {0, 2}};
  static const seqmix_arg_info outputs[] = {
      {"o", SEQMIX_DTYPE_F32, 2, dimsOut}};
  seqmix_function_info function = {
      "f", SEQMIX_DEVICE_CPU, 2, inputs, 1, outputs, 2, names, nullptr};

  std::vector<int64_t> symbols;
  std::string error;
  check(bindSymbols(function, {{2, 9, 4}, {3}}, symbols, error) &&
            symbols == std::vector<int64_t>({2, 9}),
        "bindSymbols binds B and T");
  std::vector<int64_t> shape;
  check(resolveShape(function, outputs[0], symbols, shape, error) &&
            shape == std::vector<int64_t>({8, 4}),
        "resolveShape with offsets");
  check(formatArg(function, outputs[0]) == "o: f32[T - 1, B + 2]",
        "formatArg prints offsets");
  symbols.clear();
  check(!bindSymbols(function, {{2, 9, 4}, {4}}, symbols, error) &&
            error.find("gives B = 3") != std::string::npos,
        "bindSymbols finds an inconsistent symbol: " + error);
  symbols.clear();
  check(!bindSymbols(function, {{2, 9, 5}, {3}}, symbols, error) &&
            error.find("is 5 but 'f' expects 4") != std::string::npos,
        "bindSymbols finds a wrong static size: " + error);
  symbols.assign({kUnboundSymbol, kUnboundSymbol});
  check(!resolveShape(function, outputs[0], symbols, shape, error) &&
            error.find("symbol T has no value") != std::string::npos,
        "resolveShape finds an unbound symbol: " + error);
  symbols.assign({0, 0});
  check(!resolveShape(function, outputs[0], symbols, shape, error) &&
            error.find("would be -1") != std::string::npos,
        "resolveShape finds a negative size: " + error);

  seqmix_library_info library = {SEQMIX_ABI_VERSION, 1, &function};
  check(!verifyLibraryInfo(&library, error) &&
            error.find("no entry point") != std::string::npos,
        "verifyLibraryInfo finds a missing entry point: " + error);

  int64_t numElements, numBytes;
  check(!computeSize({1ll << 40, 1ll << 40}, 4, numElements, numBytes, error),
        "computeSize finds an overflow");
  check(computeSize({3, 0, 5}, 4, numElements, numBytes, error) &&
            numElements == 0 && numBytes == 0,
        "computeSize of an empty shape");
}

int main() {
  checkMemrefCopy();
  checkConversions();
  checkNpy();
  checkBinding();
  std::printf("%d of %d checks passed\n", numChecks - numFailures, numChecks);
  return numFailures ? 1 : 0;
}
