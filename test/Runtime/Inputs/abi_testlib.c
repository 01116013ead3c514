/*===- abi_testlib.c - a hand-written SeqMix library for tests ---*- C -*-===*\
|*                                                                            *|
|* Part of the SeqMix project.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Implements the C ABI of SeqMixABI.h by hand, the way a library compiled by
 * seqmix-compile does, for the seqmix-run tests:
 *
 *   axpy(x: f32[N, 4], y: f32[N, 4]) -> (z: f32[N, 4])           z = 2x + y
 *   segment_sum(cu: i32[N + 1], x: f32[T, 2]) -> (s: f32[N, 2])
 *       s[n] = sum of the rows cu[n] .. cu[n+1]-1 of x; SEQMIX_ERROR_SHAPE
 *       with a message unless cu rises from 0 to T
 *   bf16_scale(x: bf16[B, T, 4, 8]) -> (y: bf16[B, T, 4, 8], sq: f32[B])
 *       y = 2x, sq[b] = sum of x^2 over batch b
 *   widen(h: f16[K], i: i64[K]) -> (w: f64[K])                   w = h + i
 *   transpose(x: f64[M, N]) -> (y: f64[N, M])     through memrefCopy
 *   partial(x: f32[N]) -> (y: f32[N])   writes only y[0 .. N/2) = x
 *   fixed(a: i32[3], s: f32[]) -> (b: i32[3])                    b = a + 1
 *   cuda_scale(x: f32[N]) -> (y: f32[N]), on CUDA: y = 2x, computed on the
 *       host through the driver of $SEQMIX_CUDA_DRIVER or libcuda.so.1
 *
 * SEQMIX_TESTLIB_MODE=bad-version makes seqmix_library() report ABI version
 * 99, bad-symbol a dimension that names a symbol that does not exist, null a
 * null library, single a library of axpy alone; cuda-no-write makes cuda_scale
 * return without writing y.
 */
#include "seqmix/Runtime/CSupport.h"
#include "seqmix/Runtime/SeqMixABI.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread char lastError[512];

static int32_t fail(int32_t status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(lastError, sizeof(lastError), format, args);
  va_end(args);
  return status;
}

const char *seqmix_last_error(void) { return lastError; }

/* axpy */
static const char *const kSymbolsN[] = {"N"};
static const seqmix_dim kDimsN4[] = {{0, 0}, {-1, 4}};
static const seqmix_arg_info kAxpyInputs[] = {
    {"x", SEQMIX_DTYPE_F32, 2, kDimsN4}, {"y", SEQMIX_DTYPE_F32, 2, kDimsN4}};
static const seqmix_arg_info kAxpyOutputs[] = {
    {"z", SEQMIX_DTYPE_F32, 2, kDimsN4}};

