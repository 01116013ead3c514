/*===- driver.c - load a compiled SeqMix library and call it ------*- C -*-===*\
|*                                                                            *|
|* Part of the SeqMix project.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * A test driver of the libraries seqmix-compile produces, through nothing but
 * SeqMixABI.h and dlopen:
 *
 *   driver LIB                      print seqmix_library()'s metadata
 *   driver LIB FUNC SYMS IN...      call FUNC and print its outputs
 *
 * SYMS binds the symbols by name ("B=1,T=3"; "-" for none). Each IN fills an
 * input: a comma-separated list of numbers in row-major order, "iota" (0, 1,
 * 2, ...), or "null" (a NULL pointer). bf16 and f16 values are converted
 * from and to float by rounding to nearest even.
 */
#include "seqmix/Runtime/SeqMixABI.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dtypeName(seqmix_dtype dtype) {
  switch (dtype) {
  case SEQMIX_DTYPE_F32:
    return "f32";
  case SEQMIX_DTYPE_F64:
    return "f64";
  case SEQMIX_DTYPE_BF16:
    return "bf16";
  case SEQMIX_DTYPE_F16:
    return "f16";
  case SEQMIX_DTYPE_I32:
    return "i32";
  case SEQMIX_DTYPE_I64:
    return "i64";
  }
  return "?";
}

static size_t dtypeSize(seqmix_dtype dtype) {
  switch (dtype) {
  case SEQMIX_DTYPE_F64:
  case SEQMIX_DTYPE_I64:
    return 8;
  case SEQMIX_DTYPE_F32:
  case SEQMIX_DTYPE_I32:
    return 4;
  default:
    return 2;
  }
}

static void printDims(const seqmix_function_info *f, const seqmix_arg_info *a) {
  printf("[");
  for (int32_t d = 0; d < a->rank; ++d) {
    const seqmix_dim *dim = &a->dims[d];
    if (d)
      printf(", ");
    if (dim->symbol < 0)
      printf("%lld", (long long)dim->offset);
    else if (dim->offset == 0)
      printf("%s", f->symbol_names[dim->symbol]);
    else
      printf("%s%+lld", f->symbol_names[dim->symbol], (long long)dim->offset);
  }
  printf("]");
}

static void printLibrary(const seqmix_library_info *lib) {
  printf("abi_version %d, %d functions\n", lib->abi_version,
         lib->num_functions);
  for (int32_t i = 0; i < lib->num_functions; ++i) {
    const seqmix_function_info *f = &lib->functions[i];
    printf("function %s: device %s, entry %s, symbols [", f->name,
           f->device == SEQMIX_DEVICE_CPU ? "cpu" : "cuda",
           f->entry ? "set" : "NULL");
    for (int32_t s = 0; s < f->num_symbols; ++s)
      printf("%s%s", s ? ", " : "", f->symbol_names[s]);
    printf("]\n");
    for (int32_t a = 0; a < f->num_inputs; ++a) {
      printf("  input %d %s: %s ", a, f->inputs[a].name,
             dtypeName(f->inputs[a].dtype));
      printDims(f, &f->inputs[a]);
      printf("\n");
    }
    for (int32_t a = 0; a < f->num_outputs; ++a) {
      printf("  output %d %s: %s ", a, f->outputs[a].name,
             dtypeName(f->outputs[a].dtype));
      printDims(f, &f->outputs[a]);
      printf("\n");
    }
  }
}

static uint16_t toBF16(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return (uint16_t)(bits >> 16);
}

static float fromBF16(uint16_t value) {
  uint32_t bits = (uint32_t)value << 16;
  float result;
  memcpy(&result, &bits, 4);
  return result;
}

static uint16_t toF16(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000, mantissa = bits & 0x7fffff;
  int32_t exponent = (int32_t)((bits >> 23) & 0xff) - 127 + 15;
  if (((bits >> 23) & 0xff) == 0xff)
    return (uint16_t)(sign | 0x7c00 | (mantissa ? 0x200 : 0));
  if (exponent >= 31)
    return (uint16_t)(sign | 0x7c00);
  uint32_t shift = 13, half;
  if (exponent <= 0) {
    if (exponent < -10)
      return (uint16_t)sign;
    mantissa |= 0x800000;
    shift = 14 - exponent;
    half = mantissa >> shift;
  } else {
    half = ((uint32_t)exponent << 10) | (mantissa >> shift);
  }
  uint32_t rest = mantissa & ((1u << shift) - 1), middle = 1u << (shift - 1);
  if (rest > middle || (rest == middle && (half & 1)))
    ++half;
  return (uint16_t)(sign | half);
}

static float fromF16(uint16_t value) {
  uint32_t sign = (uint32_t)(value & 0x8000) << 16, bits;
  uint32_t exponent = (value >> 10) & 0x1f, mantissa = value & 0x3ff;
  if (exponent == 0)
    return (sign ? -1.0f : 1.0f) * (float)mantissa / 16777216.0f;
  if (exponent == 31)
    bits = sign | 0x7f800000 | (mantissa << 13);
  else
    bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  float result;
  memcpy(&result, &bits, 4);
  return result;
}

