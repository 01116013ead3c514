//===- MemRefSupport.cpp - C functions that lowered MLIR code calls -------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// memrefCopy and the generic allocation functions, written from the layout of
// MLIR's memref descriptors (see CSupport.h) without MLIR's headers.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/CSupport.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
/// The fixed part of a ranked descriptor; `sizes` and `strides` (rank int64s
/// each) follow `offset`.
struct RankedDescriptorHead {
  char *allocated;
  char *aligned;
  int64_t offset;
};
} // namespace

static char *dataPointer(const SeqMixUnrankedMemRef *memref, int64_t elemSize) {
  auto *head = static_cast<const RankedDescriptorHead *>(memref->descriptor);
  return head->aligned + head->offset * elemSize;
}

static const int64_t *sizesOf(const SeqMixUnrankedMemRef *memref) {
  return reinterpret_cast<const int64_t *>(
      static_cast<const char *>(memref->descriptor) +
      sizeof(RankedDescriptorHead));
}

extern "C" void memrefCopy(int64_t elemSize, SeqMixUnrankedMemRef *src,
                           SeqMixUnrankedMemRef *dst) {
  int64_t rank = src->rank;
  char *srcPtr = dataPointer(src, elemSize);
  char *dstPtr = dataPointer(dst, elemSize);
  if (rank == 0) {
    std::memcpy(dstPtr, srcPtr, elemSize);
    return;
  }
  const int64_t *sizes = sizesOf(src);
  const int64_t *srcStrides = sizes + rank;
  const int64_t *dstStrides = sizesOf(dst) + rank;
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;

  // The innermost dimensions that are contiguous on both sides are copied as
  // one block of `block` bytes; size-1 dimensions never break contiguity.
  int64_t block = elemSize;
  int64_t outer = rank; // Dimensions [0, outer) are iterated.
  while (outer > 0) {
    int64_t d = outer - 1;
    if (sizes[d] != 1 && (srcStrides[d] * elemSize != block ||
                          dstStrides[d] * elemSize != block))
      break;
    block *= sizes[d];
    --outer;
  }
  if (outer == 0) {
    std::memcpy(dstPtr, srcPtr, block);
    return;
  }

  // Walk the outer dimensions like an odometer, keeping byte offsets.
  std::vector<int64_t> index(outer, 0);
  int64_t srcOffset = 0, dstOffset = 0;
  for (;;) {
    std::memcpy(dstPtr + dstOffset, srcPtr + srcOffset, block);
    int64_t d = outer - 1;
    for (; d >= 0; --d) {
      srcOffset += srcStrides[d] * elemSize;
      dstOffset += dstStrides[d] * elemSize;
      if (++index[d] < sizes[d])
        break;
      srcOffset -= sizes[d] * srcStrides[d] * elemSize;
      dstOffset -= sizes[d] * dstStrides[d] * elemSize;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  return std::malloc(size);
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                    size_t size) {
  // posix_memalign takes any power of two that is a multiple of
  // sizeof(void *); MLIR asks for element or vector alignments.
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  void *ptr = nullptr;
  if (posix_memalign(&ptr, alignment, size ? size : 1) != 0)
    return nullptr;
  return ptr;
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) { std::free(ptr); }
