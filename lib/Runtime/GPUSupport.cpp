//===- GPUSupport.cpp - the mgpu* functions of lowered GPU host code ------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Upstream's gpu-to-llvm lowers gpu.launch_func, gpu.binary and the async GPU
// ops to calls of `mgpu*` functions (MLIR's CudaRuntimeWrappers.cpp, which
// exits the process on errors and links libcuda). These are the same symbols
// with the signatures LLVM 22.1 emits, over CudaDriver (libcuda loaded with
// dlopen), and they never exit: a failure sets the thread's last error, which
// names the driver call, and is remembered for the entry point that runs the
// code (see CSupport.h, seqmix_runtime_cuda_begin/end).
//
// The caller's stream: the glue of a compiled library calls
// seqmix_runtime_cuda_begin(stream) before the entry's C interface and
// seqmix_runtime_cuda_end() after it. In between, on that thread,
// mgpuStreamCreate returns the caller's stream instead of creating one, and
// mgpuStreamSynchronize and mgpuStreamDestroy do nothing to it: a call
// enqueues its kernels on the caller's stream and does not synchronise, as
// SeqMixABI.h says. Outside of a begin/end pair (code not called through the
// glue), the functions behave as upstream's: their own stream, synchronised
// and destroyed.
//
// The module is loaded from llvm.global_ctors when the library is loaded,
// possibly on another thread than the calls and possibly without a driver:
// mgpuModuleLoad retains the primary context of the default device itself,
// and when it fails, returns null and keeps the reason, which
// mgpuModuleGetFunction reports at the first call.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/CSupport.h"
#include "seqmix/Runtime/CudaDriver.h"
#include "seqmix/Runtime/Runtime.h"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

using namespace seqmix::runtime;

namespace {
/// The state of the current entry-point call on this thread.
struct CallState {
  bool active = false;       // between seqmix_runtime_cuda_begin and _end
  CUstream stream = nullptr; // the caller's stream (null: the default one)
  bool failed = false;
  std::string error; // the first failure of the call
};
thread_local CallState call;

std::mutex globalMutex;
std::string moduleLoadError; // why the last mgpuModuleLoad failed
int defaultDevice = 0;       // mgpuSetDefaultDevice
/// Dynamic shared memory limits already raised, per function.
std::unordered_map<CUfunction, unsigned> sharedLimits;

/// The tensor maps in device memory (seqmix_runtime_tensor_map), by context
/// and content.
std::map<std::pair<CUcontext, std::array<uint64_t, 16>>, CUdeviceptr>
    tensorMaps;

/// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
constexpr int kMaxDynamicSharedAttribute = 8;
constexpr unsigned kDefaultSharedLimit = 48 * 1024;

/// Records the thread's last error as the call's failure (the first wins).
void recordFailure() {
  if (call.failed)
    return;
  call.failed = true;
  call.error = getLastError();
}

void fail(const std::string &message) {
  setLastError(message);
  recordFailure();
}

int getDefaultDevice() {
  std::lock_guard<std::mutex> lock(globalMutex);
  return defaultDevice;
}

/// The driver with the default device's primary context current, or null
/// (failure recorded).
CudaDriver *driverWithContext() {
  CudaDriver *driver = CudaDriver::get();
  if (!driver || !driver->setDevice(getDefaultDevice())) {
    recordFailure();
    return nullptr;
  }
  return driver;
}

/// Raises the release threshold of the default device's default memory pool
/// once (best effort: a failure leaves the pool as it was).
void keepPoolMemory(CudaDriver &driver) {
  static std::once_flag once;
  std::call_once(once, [&] {
    CUdevice device = 0;
    CUmemoryPool pool = nullptr;
    unsigned long long keepAll = ~0ull;
    if (!driver.cuDeviceGetDefaultMemPool || !driver.cuMemPoolSetAttribute ||
        driver.cuDeviceGet(&device, getDefaultDevice()) != CUDA_SUCCESS ||
        driver.cuDeviceGetDefaultMemPool(&pool, device) != CUDA_SUCCESS)
      return;
    (void)driver.cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                       &keepAll);
  });
}

/// Whether memory for `stream` is allocated and freed in stream order: a
/// stream given, or the caller's (which may be the legacy default stream,
/// null).
bool inStreamOrder(CUstream stream) { return stream || call.active; }

bool isCallerStream(CUstream stream) {
  return call.active && stream == call.stream;
}

CUmodule loadModule(const void *data, const char *what) {
  CudaDriver *driver = CudaDriver::get();
  CUmodule module = nullptr;
  if (!driver || !driver->setDevice(getDefaultDevice()) ||
      !SEQMIX_CUDA_CHECK(*driver, cuModuleLoadData, &module, data)) {
    std::lock_guard<std::mutex> lock(globalMutex);
    moduleLoadError =
        std::string("cannot load the GPU ") + what + ": " + getLastError();
    return nullptr;
  }
  return module;
}
} // namespace

