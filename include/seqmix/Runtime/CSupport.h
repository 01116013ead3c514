/*===- CSupport.h - C functions that lowered MLIR code calls -----*- C -*-===*\
|*                                                                            *|
|* Part of the SeqMix project.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * The support functions that CPU code lowered by upstream MLIR 22 calls, with
 * upstream's C symbols and signatures, exported by libseqmix_runtime so that
 * a compiled library needs neither libmlir_c_runner_utils nor libMLIR.so:
 *
 *  - memrefCopy: what memref.copy lowers to (finalize-memref-to-llvm) when
 *    either side is not contiguous; upstream declares it in
 *    mlir/ExecutionEngine/CRunnerUtils.h with UnrankedMemRefType<char>*
 *    parameters, which have the layout of SeqMixUnrankedMemRef below.
 *  - _mlir_memref_to_llvm_alloc, _mlir_memref_to_llvm_aligned_alloc,
 *    _mlir_memref_to_llvm_free: what memref.alloc/dealloc lower to with
 *    finalize-memref-to-llvm{use-generic-functions=true}.
 *
 * and the runtime's own last-error string, for code that reports failures of
 * the runtime through seqmix_last_error().
 */
#ifndef SEQMIX_RUNTIME_CSUPPORT_H
#define SEQMIX_RUNTIME_CSUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An unranked memref: its rank and a pointer to a ranked descriptor
 *   { T *allocated; T *aligned; int64_t offset;
 *     int64_t sizes[rank]; int64_t strides[rank]; }
 * where sizes and strides count elements. */
typedef struct SeqMixUnrankedMemRef {
  int64_t rank;
  void *descriptor;
} SeqMixUnrankedMemRef;

/* Copies the elements of `src` into `dst` (same rank and sizes, any strides,
 * elements of `elemSize` bytes). */
void memrefCopy(int64_t elemSize, SeqMixUnrankedMemRef *src,
                SeqMixUnrankedMemRef *dst);

void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

/* The calls of a CUDA entry point (GPUSupport.cpp). The glue of a compiled
 * library calls seqmix_runtime_cuda_begin(stream) before the entry's C
 * interface: until seqmix_runtime_cuda_end(), on this thread, the mgpu*
 * functions use the caller's `stream` (a CUstream; NULL is the default
 * stream) instead of creating one, and neither synchronise nor destroy it.
 * The mgpu* functions never exit the process: seqmix_runtime_cuda_end()
 * returns 0, or 1 if a driver call failed in between, with the first failure
 * (naming the driver call) as seqmix_runtime_last_error(). */
void seqmix_runtime_cuda_begin(void *stream);
int32_t seqmix_runtime_cuda_end(void);

/* A TMA tensor map (CUtensorMap) of a bf16 tensor [rows, heads, cols]
 * (cols contiguous) at device address `base`, for boxes of 64 columns of one
 * head by 64 rows, in the 128-byte swizzle, zeros past the last row: the
 * device address of a copy of it in global memory, which the kernels of
 * seqmix-form-gpu-kernels="loads=tma" take. The copies are kept for the
 * life of the process (one per distinct map, made with a synchronous copy
 * the first time). 0 when rows is 0, or when it fails (the call's failure
 * recorded: an unaligned `base`, a driver without TMA); the launches of a
 * failed call are skipped. */
uint64_t seqmix_runtime_tensor_map(void *base, int64_t rows, int64_t heads,
                                   int64_t cols);

/* The thread's last error in libseqmix_runtime, or "". */
const char *seqmix_runtime_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SEQMIX_RUNTIME_CSUPPORT_H */
