/*===- SeqMixABI.h - the C ABI of a compiled SeqMix library ------*- C -*-===*\
|*                                                                            *|
|* Part of the SeqMix project.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * A library produced by `seqmix-compile` exports two C functions,
 * `seqmix_library()` and `seqmix_last_error()`. The first describes every
 * entry point: its name, the device its pointers live on, its inputs and
 * outputs (name, element type, shape rule) and the function to call. One
 * library serves every shape: dimensions that are not static are named
 * symbols (B, T, N, ...), whose values the caller passes at each call.
 *
 * Buffers are dense and row-major. For a CPU function they are host pointers
 * and `stream` is ignored; for a CUDA function they are device pointers and
 * `stream` is the caller's CUstream (NULL: the default stream), on which the
 * call is enqueued and which the call does not synchronise. bf16 values are
 * stored as their 16-bit patterns. An entry point never exits its process:
 * it returns a status, and `seqmix_last_error()` then describes the failure
 * (for CUDA errors, naming the failing driver call).
 */
#ifndef SEQMIX_RUNTIME_SEQMIXABI_H
#define SEQMIX_RUNTIME_SEQMIXABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEQMIX_ABI_VERSION 1

/* What an entry point returns. */
typedef enum seqmix_status {
  SEQMIX_OK = 0,
  SEQMIX_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a negative symbol */
  SEQMIX_ERROR_SHAPE = 2,            /* symbols that violate a shape rule */
  SEQMIX_ERROR_CUDA = 3,             /* a CUDA driver call failed */
  SEQMIX_ERROR_OUT_OF_MEMORY = 4,
  SEQMIX_ERROR_INTERNAL = 5,
} seqmix_status;

typedef enum seqmix_dtype {
  SEQMIX_DTYPE_F32 = 0,
  SEQMIX_DTYPE_F64 = 1,
  SEQMIX_DTYPE_BF16 = 2,
  SEQMIX_DTYPE_F16 = 3,
  SEQMIX_DTYPE_I32 = 4,
  SEQMIX_DTYPE_I64 = 5,
  SEQMIX_DTYPE_BOOL = 6, /* one byte, 0 or 1 (numpy's bool) */
  SEQMIX_DTYPE_I8 = 7,
  SEQMIX_DTYPE_I16 = 8,
} seqmix_dtype;
/* The last element type, for range checks. */
#define SEQMIX_DTYPE_LAST SEQMIX_DTYPE_I16

typedef enum seqmix_device {
  SEQMIX_DEVICE_CPU = 0,
  SEQMIX_DEVICE_CUDA = 1,
} seqmix_device;

/* One dimension of an argument: the static size `offset` when `symbol` is
 * negative, otherwise the value of symbol `symbol` plus `offset` (the
 * `cu_seqlens` of N sequences has N + 1 entries: symbol N, offset 1). */
typedef struct seqmix_dim {
  int32_t symbol;
  int64_t offset;
} seqmix_dim;

typedef struct seqmix_arg_info {
  const char *name;
  seqmix_dtype dtype;
  int32_t rank;
  const seqmix_dim *dims; /* rank entries */
} seqmix_arg_info;

/* inputs[i] and outputs[i] are the buffers of the i-th input and output;
 * symbols[s] is the value of symbol s. */
typedef int32_t (*seqmix_entry_fn)(void *const *inputs, void *const *outputs,
                                   const int64_t *symbols, void *stream);

typedef struct seqmix_function_info {
  const char *name;
  seqmix_device device;
  int32_t num_inputs;
  const seqmix_arg_info *inputs;
  int32_t num_outputs;
  const seqmix_arg_info *outputs;
  int32_t num_symbols;
  const char *const *symbol_names;
  seqmix_entry_fn entry;
} seqmix_function_info;

typedef struct seqmix_library_info {
  int32_t abi_version; /* SEQMIX_ABI_VERSION */
  int32_t num_functions;
  const seqmix_function_info *functions;
} seqmix_library_info;

/* Exported by every compiled library. */
const seqmix_library_info *seqmix_library(void);
/* The message of the last failed call on this thread, or "". */
const char *seqmix_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* SEQMIX_RUNTIME_SEQMIXABI_H */
