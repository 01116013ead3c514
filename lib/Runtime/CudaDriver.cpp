//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/CudaDriver.h"
#include "seqmix/Runtime/Runtime.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace seqmix::runtime;

namespace {
/// The result of the one attempt to load the driver.
struct LoadResult {
  CudaDriver *driver = nullptr;
  std::string error;
};
} // namespace

CudaDriver *CudaDriver::load(std::string &error) {
  const char *env = std::getenv("SEQMIX_CUDA_DRIVER");
  std::string path = env && *env ? env : "libcuda.so.1";
  dlerror();
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *detail = dlerror();
    error = "no CUDA driver: " + path + " not found";
    // The usual case, a missing file, needs no more words; anything else
    // (a broken or foreign library) does.
    if (detail && !std::strstr(detail, "No such file"))
      error += std::string(" (") + detail + ")";
    return nullptr;
  }

  // The driver is never unloaded: code of other libraries may hold function
  // pointers into it until the process ends.
  auto *driver = new CudaDriver();
  driver->path = path;
  driver->handle = handle;
  std::string missing;
#define SEQMIX_CUDA_RESOLVE(NAME, SYMBOL, FALLBACK, REQUIRED, PARAMS)          \
  {                                                                            \
    void *address = dlsym(handle, SYMBOL);                                     \
    const char *fallback = FALLBACK;                                           \
    if (!address && fallback) {                                                \
      address = dlsym(handle, fallback);                                       \
      if (address)                                                             \
        driver->NAME##Symbol = fallback;                                       \
    }                                                                          \
    driver->NAME = reinterpret_cast<decltype(driver->NAME)>(address);          \
    if (!address && (REQUIRED))                                                \
      missing += std::string(missing.empty() ? "" : ", ") + SYMBOL;            \
  }
  SEQMIX_CUDA_DRIVER_FUNCTIONS(SEQMIX_CUDA_RESOLVE)
#undef SEQMIX_CUDA_RESOLVE
  if (!missing.empty()) {
    error = "the CUDA driver " + path +
            " is too old or not a CUDA driver: it "
            "lacks " +
            missing;
    delete driver;
    return nullptr;
  }
  CUresult result = driver->cuInit(0);
  if (result != CUDA_SUCCESS) {
    error = driver->errorMessage("cuInit", result);
    delete driver;
    return nullptr;
  }
  return driver;
}

CudaDriver *CudaDriver::get() {
  static const LoadResult result = [] {
    LoadResult r;
    r.driver = load(r.error);
    return r;
  }();
  if (!result.driver)
    setLastError(result.error);
  return result.driver;
}

std::string CudaDriver::loadError() {
  std::string saved = getLastError();
  std::string error = get() ? "" : getLastError();
  setLastError(saved);
  return error;
}

std::string CudaDriver::errorMessage(const char *call, CUresult result) const {
  const char *name = nullptr, *description = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = nullptr;
  if (cuGetErrorString(result, &description) != CUDA_SUCCESS)
    description = nullptr;
  std::string message = std::string(call) + " failed: ";
  if (name)
    message += name;
  else
    message += "CUDA error " + std::to_string(result);
  if (description)
    message += std::string(" (") + description + ")";
  return message;
}

bool CudaDriver::check(CUresult result, const char *call) const {
  if (result == CUDA_SUCCESS)
    return true;
  setLastError(errorMessage(call, result));
  return false;
}

CUcontext CudaDriver::primaryContext(int ordinal) {
  std::lock_guard<std::mutex> lock(mutex);
  if (ordinal < 0) {
    setLastError("bad CUDA device ordinal " + std::to_string(ordinal));
    return nullptr;
  }
  if (static_cast<size_t>(ordinal) < contexts.size() && contexts[ordinal])
    return contexts[ordinal];
  int count = 0;
  if (!SEQMIX_CUDA_CHECK(*this, cuDeviceGetCount, &count))
    return nullptr;
  if (ordinal >= count) {
    setLastError("no CUDA device " + std::to_string(ordinal) + ": " +
                 std::to_string(count) + " device" + (count == 1 ? "" : "s") +
                 " found");
    return nullptr;
  }
  CUdevice device = 0;
  CUcontext context = nullptr;
  if (!SEQMIX_CUDA_CHECK(*this, cuDeviceGet, &device, ordinal) ||
      !SEQMIX_CUDA_CHECK(*this, cuDevicePrimaryCtxRetain, &context, device))
    return nullptr;
  if (contexts.size() <= static_cast<size_t>(ordinal))
    contexts.resize(ordinal + 1, nullptr);
  contexts[ordinal] = context;
  return context;
}

bool CudaDriver::setDevice(int ordinal) {
  CUcontext context = primaryContext(ordinal);
  if (!context)
    return false;
  CUcontext current = nullptr;
  if (!SEQMIX_CUDA_CHECK(*this, cuCtxGetCurrent, &current))
    return false;
  if (current == context)
    return true;
  return SEQMIX_CUDA_CHECK(*this, cuCtxSetCurrent, context);
}
