//===- ONNXModel.h - a checked, protobuf-free view of a model ---*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The ONNX reader (ONNXReader.cpp, the only file that includes the protobuf
// classes) turns a ModelProto into these plain structs and checks on the way
// everything that a later step would otherwise have to trust: tensor data
// sizes against dims and data types, external data files and ranges,
// attribute kinds, opset imports. The importer only ever sees these.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_IMPORT_ONNXMODEL_H
#define SEQMIX_LIB_IMPORT_ONNXMODEL_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace seqmix {
namespace onnx_import {

/// TensorProto.DataType values the importer knows by name.
enum class DType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
};

/// The name of an ONNX data type ("FLOAT", "INT64", "FLOAT8E4M3FN", ...) or
/// "DTYPE_<n>" for a number the reader does not know.
std::string dtypeName(int32_t dtype);

/// Bytes per element of the types whose data the importer reads, else 0.
unsigned dtypeByteSize(int32_t dtype);

/// A tensor: its data type, dims and data as little-endian bytes of
/// `dtypeByteSize(dtype)` per element (bool: one byte, 0 or 1). `data` is
/// empty for types whose data the importer does not read (the importer
/// rejects such tensors when it uses them).
struct Tensor {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> dims;
  std::string data;
  /// The number of elements (dims are checked to be >= 0 and the product
  /// to fit in int64).
  int64_t numElements() const;
};

/// One dimension of a value's type: static, symbolic (dim_param) or unknown.
struct Dim {
  int64_t value = -1; ///< >= 0 when static
  std::string param;  ///< the dim_param, if any
  bool isStatic() const { return value >= 0; }
};

/// A graph input, output or value_info entry.
struct ValueInfo {
  std::string name;
  /// 0 when the type is absent or not a tensor type.
  int32_t dtype = 0;
  bool isTensor = false;
  /// Whether a shape is given; otherwise the rank is unknown.
  bool hasShape = false;
  std::vector<Dim> dims;
};

struct Graph;

/// A node attribute. Only the member named by `kind` is set.
struct Attr {
  enum class Kind {
    Undefined,
    Float,
    Int,
    String,
    Tensor,
    Graph,
    Floats,
    Ints,
    Strings,
    Other, ///< sparse tensors, type protos, lists of tensors or graphs
  };
  std::string name;
  Kind kind = Kind::Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<Tensor> t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

/// The name of an attribute kind ("FLOAT", "INTS", ...).
const char *attributeKindName(Attr::Kind kind);

struct Node {
  std::string name;
  std::string opType;
  std::string domain; ///< "" for the default domain ("ai.onnx" is mapped)
  std::vector<std::string> inputs;  ///< "" for an omitted optional input
  std::vector<std::string> outputs; ///< "" for an omitted optional output
  std::vector<Attr> attributes;
  /// The attribute called `name`, or null.
  const Attr *getAttribute(llvm::StringRef name) const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<Tensor> initializers;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> valueInfo;
};

struct Model {
  int64_t irVersion = 0;
  std::string producerName;
  std::string producerVersion;
  /// Opset version per domain; the default domain is "".
  std::map<std::string, int64_t> opsets;
  /// Names of model-local functions (not supported by the importer, but
  /// named in its error messages).
  std::vector<std::string> functions;
  Graph graph;
};

/// How the reader treats tensors stored in external files.
struct ReadOptions {
  /// The directory that `location` paths of external data are relative to.
  std::string baseDir;
  /// Whether external data may be read at all (the fuzzer turns it off).
  bool allowExternalData = true;
  /// Tensors larger than this many bytes are refused (a corrupt file that
  /// claims a huge tensor must not make the reader allocate it).
  uint64_t maxTensorBytes = uint64_t(1) << 34;
};

/// Parses and checks a serialized ModelProto. On failure returns false and
/// sets `error` to a message that says what is wrong and where.
bool readModel(const void *data, size_t size, const ReadOptions &options,
               Model &model, std::string &error);

} // namespace onnx_import
} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_IMPORT_ONNXMODEL_H