extern "C" {

void seqmix_runtime_cuda_begin(void *stream) {
  call.active = true;
  call.stream = static_cast<CUstream>(stream);
  call.failed = false;
  call.error.clear();
}

int32_t seqmix_runtime_cuda_end(void) {
  bool failed = call.failed;
  if (failed)
    setLastError(call.error);
  call = CallState();
  return failed ? 1 : 0;
}

CUmodule mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  return loadModule(data, "module");
}

CUmodule mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  // cuModuleLoadData compiles PTX text itself.
  return loadModule(data, "module (PTX)");
}

void mgpuModuleUnload(CUmodule module) {
  if (!module)
    return;
  if (CudaDriver *driver = CudaDriver::get())
    (void)driver->cuModuleUnload(module); // at exit: nothing to report to
}

CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  if (!module) {
    std::lock_guard<std::mutex> lock(globalMutex);
    std::string why =
        moduleLoadError.empty() ? std::string("no module") : moduleLoadError;
    setLastError(why);
    recordFailure();
    return nullptr;
  }
  CudaDriver *driver = driverWithContext();
  if (!driver)
    return nullptr;
  CUfunction function = nullptr;
  if (!SEQMIX_CUDA_CHECK(*driver, cuModuleGetFunction, &function, module,
                         name)) {
    recordFailure();
    return nullptr;
  }
  return function;
}

void mgpuLaunchKernel(CUfunction function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, CUstream stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  if (!function) {
    if (!call.failed)
      fail("mgpuLaunchKernel: no kernel function (the module or the "
           "function was not loaded)");
    return;
  }
  // An earlier step of the call failed (a tensor map, say): its kernels
  // would read what that step did not make.
  if (call.failed)
    return;
  CudaDriver *driver = driverWithContext();
  if (!driver)
    return;
  unsigned bytes = static_cast<unsigned>(smem);
  if (bytes > kDefaultSharedLimit) {
    std::lock_guard<std::mutex> lock(globalMutex);
    unsigned &limit = sharedLimits[function];
    if (limit < bytes) {
      if (!SEQMIX_CUDA_CHECK(*driver, cuFuncSetAttribute, function,
                             kMaxDynamicSharedAttribute,
                             static_cast<int>(bytes))) {
        recordFailure();
        return;
      }
      limit = bytes;
    }
  }
  if (!SEQMIX_CUDA_CHECK(*driver, cuLaunchKernel, function, gridX, gridY, gridZ,
                         blockX, blockY, blockZ, bytes, stream, params, extra))
    recordFailure();
}

CUstream mgpuStreamCreate(void) {
  if (call.active)
    return call.stream;
  CudaDriver *driver = driverWithContext();
  if (!driver)
    return nullptr;
  CUstream stream = nullptr;
  if (!SEQMIX_CUDA_CHECK(*driver, cuStreamCreate, &stream,
                         CU_STREAM_NON_BLOCKING))
    recordFailure();
  return stream;
}

void mgpuStreamDestroy(CUstream stream) {
  if (isCallerStream(stream) || !stream)
    return;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuStreamDestroy, stream))
      recordFailure();
}

void mgpuStreamSynchronize(CUstream stream) {
  if (isCallerStream(stream))
    return;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuStreamSynchronize, stream))
      recordFailure();
}

void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuStreamWaitEvent, stream, event, 0))
      recordFailure();
}

CUevent mgpuEventCreate(void) {
  CUevent event = nullptr;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuEventCreate, &event,
                           CU_EVENT_DISABLE_TIMING))
      recordFailure();
  return event;
}

void mgpuEventDestroy(CUevent event) {
  if (!event)
    return;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuEventDestroy, event))
      recordFailure();
}

void mgpuEventSynchronize(CUevent event) {
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuEventSynchronize, event))
      recordFailure();
}

void mgpuEventRecord(CUevent event, CUstream stream) {
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuEventRecord, event, stream))
      recordFailure();
}

