/*===- runtime.c - a stand-in for libseqmix_runtime in tests ------*- C -*-===*\
|*                                                                            *|
|* Part of the SeqMix project.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * memrefCopy, as upstream's CRunnerUtils defines it: copies the strided
 * memref `src` into `dst` (same shape), element by element. The tests link
 * the libraries that need it against this file built as
 * libseqmix_runtime.so, so that they do not depend on the real runtime.
 */
#include <stdint.h>
#include <string.h>

typedef struct {
  int64_t rank;
  void *descriptor;
} unranked_memref;

typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizes_and_strides[];
} strided_memref;

void memrefCopy(int64_t element_size, unranked_memref *src,
                unranked_memref *dst) {
  int64_t rank = src->rank;
  const strided_memref *s = src->descriptor;
  const strided_memref *d = dst->descriptor;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    count *= s->sizes_and_strides[i];
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t rest = linear, from = s->offset, to = d->offset;
    for (int64_t i = rank - 1; i >= 0; --i) {
      int64_t index = rest % s->sizes_and_strides[i];
      rest /= s->sizes_and_strides[i];
      from += index * s->sizes_and_strides[rank + i];
      to += index * d->sizes_and_strides[rank + i];
    }
    memcpy(d->aligned + to * element_size, s->aligned + from * element_size,
           element_size);
  }
}
