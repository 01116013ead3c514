//===- CudaDriver.h - the CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// A thin wrapper around the CUDA driver API of libcuda.so.1, which it loads
// with dlopen at first use: libseqmix_runtime, seqmix-run and the libraries
// that seqmix-compile produces start on machines without a GPU or a CUDA
// toolkit, and fail with a message only when they are asked to run CUDA code.
// Nothing here includes cuda.h; the few types the driver API needs are
// declared below with cuda.h's layout (the opaque handles have cuda.h's struct
// tags, so they convert to and from cuda.h's types without casts).
//
// The driver is a process-wide, thread-safe singleton. Failures follow the
// runtime's convention: a function returns false (or null) and the message,
// which names the failing driver call and the CUDA error, becomes the
// thread's last error (seqmix::runtime::getLastError()):
//
//   CudaDriver *driver = CudaDriver::get();
//   if (!driver || !driver->setDevice(0))
//     return fail();                // getLastError() says why
//   CUdeviceptr ptr;
//   if (!SEQMIX_CUDA_CHECK(*driver, cuMemAlloc, &ptr, bytes))
//     return fail();  // "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY
//                     //  (out of memory)"
//
// The environment variable SEQMIX_CUDA_DRIVER names another library to load
// instead of libcuda.so.1 (tests use a fake driver this way).
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_CUDADRIVER_H
#define SEQMIX_RUNTIME_CUDADRIVER_H

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

// The opaque handle types of cuda.h, at global scope like cuda.h's.
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
struct CUmemPoolHandle_st;