// Scratch buffers of the generated code (the segments carry's states) are
// allocated in stream order on the caller's stream where the driver has
// cuMemAllocAsync (CUDA 11.2+), so that a call stays asynchronous (the
// caller's stream may be null, the legacy default stream: cuMemFree would
// synchronise the device); otherwise with cuMemAlloc/cuMemFree. The device's
// default pool is told to keep what it holds across synchronisations (its
// release threshold is 0 by default, which makes every call map its scratch
// memory afresh).
void *mgpuMemAlloc(uint64_t bytes, CUstream stream, bool isHostShared) {
  if (isHostShared) {
    fail("mgpuMemAlloc: host-shared (managed) allocations are not supported");
    return nullptr;
  }
  CUdeviceptr ptr = 0;
  if (bytes == 0)
    return nullptr;
  if (CudaDriver *driver = driverWithContext()) {
    bool ok;
    if (inStreamOrder(stream) && driver->cuMemAllocAsync) {
      keepPoolMemory(*driver);
      ok = SEQMIX_CUDA_CHECK(*driver, cuMemAllocAsync, &ptr, bytes, stream);
    } else {
      ok = SEQMIX_CUDA_CHECK(*driver, cuMemAlloc, &ptr, bytes);
    }
    if (!ok)
      recordFailure();
  }
  return reinterpret_cast<void *>(ptr);
}

void mgpuMemFree(void *ptr, CUstream stream) {
  if (!ptr)
    return;
  if (CudaDriver *driver = driverWithContext()) {
    auto device = reinterpret_cast<CUdeviceptr>(ptr);
    bool ok = inStreamOrder(stream) && driver->cuMemFreeAsync
                  ? SEQMIX_CUDA_CHECK(*driver, cuMemFreeAsync, device, stream)
                  : SEQMIX_CUDA_CHECK(*driver, cuMemFree, device);
    if (!ok)
      recordFailure();
  }
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, CUstream stream) {
  if (bytes == 0)
    return;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuMemcpyAsync,
                           reinterpret_cast<CUdeviceptr>(dst),
                           reinterpret_cast<CUdeviceptr>(src), bytes, stream))
      recordFailure();
}

void mgpuMemset32(void *dst, unsigned value, size_t count, CUstream stream) {
  if (count == 0)
    return;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuMemsetD32Async,
                           reinterpret_cast<CUdeviceptr>(dst), value, count,
                           stream))
      recordFailure();
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  CUstream stream) {
  if (count == 0)
    return;
  if (CudaDriver *driver = driverWithContext())
    if (!SEQMIX_CUDA_CHECK(*driver, cuMemsetD16Async,
                           reinterpret_cast<CUdeviceptr>(dst), value, count,
                           stream))
      recordFailure();
}

uint64_t seqmix_runtime_tensor_map(void *base, int64_t rows, int64_t heads,
                                   int64_t cols) {
  if (rows <= 0 || call.failed)
    return 0;
  CudaDriver *driver = driverWithContext();
  if (!driver)
    return 0;
  if (!driver->cuTensorMapEncodeTiled) {
    fail("TMA loads need cuTensorMapEncodeTiled (CUDA 12 or later); this "
         "driver lacks it: compile with --loads=cp-async");
    return 0;
  }
  if (reinterpret_cast<uintptr_t>(base) % 16 != 0) {
    fail("TMA loads need 16-byte aligned inputs; an input starts at " +
         std::to_string(reinterpret_cast<uintptr_t>(base)) +
         ": compile with --loads=cp-async");
    return 0;
  }
  constexpr int kBFloat16 = 9, kSwizzle128B = 3, kPromote256B = 3;
  constexpr int kNone = 0;
  unsigned long long dims[3] = {static_cast<unsigned long long>(cols),
                                static_cast<unsigned long long>(heads),
                                static_cast<unsigned long long>(rows)};
  unsigned long long strides[2] = {dims[0] * 2, dims[0] * dims[1] * 2};
  unsigned box[3] = {64, 1, 64}, elementStrides[3] = {1, 1, 1};
  alignas(64) std::array<uint64_t, 16> map{};
  if (!SEQMIX_CUDA_CHECK(*driver, cuTensorMapEncodeTiled, map.data(), kBFloat16,
                         3, base, dims, strides, box, elementStrides, kNone,
                         kSwizzle128B, kPromote256B, kNone)) {
    recordFailure();
    return 0;
  }
  std::lock_guard<std::mutex> lock(globalMutex);
  CUcontext context = nullptr;
  (void)driver->cuCtxGetCurrent(&context);
  auto key = std::make_pair(context, map);
  auto it = tensorMaps.find(key);
  if (it != tensorMaps.end())
    return it->second;
  CUdeviceptr copy = 0;
  if (!SEQMIX_CUDA_CHECK(*driver, cuMemAlloc, &copy, sizeof(map)) ||
      !SEQMIX_CUDA_CHECK(*driver, cuMemcpyHtoD, copy, map.data(),
                         sizeof(map))) {
    recordFailure();
    return 0;
  }
  tensorMaps.emplace(key, copy);
  return copy;
}

void mgpuSetDefaultDevice(int32_t device) {
  std::lock_guard<std::mutex> lock(globalMutex);
  defaultDevice = device;
}

} // extern "C"
