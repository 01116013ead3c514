//===- Npy.h - reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The .npy format (versions 1.0, 2.0 and 3.0): a magic string, a version, the
// length of a header, a header that is a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// and the raw data. Several arrays may follow each other in one file (what
// numpy.save does when called repeatedly on one open file).
//
// Only C-order arrays of little-endian booleans, integers and floats are
// supported; bf16 tensors are stored as uint16 ('<u2') bit patterns. Every
// malformed file gives an error message that names the file, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_RUNTIME_NPY_H
#define SEQMIX_RUNTIME_NPY_H

#include "seqmix/Runtime/Runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace seqmix {
namespace runtime {

/// A little-endian scalar type of an .npy file: kind 'b' (bool), 'i'
/// (signed), 'u' (unsigned) or 'f' (float), and a size in bytes.
struct NpyType {
  char kind = 0;
  int size = 0;

  bool operator==(const NpyType &other) const {
    return kind == other.kind && size == other.size;
  }
  bool operator!=(const NpyType &other) const { return !(*this == other); }
};

/// "<f4", "|u1", ...
std::string npyDescr(NpyType type);
/// "float32", "uint16", "bool", ...
std::string npyTypeName(NpyType type);
/// The .npy type that holds `dtype` (bf16: '<u2').
NpyType npyTypeFor(seqmix_dtype dtype);
/// The SeqMix element type of the same name, if any ('<u2' has none: whether
/// it holds bf16 is for the library's metadata to say).
bool dtypeForNpyType(NpyType type, seqmix_dtype &dtype);
/// Element `index` of a buffer of `type`, as a double.
double loadNpyElement(const void *data, NpyType type, size_t index);

struct NpyArray {
  NpyType type;
  std::vector<int64_t> shape;
  int64_t numElements = 0;
  HostBuffer data; // numElements * type.size bytes, C order
};

/// Parses the dict of an .npy header. `error` does not name a file.
bool parseNpyHeader(const std::string &header, NpyType &type,
                    std::vector<int64_t> &shape, std::string &error);
/// The complete preamble (magic, version, length, dict, padding) of an array:
/// version 1.0 when the header fits, 2.0 otherwise; 64-byte aligned.
std::string encodeNpyHeader(NpyType type, const std::vector<int64_t> &shape);

/// Reads the arrays of one .npy file in order.
class NpyReader {
public:
  NpyReader() = default;
  ~NpyReader();
  NpyReader(const NpyReader &) = delete;
  NpyReader &operator=(const NpyReader &) = delete;

  bool open(const std::string &path, std::string &error);
  /// True when no array follows.
  bool atEnd();
  /// Reads the next array. Messages name the file and, after the first, the
  /// array's index in it.
  bool read(NpyArray &array, std::string &error);
  const std::string &path() const { return filePath; }

private:
  std::string where() const;

  std::string filePath;
  FILE *file = nullptr;
  int arrayIndex = 0;
};

/// Reads the first array of `path`.
bool readNpyFile(const std::string &path, NpyArray &array, std::string &error);
/// Writes one array; `append` adds it after the arrays already in the file.
bool writeNpyFile(const std::string &path, NpyType type,
                  const std::vector<int64_t> &shape, const void *data,
                  size_t numBytes, bool append, std::string &error);

} // namespace runtime
} // namespace seqmix

#endif // SEQMIX_RUNTIME_NPY_H