namespace seqmix {
namespace runtime {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = ::CUctx_st *;
using CUmodule = ::CUmod_st *;
using CUfunction = ::CUfunc_st *;
using CUstream = ::CUstream_st *;
using CUevent = ::CUevent_st *;
using CUmemoryPool = ::CUmemPoolHandle_st *;

constexpr CUresult CUDA_SUCCESS = 0;
/// CUmemPool_attribute: the bytes a pool keeps after a synchronisation.
constexpr int CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4;
/// cuEventCreate flags.
constexpr unsigned CU_EVENT_DEFAULT = 0;
constexpr unsigned CU_EVENT_DISABLE_TIMING = 2;
/// cuStreamCreate flags.
constexpr unsigned CU_STREAM_DEFAULT = 0;
constexpr unsigned CU_STREAM_NON_BLOCKING = 1;

/// The driver entry points: X(NAME, SYMBOL, FALLBACK_SYMBOL, REQUIRED,
/// PARAMETERS). NAME is cuda.h's name, SYMBOL the versioned symbol that
/// cuda.h maps it to (cuMemAlloc -> cuMemAlloc_v2), FALLBACK_SYMBOL the one to
/// use when SYMBOL is missing (nullptr: none). A REQUIRED entry that is
/// missing makes loading fail; a missing optional one stays null.
#define SEQMIX_CUDA_DRIVER_FUNCTIONS(X)                                        \
  X(cuInit, "cuInit", nullptr, true, (unsigned flags))                         \
  X(cuDriverGetVersion, "cuDriverGetVersion", nullptr, true, (int *version))   \
  X(cuGetErrorName, "cuGetErrorName", nullptr, true,                           \
    (CUresult error, const char **name))                                       \
  X(cuGetErrorString, "cuGetErrorString", nullptr, true,                       \
    (CUresult error, const char **description))                                \
  X(cuDeviceGet, "cuDeviceGet", nullptr, true,                                 \
    (CUdevice * device, int ordinal))                                          \
  X(cuDeviceGetCount, "cuDeviceGetCount", nullptr, true, (int *count))         \
  X(cuDeviceGetName, "cuDeviceGetName", nullptr, true,                         \
    (char *name, int length, CUdevice device))                                 \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute", nullptr, true,               \
    (int *value, int attribute, CUdevice device))                              \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", nullptr, true,       \
    (CUcontext * context, CUdevice device))                                    \
  X(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2", nullptr, true,  \
    (CUdevice device))                                                         \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", nullptr, true, (CUcontext context))    \
  X(cuCtxGetCurrent, "cuCtxGetCurrent", nullptr, true, (CUcontext * context))  \
  X(cuMemAlloc, "cuMemAlloc_v2", nullptr, true,                                \
    (CUdeviceptr * ptr, size_t bytes))                                         \
  X(cuMemFree, "cuMemFree_v2", nullptr, true, (CUdeviceptr ptr))               \
  /* CUDA 11.2+: stream-ordered allocation. */                                 \
  X(cuMemAllocAsync, "cuMemAllocAsync", nullptr, false,                        \
    (CUdeviceptr * ptr, size_t bytes, CUstream stream))                        \
  X(cuMemFreeAsync, "cuMemFreeAsync", nullptr, false,                          \
    (CUdeviceptr ptr, CUstream stream))                                        \
  X(cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool", nullptr, false,    \
    (CUmemoryPool * pool, CUdevice device))                                    \
  X(cuMemPoolSetAttribute, "cuMemPoolSetAttribute", nullptr, false,            \
    (CUmemoryPool pool, int attribute, void *value))                           \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2", nullptr, true,                            \
    (CUdeviceptr dst, const void *src, size_t bytes))                          \
  X(cuMemcpyDtoH, "cuMemcpyDtoH_v2", nullptr, true,                            \
    (void *dst, CUdeviceptr src, size_t bytes))                                \
  X(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2", nullptr, true,                  \
    (CUdeviceptr dst, const void *src, size_t bytes, CUstream stream))         \
  X(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2", nullptr, true,                  \
    (void *dst, CUdeviceptr src, size_t bytes, CUstream stream))               \
  X(cuMemcpyAsync, "cuMemcpyAsync", nullptr, true,                             \
    (CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream))         \
  X(cuMemsetD8, "cuMemsetD8_v2", nullptr, true,                                \
    (CUdeviceptr dst, unsigned char value, size_t count))                      \
  X(cuMemsetD16, "cuMemsetD16_v2", nullptr, true,                              \
    (CUdeviceptr dst, unsigned short value, size_t count))                     \
  X(cuMemsetD32, "cuMemsetD32_v2", nullptr, true,                              \
    (CUdeviceptr dst, unsigned value, size_t count))                           \
  X(cuMemsetD16Async, "cuMemsetD16Async", nullptr, true,                       \
    (CUdeviceptr dst, unsigned short value, size_t count, CUstream stream))    \
  X(cuMemsetD32Async, "cuMemsetD32Async", nullptr, true,                       \
    (CUdeviceptr dst, unsigned value, size_t count, CUstream stream))          \
  X(cuMemHostRegister, "cuMemHostRegister_v2", nullptr, true,                  \
    (void *ptr, size_t bytes, unsigned flags))                                 \
  X(cuMemHostUnregister, "cuMemHostUnregister", nullptr, true, (void *ptr))    \
  X(cuStreamCreate, "cuStreamCreate", nullptr, true,                           \
    (CUstream * stream, unsigned flags))                                       \
  X(cuStreamSynchronize, "cuStreamSynchronize", nullptr, true,                 \
    (CUstream stream))                                                         \
  X(cuStreamDestroy, "cuStreamDestroy_v2", nullptr, true, (CUstream stream))   \
  X(cuStreamWaitEvent, "cuStreamWaitEvent", nullptr, true,                     \
    (CUstream stream, CUevent event, unsigned flags))                          \
  X(cuEventCreate, "cuEventCreate", nullptr, true,                             \
    (CUevent * event, unsigned flags))                                         \
  X(cuEventRecord, "cuEventRecord", nullptr, true,                             \
    (CUevent event, CUstream stream))                                          \
  X(cuEventSynchronize, "cuEventSynchronize", nullptr, true, (CUevent event))  \
  X(cuEventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime", true,   \
    (float *milliseconds, CUevent start, CUevent end))                         \
  X(cuEventDestroy, "cuEventDestroy_v2", nullptr, true, (CUevent event))       \
  X(cuModuleLoadData, "cuModuleLoadData", nullptr, true,                       \
    (CUmodule * module, const void *image))                                    \
  X(cuModuleGetFunction, "cuModuleGetFunction", nullptr, true,                 \
    (CUfunction * function, CUmodule module, const char *name))                \
  X(cuModuleUnload, "cuModuleUnload", nullptr, true, (CUmodule module))        \
  X(cuFuncSetAttribute, "cuFuncSetAttribute", nullptr, true,                   \
    (CUfunction function, int attribute, int value))                           \
  X(cuLaunchKernel, "cuLaunchKernel", nullptr, true,                           \
    (CUfunction function, unsigned gridX, unsigned gridY, unsigned gridZ,      \
     unsigned blockX, unsigned blockY, unsigned blockZ,                        \
     unsigned sharedMemBytes, CUstream stream, void **params, void **extra))   \
  /* CUDA 12+; `map` is a CUtensorMap * (128 bytes, 64-byte aligned). */       \
  X(cuTensorMapEncodeTiled, "cuTensorMapEncodeTiled", nullptr, false,          \
    (void *map, int dataType, unsigned rank, void *address,                    \
     const unsigned long long *dims, const unsigned long long *strides,        \
     const unsigned *box, const unsigned *elementStrides, int interleave,      \
     int swizzle, int l2Promotion, int oobFill))                               \
  /* CUDA 11.8+; `config` is a const CUlaunchConfig *. */                      \
  X(cuLaunchKernelEx, "cuLaunchKernelEx", nullptr, false,                      \
    (const void *config, CUfunction function, void **params, void **extra))

/// Calls DRIVER.NAME(ARGS...) and checks its result with DRIVER.check: true
/// on success; false, with the thread's last error set, on failure.
#define SEQMIX_CUDA_CHECK(DRIVER, NAME, ...)                                   \
  (DRIVER).check((DRIVER).NAME(__VA_ARGS__), (DRIVER).NAME##Symbol)

class CudaDriver {
public:
  /// The process-wide driver: on the first call, loads $SEQMIX_CUDA_DRIVER or
  /// libcuda.so.1, resolves the entry points and calls cuInit(0). Returns
  /// null if that failed ("no CUDA driver: libcuda.so.1 not found", "cuInit
  /// failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)"),
  /// and then sets the thread's last error to that message on every call.
  static CudaDriver *get();
  /// The message that explains why get() returns null ("" if it does not).
  static std::string loadError();

  /// "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
  std::string errorMessage(const char *call, CUresult result) const;
  /// True for CUDA_SUCCESS; otherwise sets the thread's last error to
  /// errorMessage(call, result) and returns false.
  bool check(CUresult result, const char *call) const;

  /// Makes the primary context of device `ordinal` current on the calling
  /// thread (retaining it the first time; it is never released, like
  /// upstream MLIR's runtime wrappers).
  bool setDevice(int ordinal);
  /// The primary context of device `ordinal`, retained on first use; null on
  /// failure.
  CUcontext primaryContext(int ordinal);
  /// The path the driver was loaded from.
  const std::string &libraryPath() const { return path; }

  // The entry points, named as in cuda.h; NAME##Symbol is the symbol each
  // one was resolved to.
#define SEQMIX_CUDA_DECLARE(NAME, SYMBOL, FALLBACK, REQUIRED, PARAMS)          \
  CUresult(*NAME) PARAMS = nullptr;                                            \
  const char *NAME##Symbol = SYMBOL;
  SEQMIX_CUDA_DRIVER_FUNCTIONS(SEQMIX_CUDA_DECLARE)
#undef SEQMIX_CUDA_DECLARE

private:
  CudaDriver() = default;
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;
  static CudaDriver *load(std::string &error);

  std::string path;
  void *handle = nullptr;
  std::mutex mutex;
  std::vector<CUcontext> contexts;
};

} // namespace runtime
} // namespace seqmix

#endif // SEQMIX_RUNTIME_CUDADRIVER_H
