/*===- fake_cuda.c - a stand-in for libcuda.so.1 in tests --------*- C -*-===*\
|*                                                                            *|
|* Part of the SeqMix project.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * Exports the CUDA driver entry points that libseqmix_runtime's CudaDriver
 * resolves, over host memory: "device" pointers are host pointers, streams
 * and events are dummies, every operation is synchronous. Loaded through
 * SEQMIX_CUDA_DRIVER=path/to/libseqmix_fake_cuda.so, it lets the tests run
 * seqmix-run's CUDA path on machines without a GPU.
 *
 * It exports only the old cuEventElapsedTime, not cuEventElapsedTime_v2, as
 * drivers before CUDA 12.8 do.
 *
 * Environment:
 *   FAKE_CUDA_FAIL=SYMBOL   that call fails with FAKE_CUDA_FAIL_CODE
 *                           (default 2, CUDA_ERROR_OUT_OF_MEMORY)
 *   FAKE_CUDA_DEVICES=N     the number of devices (default 1)
 *   FAKE_CUDA_REPORT=1      at exit, print the allocations still live and
 *                           the calls of cuLaunch*, cuMemsetD32_v2 to stderr
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_ILLEGAL_ADDRESS = 700,
  CUDA_ERROR_NOT_SUPPORTED = 801,
};

static int initialized;
static long liveAllocations;
static long memsetCalls;

static CUresult injected(const char *symbol) {
  const char *fail = getenv("FAKE_CUDA_FAIL");
  if (!fail || strcmp(fail, symbol) != 0)
    return CUDA_SUCCESS;
  const char *code = getenv("FAKE_CUDA_FAIL_CODE");
  return code ? atoi(code) : CUDA_ERROR_OUT_OF_MEMORY;
}

#define ENTER(SYMBOL)                                                          \
  do {                                                                         \
    CUresult failure = injected(SYMBOL);                                       \
    if (failure != CUDA_SUCCESS)                                               \
      return failure;                                                          \
    if (!initialized && strcmp(SYMBOL, "cuInit") != 0)                         \
      return CUDA_ERROR_NOT_INITIALIZED;                                       \
  } while (0)

static void report(void) {
  if (getenv("FAKE_CUDA_REPORT"))
    fprintf(stderr, "fake-cuda: %ld live allocations, %ld memsets\n",
            liveAllocations, memsetCalls);
}

static int deviceCount(void) {
  const char *count = getenv("FAKE_CUDA_DEVICES");
  return count ? atoi(count) : 1;
}

CUresult cuInit(unsigned flags) {
  (void)flags;
  ENTER("cuInit");
  if (deviceCount() == 0)
    return CUDA_ERROR_NO_DEVICE;
  if (!initialized)
    atexit(report);
  initialized = 1;
  return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
  *version = 12080;
  return CUDA_SUCCESS;
}

static const char *errorName(CUresult error, const char **description) {
  switch (error) {
  case CUDA_SUCCESS:
    *description = "no error";
    return "CUDA_SUCCESS";
  case CUDA_ERROR_INVALID_VALUE:
    *description = "invalid argument";
    return "CUDA_ERROR_INVALID_VALUE";
  case CUDA_ERROR_OUT_OF_MEMORY:
    *description = "out of memory";
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case CUDA_ERROR_NOT_INITIALIZED:
    *description = "initialization error";
    return "CUDA_ERROR_NOT_INITIALIZED";
  case CUDA_ERROR_NO_DEVICE:
    *description = "no CUDA-capable device is detected";
    return "CUDA_ERROR_NO_DEVICE";
  case CUDA_ERROR_INVALID_DEVICE:
    *description = "invalid device ordinal";
    return "CUDA_ERROR_INVALID_DEVICE";
  case CUDA_ERROR_ILLEGAL_ADDRESS:
    *description = "an illegal memory access was encountered";
    return "CUDA_ERROR_ILLEGAL_ADDRESS";
  case CUDA_ERROR_NOT_SUPPORTED:
    *description = "operation not supported";
    return "CUDA_ERROR_NOT_SUPPORTED";
  }
  return NULL;
}

CUresult cuGetErrorName(CUresult error, const char **name) {
  const char *description;
  *name = errorName(error, &description);
  return *name ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult error, const char **string) {
  if (!errorName(error, string)) {
    *string = NULL;
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  ENTER("cuDeviceGet");
  if (ordinal < 0 || ordinal >= deviceCount())
    return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
  ENTER("cuDeviceGetCount");
  *count = deviceCount();
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, int device) {
  ENTER("cuDeviceGetName");
  snprintf(name, length, "Fake CUDA device %d", device);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)attribute;
  (void)device;
  ENTER("cuDeviceGetAttribute");
  *value = 0;
  return CUDA_SUCCESS;
}

/* Contexts: one static object per device. */
static char contexts[16];
static void *current;

CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  ENTER("cuDevicePrimaryCtxRetain");
  if (device < 0 || device >= 16)
    return CUDA_ERROR_INVALID_DEVICE;
  *context = &contexts[device];
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  ENTER("cuDevicePrimaryCtxRelease_v2");
  return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(void *context) {
  ENTER("cuCtxSetCurrent");
  current = context;
  return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(void **context) {
  ENTER("cuCtxGetCurrent");
  *context = current;
  return CUDA_SUCCESS;
}

/* Memory: host memory. */
CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  ENTER("cuMemAlloc_v2");
  if (!current)
    return CUDA_ERROR_INVALID_VALUE;
  if (bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  void *p = malloc(bytes);
  if (!p)
    return CUDA_ERROR_OUT_OF_MEMORY;
  ++liveAllocations;
  *ptr = (CUdeviceptr)(uintptr_t)p;
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr ptr) {
  ENTER("cuMemFree_v2");
  if (ptr) {
    free((void *)(uintptr_t)ptr);
    --liveAllocations;
  }
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  ENTER("cuMemcpyHtoD_v2");
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
  ENTER("cuMemcpyDtoH_v2");
  memcpy(dst, (const void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes,
                              void *stream) {
  (void)stream;
  ENTER("cuMemcpyHtoDAsync_v2");
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes,
                              void *stream) {
  (void)stream;
  ENTER("cuMemcpyDtoHAsync_v2");
  memcpy(dst, (const void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *stream) {
  (void)stream;
  ENTER("cuMemcpyAsync");
  memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t count) {
  ENTER("cuMemsetD8_v2");
  memset((void *)(uintptr_t)dst, value, count);
  return CUDA_SUCCESS;
}

CUresult cuMemsetD16_v2(CUdeviceptr dst, unsigned short value, size_t count) {
  ENTER("cuMemsetD16_v2");
  unsigned short *p = (unsigned short *)(uintptr_t)dst;
  for (size_t i = 0; i < count; ++i)
    p[i] = value;
  return CUDA_SUCCESS;
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned value, size_t count) {
  ENTER("cuMemsetD32_v2");
  ++memsetCalls;
  unsigned *p = (unsigned *)(uintptr_t)dst;
  for (size_t i = 0; i < count; ++i)
    p[i] = value;
  return CUDA_SUCCESS;
}

CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count,
                          void *stream) {
  (void)stream;
  return cuMemsetD16_v2(dst, value, count);
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count,
                          void *stream) {
  (void)stream;
  return cuMemsetD32_v2(dst, value, count);
}

CUresult cuMemHostRegister_v2(void *ptr, size_t bytes, unsigned flags) {
  (void)ptr;
  (void)bytes;
  (void)flags;
  ENTER("cuMemHostRegister_v2");
  return CUDA_SUCCESS;
}

CUresult cuMemHostUnregister(void *ptr) {
  (void)ptr;
  ENTER("cuMemHostUnregister");
  return CUDA_SUCCESS;
}

/* Streams and events. */
CUresult cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  ENTER("cuStreamCreate");
  *stream = malloc(1);
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(void *stream) {
  (void)stream;
  ENTER("cuStreamSynchronize");
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(void *stream) {
  ENTER("cuStreamDestroy_v2");
  free(stream);
  return CUDA_SUCCESS;
}

CUresult cuStreamWaitEvent(void *stream, void *event, unsigned flags) {
  (void)stream;
  (void)event;
  (void)flags;
  ENTER("cuStreamWaitEvent");
  return CUDA_SUCCESS;
}

CUresult cuEventCreate(void **event, unsigned flags) {
  (void)flags;
  ENTER("cuEventCreate");
  *event = calloc(1, sizeof(double));
  return CUDA_SUCCESS;
}

CUresult cuEventRecord(void *event, void *stream) {
  (void)stream;
  ENTER("cuEventRecord");
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  *(double *)event = now.tv_sec * 1e3 + now.tv_nsec * 1e-6;
  return CUDA_SUCCESS;
}

CUresult cuEventSynchronize(void *event) {
  (void)event;
  ENTER("cuEventSynchronize");
  return CUDA_SUCCESS;
}

CUresult cuEventElapsedTime(float *milliseconds, void *start, void *end) {
  ENTER("cuEventElapsedTime");
  *milliseconds = (float)(*(double *)end - *(double *)start);
  return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(void *event) {
  ENTER("cuEventDestroy_v2");
  free(event);
  return CUDA_SUCCESS;
}

/* Modules and launches: a module is a dummy, a function its name; a launch
 * computes nothing (the outputs keep what they held) and, with
 * FAKE_CUDA_REPORT, prints its configuration. */
CUresult cuModuleLoadData(void **module, const void *image) {
  ENTER("cuModuleLoadData");
  if (!module || !image)
    return CUDA_ERROR_INVALID_VALUE;
  *module = malloc(1);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  ENTER("cuModuleGetFunction");
  if (!function || !module || !name)
    return CUDA_ERROR_INVALID_VALUE;
  *function = strdup(name);
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(void *module) {
  ENTER("cuModuleUnload");
  free(module);
  return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(void *function, int attribute, int value) {
  ENTER("cuFuncSetAttribute");
  if (getenv("FAKE_CUDA_REPORT"))
    fprintf(stderr, "fake-cuda: set attribute %d of %s to %d\n", attribute,
            (const char *)function, value);
  return CUDA_SUCCESS;
}

/* A tensor map: reports its shape and writes its dims into the map. */
CUresult cuTensorMapEncodeTiled(void *map, int dataType, unsigned rank,
                                void *address, const unsigned long long *dims,
                                const unsigned long long *strides,
                                const unsigned *box,
                                const unsigned *elementStrides, int interleave,
                                int swizzle, int l2Promotion, int oobFill) {
  (void)elementStrides;
  ENTER("cuTensorMapEncodeTiled");
  if (rank != 3 || (uintptr_t)address % 16 != 0)
    return CUDA_ERROR_INVALID_VALUE;
  memset(map, 0, 128);
  memcpy(map, &address, sizeof(address));
  memcpy((char *)map + 8, dims, 3 * sizeof(*dims));
  if (getenv("FAKE_CUDA_REPORT"))
    fprintf(stderr,
            "fake-cuda: tensor map type %d dims (%llu, %llu, %llu) strides "
            "(%llu, %llu) box (%u, %u, %u) interleave %d swizzle %d l2 %d "
            "oob %d\n",
            dataType, dims[0], dims[1], dims[2], strides[0], strides[1], box[0],
            box[1], box[2], interleave, swizzle, l2Promotion, oobFill);
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(void *function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedMemBytes, void *stream,
                        void **params, void **extra) {
  (void)params, (void)extra;
  ENTER("cuLaunchKernel");
  if (getenv("FAKE_CUDA_REPORT"))
    fprintf(stderr,
            "fake-cuda: launch %s grid (%u, %u, %u) block (%u, %u, %u) "
            "smem %u on %s stream\n",
            (const char *)function, gridX, gridY, gridZ, blockX, blockY, blockZ,
            sharedMemBytes, stream ? "a" : "the default");
  return CUDA_SUCCESS;
}