static int32_t axpy(void *const *inputs, void *const *outputs,
                    const int64_t *symbols, void *stream) {
  (void)stream;
  const float *x = inputs[0], *y = inputs[1];
  float *z = outputs[0];
  for (int64_t i = 0; i < symbols[0] * 4; ++i)
    z[i] = 2.0f * x[i] + y[i];
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* segment_sum */
static const char *const kSymbolsNT[] = {"N", "T"};
static const seqmix_dim kDimsCu[] = {{0, 1}};
static const seqmix_dim kDimsT2[] = {{1, 0}, {-1, 2}};
static const seqmix_dim kDimsN2[] = {{0, 0}, {-1, 2}};
static const seqmix_arg_info kSegmentInputs[] = {
    {"cu", SEQMIX_DTYPE_I32, 1, kDimsCu}, {"x", SEQMIX_DTYPE_F32, 2, kDimsT2}};
static const seqmix_arg_info kSegmentOutputs[] = {
    {"s", SEQMIX_DTYPE_F32, 2, kDimsN2}};

static int32_t segmentSum(void *const *inputs, void *const *outputs,
                          const int64_t *symbols, void *stream) {
  (void)stream;
  const int32_t *cu = inputs[0];
  const float *x = inputs[1];
  float *s = outputs[0];
  int64_t n = symbols[0], t = symbols[1];
  if (cu[0] != 0)
    return fail(SEQMIX_ERROR_SHAPE,
                "segment_sum: cu_seqlens must start at 0, not %d", cu[0]);
  for (int64_t i = 0; i < n; ++i)
    if (cu[i + 1] < cu[i])
      return fail(SEQMIX_ERROR_SHAPE,
                  "segment_sum: cu_seqlens must not decrease, but cu[%lld] = "
                  "%d < cu[%lld] = %d",
                  (long long)(i + 1), cu[i + 1], (long long)i, cu[i]);
  if (cu[n] != t)
    return fail(SEQMIX_ERROR_SHAPE,
                "segment_sum: cu_seqlens must end at T = %lld, not %d",
                (long long)t, cu[n]);
  for (int64_t i = 0; i < n; ++i) {
    float a = 0.0f, b = 0.0f;
    for (int64_t r = cu[i]; r < cu[i + 1]; ++r) {
      a += x[2 * r];
      b += x[2 * r + 1];
    }
    s[2 * i] = a;
    s[2 * i + 1] = b;
  }
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* bf16_scale */
static const char *const kSymbolsBT[] = {"B", "T"};
static const seqmix_dim kDimsBT48[] = {{0, 0}, {1, 0}, {-1, 4}, {-1, 8}};
static const seqmix_dim kDimsB[] = {{0, 0}};
static const seqmix_arg_info kBf16Inputs[] = {
    {"x", SEQMIX_DTYPE_BF16, 4, kDimsBT48}};
static const seqmix_arg_info kBf16Outputs[] = {
    {"y", SEQMIX_DTYPE_BF16, 4, kDimsBT48},
    {"sq", SEQMIX_DTYPE_F32, 1, kDimsB}};

static float bf16ToFloat(uint16_t bits) {
  uint32_t wide = (uint32_t)bits << 16;
  float value;
  memcpy(&value, &wide, 4);
  return value;
}

static uint16_t floatToBF16(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return (uint16_t)(bits >> 16);
}

static int32_t bf16Scale(void *const *inputs, void *const *outputs,
                         const int64_t *symbols, void *stream) {
  (void)stream;
  const uint16_t *x = inputs[0];
  uint16_t *y = outputs[0];
  float *sq = outputs[1];
  int64_t perBatch = symbols[1] * 4 * 8;
  for (int64_t b = 0; b < symbols[0]; ++b) {
    float sum = 0.0f;
    for (int64_t i = b * perBatch; i < (b + 1) * perBatch; ++i) {
      float v = bf16ToFloat(x[i]);
      y[i] = floatToBF16(2.0f * v);
      sum += v * v;
    }
    sq[b] = sum;
  }
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* widen */
static const char *const kSymbolsK[] = {"K"};
static const seqmix_dim kDimsK[] = {{0, 0}};
static const seqmix_arg_info kWidenInputs[] = {
    {"h", SEQMIX_DTYPE_F16, 1, kDimsK}, {"i", SEQMIX_DTYPE_I64, 1, kDimsK}};
static const seqmix_arg_info kWidenOutputs[] = {
    {"w", SEQMIX_DTYPE_F64, 1, kDimsK}};

static double halfToDouble(uint16_t bits) {
  int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent == 0x1f)
    magnitude = mantissa ? 0.0 / 0.0 : 1.0 / 0.0;
  else if (exponent == 0)
    magnitude = mantissa / 16777216.0;
  else
    magnitude = (1.0 + mantissa / 1024.0) * (double)(1 << exponent) / 32768.0;
  return (bits & 0x8000) ? -magnitude : magnitude;
}

static int32_t widen(void *const *inputs, void *const *outputs,
                     const int64_t *symbols, void *stream) {
  (void)stream;
  const uint16_t *h = inputs[0];
  const int64_t *i = inputs[1];
  double *w = outputs[0];
  for (int64_t k = 0; k < symbols[0]; ++k)
    w[k] = halfToDouble(h[k]) + (double)i[k];
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* transpose */
static const char *const kSymbolsMN[] = {"M", "N"};
static const seqmix_dim kDimsMN[] = {{0, 0}, {1, 0}};
static const seqmix_dim kDimsNM[] = {{1, 0}, {0, 0}};
static const seqmix_arg_info kTransposeInputs[] = {
    {"x", SEQMIX_DTYPE_F64, 2, kDimsMN}};
static const seqmix_arg_info kTransposeOutputs[] = {
    {"y", SEQMIX_DTYPE_F64, 2, kDimsNM}};

/* A ranked descriptor of rank 2, as MLIR lays it out. */
typedef struct {
  double *allocated;
  double *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} Descriptor2D;

static int32_t transpose(void *const *inputs, void *const *outputs,
                         const int64_t *symbols, void *stream) {
  (void)stream;
  int64_t m = symbols[0], n = symbols[1];
  /* y[j][i] = x[i][j]: copy the transposed view of x, strides (1, N), into
   * the dense y, strides (M, 1). */
  Descriptor2D src = {inputs[0], inputs[0], 0, {n, m}, {1, n}};
  Descriptor2D dst = {outputs[0], outputs[0], 0, {n, m}, {m, 1}};
  SeqMixUnrankedMemRef srcRef = {2, &src}, dstRef = {2, &dst};
  memrefCopy(sizeof(double), &srcRef, &dstRef);
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* partial */
static const seqmix_dim kDimsN[] = {{0, 0}};
static const seqmix_arg_info kPartialInputs[] = {
    {"x", SEQMIX_DTYPE_F32, 1, kDimsN}};
static const seqmix_arg_info kPartialOutputs[] = {
    {"y", SEQMIX_DTYPE_F32, 1, kDimsN}};

static int32_t partial(void *const *inputs, void *const *outputs,
                       const int64_t *symbols, void *stream) {
  (void)stream;
  const float *x = inputs[0];
  float *y = outputs[0];
  for (int64_t i = 0; i < symbols[0] / 2; ++i)
    y[i] = x[i];
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* fixed */
static const seqmix_dim kDims3[] = {{-1, 3}};
static const seqmix_arg_info kFixedInputs[] = {
    {"a", SEQMIX_DTYPE_I32, 1, kDims3}, {"s", SEQMIX_DTYPE_F32, 0, NULL}};
static const seqmix_arg_info kFixedOutputs[] = {
    {"b", SEQMIX_DTYPE_I32, 1, kDims3}};

static int32_t fixed(void *const *inputs, void *const *outputs,
                     const int64_t *symbols, void *stream) {
  (void)symbols;
  (void)stream;
  const int32_t *a = inputs[0];
  int32_t *b = outputs[0];
  for (int i = 0; i < 3; ++i)
    b[i] = a[i] + 1;
  lastError[0] = 0;
  return SEQMIX_OK;
}

/* cuda_scale */
typedef int (*MemcpyDtoH)(void *, unsigned long long, size_t);
typedef int (*MemcpyHtoD)(unsigned long long, const void *, size_t);

static int32_t cudaScale(void *const *inputs, void *const *outputs,
                         const int64_t *symbols, void *stream) {
  (void)stream;
  const char *mode = getenv("SEQMIX_TESTLIB_MODE");
  if (mode && !strcmp(mode, "cuda-no-write"))
    return SEQMIX_OK;
  const char *path = getenv("SEQMIX_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *driver = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!driver)
    return fail(SEQMIX_ERROR_CUDA, "cuda_scale: cannot load %s", path);
  MemcpyDtoH dtoh = (MemcpyDtoH)dlsym(driver, "cuMemcpyDtoH_v2");
  MemcpyHtoD htod = (MemcpyHtoD)dlsym(driver, "cuMemcpyHtoD_v2");
  int64_t n = symbols[0];
  float *buffer = malloc(n > 0 ? n * sizeof(float) : 1);
  int32_t status = SEQMIX_OK;
  int result = 0;
  if (!dtoh || !htod || !buffer) {
    status = fail(SEQMIX_ERROR_INTERNAL, "cuda_scale: no driver functions");
  } else if (n > 0) {
    result = dtoh(buffer, (unsigned long long)(uintptr_t)inputs[0],
                  n * sizeof(float));
    if (result != 0) {
      status = fail(SEQMIX_ERROR_CUDA, "cuMemcpyDtoH_v2 failed: CUDA error %d",
                    result);
    } else {
      for (int64_t i = 0; i < n; ++i)
        buffer[i] *= 2.0f;
      result = htod((unsigned long long)(uintptr_t)outputs[0], buffer,
                    n * sizeof(float));
      if (result != 0)
        status = fail(SEQMIX_ERROR_CUDA,
                      "cuMemcpyHtoD_v2 failed: CUDA error %d", result);
    }
  }
  free(buffer);
  dlclose(driver);
  if (status == SEQMIX_OK)
    lastError[0] = 0;
  return status;
}

static const seqmix_function_info kFunctions[] = {
    {"axpy", SEQMIX_DEVICE_CPU, 2, kAxpyInputs, 1, kAxpyOutputs, 1, kSymbolsN,
     axpy},
    {"segment_sum", SEQMIX_DEVICE_CPU, 2, kSegmentInputs, 1, kSegmentOutputs, 2,
     kSymbolsNT, segmentSum},
    {"bf16_scale", SEQMIX_DEVICE_CPU, 1, kBf16Inputs, 2, kBf16Outputs, 2,
     kSymbolsBT, bf16Scale},
    {"widen", SEQMIX_DEVICE_CPU, 2, kWidenInputs, 1, kWidenOutputs, 1,
     kSymbolsK, widen},
    {"transpose", SEQMIX_DEVICE_CPU, 1, kTransposeInputs, 1, kTransposeOutputs,
     2, kSymbolsMN, transpose},
    {"partial", SEQMIX_DEVICE_CPU, 1, kPartialInputs, 1, kPartialOutputs, 1,
     kSymbolsN, partial},
    {"fixed", SEQMIX_DEVICE_CPU, 2, kFixedInputs, 1, kFixedOutputs, 0, NULL,
     fixed},
    {"cuda_scale", SEQMIX_DEVICE_CUDA, 1, kPartialInputs, 1, kPartialOutputs, 1,
     kSymbolsN, cudaScale},
};

static const seqmix_library_info kLibrary = {
    SEQMIX_ABI_VERSION, sizeof(kFunctions) / sizeof(kFunctions[0]), kFunctions};

/* The other variants of SEQMIX_TESTLIB_MODE. */
static const seqmix_library_info kSingle = {SEQMIX_ABI_VERSION, 1, kFunctions};
static const seqmix_library_info kBadVersion = {99, 1, kFunctions};
static const seqmix_dim kDimsBadSymbol[] = {{3, 0}, {-1, 4}};
static const seqmix_arg_info kBadSymbolInputs[] = {
    {"x", SEQMIX_DTYPE_F32, 2, kDimsBadSymbol},
    {"y", SEQMIX_DTYPE_F32, 2, kDimsN4}};
static const seqmix_function_info kBadSymbolFunctions[] = {
    {"axpy", SEQMIX_DEVICE_CPU, 2, kBadSymbolInputs, 1, kAxpyOutputs, 1,
     kSymbolsN, axpy}};
static const seqmix_library_info kBadSymbol = {SEQMIX_ABI_VERSION, 1,
                                               kBadSymbolFunctions};

const seqmix_library_info *seqmix_library(void) {
  const char *mode = getenv("SEQMIX_TESTLIB_MODE");
  if (mode && !strcmp(mode, "bad-version"))
    return &kBadVersion;
  if (mode && !strcmp(mode, "bad-symbol"))
    return &kBadSymbol;
  if (mode && !strcmp(mode, "null"))
    return NULL;
  if (mode && !strcmp(mode, "single"))
    return &kSingle;
  return &kLibrary;
}