static void store(void *buffer, seqmix_dtype dtype, int64_t i, double value) {
  switch (dtype) {
  case SEQMIX_DTYPE_F32:
    ((float *)buffer)[i] = (float)value;
    break;
  case SEQMIX_DTYPE_F64:
    ((double *)buffer)[i] = value;
    break;
  case SEQMIX_DTYPE_BF16:
    ((uint16_t *)buffer)[i] = toBF16((float)value);
    break;
  case SEQMIX_DTYPE_F16:
    ((uint16_t *)buffer)[i] = toF16((float)value);
    break;
  case SEQMIX_DTYPE_I32:
    ((int32_t *)buffer)[i] = (int32_t)value;
    break;
  case SEQMIX_DTYPE_I64:
    ((int64_t *)buffer)[i] = (int64_t)value;
    break;
  }
}

static double load(const void *buffer, seqmix_dtype dtype, int64_t i) {
  switch (dtype) {
  case SEQMIX_DTYPE_F32:
    return ((const float *)buffer)[i];
  case SEQMIX_DTYPE_F64:
    return ((const double *)buffer)[i];
  case SEQMIX_DTYPE_BF16:
    return fromBF16(((const uint16_t *)buffer)[i]);
  case SEQMIX_DTYPE_F16:
    return fromF16(((const uint16_t *)buffer)[i]);
  case SEQMIX_DTYPE_I32:
    return ((const int32_t *)buffer)[i];
  case SEQMIX_DTYPE_I64:
    return (double)((const int64_t *)buffer)[i];
  }
  return NAN;
}

/* The number of elements of `a` for these symbols (0 if negative). */
static int64_t countElements(const seqmix_arg_info *a, const int64_t *syms) {
  int64_t count = 1;
  for (int32_t d = 0; d < a->rank; ++d) {
    const seqmix_dim *dim = &a->dims[d];
    int64_t size = dim->offset + (dim->symbol < 0 ? 0 : syms[dim->symbol]);
    count *= size < 0 ? 0 : size;
  }
  return count;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: driver LIB [FUNC SYMS IN...]\n");
    return 2;
  }
  void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    fprintf(stderr, "driver: %s\n", dlerror());
    return 1;
  }
  const seqmix_library_info *(*library)(void) =
      (const seqmix_library_info *(*)(void))dlsym(handle, "seqmix_library");
  const char *(*lastError)(void) =
      (const char *(*)(void))dlsym(handle, "seqmix_last_error");
  if (!library || !lastError) {
    fprintf(stderr, "driver: the library exports no seqmix_library or "
                    "seqmix_last_error\n");
    return 1;
  }
  const seqmix_library_info *lib = library();
  if (argc == 2) {
    printLibrary(lib);
    return 0;
  }

  const seqmix_function_info *f = NULL;
  for (int32_t i = 0; i < lib->num_functions; ++i)
    if (!strcmp(lib->functions[i].name, argv[2]))
      f = &lib->functions[i];
  if (!f || argc < 4 || argc - 4 != f->num_inputs) {
    fprintf(stderr, "driver: no function %s of %d inputs\n", argv[2], argc - 4);
    return 1;
  }

  int64_t syms[16] = {0};
  if (strcmp(argv[3], "-")) {
    char *list = strdup(argv[3]);
    for (char *item = strtok(list, ","); item; item = strtok(NULL, ",")) {
      char *eq = strchr(item, '=');
      int32_t s = 0;
      if (!eq) {
        fprintf(stderr, "driver: bad symbol binding '%s'\n", item);
        return 1;
      }
      *eq = 0;
      while (s < f->num_symbols && strcmp(f->symbol_names[s], item))
        ++s;
      if (s == f->num_symbols) {
        fprintf(stderr, "driver: no symbol %s\n", item);
        return 1;
      }
      syms[s] = strtoll(eq + 1, NULL, 10);
    }
    free(list);
  }

  void *inputs[16], *outputs[16];
  for (int32_t a = 0; a < f->num_inputs; ++a) {
    const seqmix_arg_info *info = &f->inputs[a];
    const char *text = argv[4 + a];
    int64_t count = countElements(info, syms);
    if (!strcmp(text, "null")) {
      inputs[a] = NULL;
      continue;
    }
    inputs[a] = calloc(count + 1, dtypeSize(info->dtype));
    if (!strcmp(text, "iota")) {
      for (int64_t i = 0; i < count; ++i)
        store(inputs[a], info->dtype, i, (double)i);
      continue;
    }
    char *end = (char *)text;
    for (int64_t i = 0; i < count; ++i) {
      double value = strtod(end, &end);
      store(inputs[a], info->dtype, i, value);
      if (*end == ',')
        ++end;
      else if (i + 1 < count) {
        fprintf(stderr, "driver: input %d has %lld values, needs %lld\n", a,
                (long long)(i + 1), (long long)count);
        return 1;
      }
    }
  }
  for (int32_t a = 0; a < f->num_outputs; ++a) {
    int64_t count = countElements(&f->outputs[a], syms);
    outputs[a] = calloc(count + 1, dtypeSize(f->outputs[a].dtype));
  }

  int32_t status = f->entry(inputs, outputs, syms, NULL);
  printf("status %d", status);
  if (status != SEQMIX_OK)
    printf(": %s", lastError());
  printf("\n");
  for (int32_t a = 0; status == SEQMIX_OK && a < f->num_outputs; ++a) {
    const seqmix_arg_info *info = &f->outputs[a];
    int64_t count = countElements(info, syms);
    printf("%s =", info->name);
    for (int64_t i = 0; i < count; ++i)
      printf(" %.6g", load(outputs[a], info->dtype, i));
    printf("\n");
  }
  return status == SEQMIX_OK ? 0 : 3;
}
