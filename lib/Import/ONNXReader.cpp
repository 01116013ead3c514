//===- ONNXReader.cpp - ModelProto to the checked model view --------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The one file that includes the generated protobuf classes of onnx.proto.
// ParseFromArray never throws; every field that the importer later uses is
// checked here: dims, data sizes against dims and data types, external data
// paths and ranges, attribute kinds.
//
//===----------------------------------------------------------------------===//

#include "ONNXModel.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <climits>
#include <cstring>

using namespace mlir::seqmix::onnx_import;

namespace {
const char *const kDTypeNames[] = {
    "UNDEFINED",      "FLOAT",        "UINT8",          "INT8",
    "UINT16",         "INT16",        "INT32",          "INT64",
    "STRING",         "BOOL",         "FLOAT16",        "DOUBLE",
    "UINT32",         "UINT64",       "COMPLEX64",      "COMPLEX128",
    "BFLOAT16",       "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
    "FLOAT8E5M2FNUZ", "UINT4",        "INT4",           "FLOAT4E2M1",
    "FLOAT8E8M0",     "UINT2",        "INT2",           "FLOAT6E2M3",
    "FLOAT6E3M2"};
} // namespace

std::string mlir::seqmix::onnx_import::dtypeName(int32_t dtype) {
  if (dtype >= 0 &&
      dtype < static_cast<int32_t>(sizeof(kDTypeNames) / sizeof(char *)))
    return kDTypeNames[dtype];
  return "DTYPE_" + std::to_string(dtype);
}

unsigned mlir::seqmix::onnx_import::dtypeByteSize(int32_t dtype) {
  switch (static_cast<DType>(dtype)) {
  case DType::Bool:
  case DType::Int8:
  case DType::UInt8:
    return 1;
  case DType::Int16:
  case DType::UInt16:
  case DType::Float16:
  case DType::BFloat16:
    return 2;
  case DType::Float:
  case DType::Int32:
  case DType::UInt32:
    return 4;
  case DType::Double:
  case DType::Int64:
  case DType::UInt64:
    return 8;
  default:
    return 0;
  }
}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

const char *mlir::seqmix::onnx_import::attributeKindName(Attr::Kind kind) {
  switch (kind) {
  case Attr::Kind::Undefined:
    return "UNDEFINED";
  case Attr::Kind::Float:
    return "FLOAT";
  case Attr::Kind::Int:
    return "INT";
  case Attr::Kind::String:
    return "STRING";
  case Attr::Kind::Tensor:
    return "TENSOR";
  case Attr::Kind::Graph:
    return "GRAPH";
  case Attr::Kind::Floats:
    return "FLOATS";
  case Attr::Kind::Ints:
    return "INTS";
  case Attr::Kind::Strings:
    return "STRINGS";
  case Attr::Kind::Other:
    return "OTHER";
  }
  return "UNDEFINED";
}

const Attr *Node::getAttribute(llvm::StringRef attrName) const {
  for (const Attr &a : attributes)
    if (a.name == attrName)
      return &a;
  return nullptr;
}

namespace {
/// Converts and checks the parts of one model, recording the first error.
class Reader {
public:
  Reader(const ReadOptions &options, std::string &error)
      : options(options), error(error) {}

  bool model(const onnx::ModelProto &proto, Model &out);

private:
  bool fail(const llvm::Twine &message) {
    error = message.str();
    return false;
  }
  bool graph(const onnx::GraphProto &proto, Graph &out);
  bool node(const onnx::NodeProto &proto, Node &out);
  bool attribute(const onnx::AttributeProto &proto, const std::string &where,
                 Attr &out);
  bool tensor(const onnx::TensorProto &proto, const std::string &where,
              Tensor &out);
  bool externalData(const onnx::TensorProto &proto, const std::string &where,
                    uint64_t expectedBytes, Tensor &out);
  bool valueInfo(const onnx::ValueInfoProto &proto, ValueInfo &out);

  const ReadOptions &options;
  std::string &error;
};
} // namespace

bool Reader::model(const onnx::ModelProto &proto, Model &out) {
  out.irVersion = proto.ir_version();
  out.producerName = proto.producer_name();
  out.producerVersion = proto.producer_version();
  for (const onnx::OperatorSetIdProto &opset : proto.opset_import()) {
    std::string domain = opset.domain();
    if (domain == "ai.onnx")
      domain.clear();
    if (opset.version() < 1)
      return fail("opset_import of domain '" + opset.domain() +
                  "' has invalid version " + llvm::Twine(opset.version()));
    if (out.opsets.count(domain))
      return fail("opset_import names domain '" + opset.domain() + "' twice");
    out.opsets[domain] = opset.version();
  }
  for (const onnx::FunctionProto &f : proto.functions())
    out.functions.push_back(f.domain() + "::" + f.name());
  if (!proto.has_graph())
    return fail("the model has no graph");
  return graph(proto.graph(), out.graph);
}

bool Reader::graph(const onnx::GraphProto &proto, Graph &out) {
  out.name = proto.name();
  for (const onnx::TensorProto &t : proto.initializer()) {
    out.initializers.emplace_back();
    if (!tensor(t, "initializer '" + t.name() + "'", out.initializers.back()))
      return false;
    if (t.name().empty())
      return fail("an initializer has no name");
  }
  if (proto.sparse_initializer_size() > 0)
    return fail("sparse initializers are not supported (first: '" +
                proto.sparse_initializer(0).values().name() + "')");
  for (const onnx::ValueInfoProto &v : proto.input()) {
    out.inputs.emplace_back();
    if (!valueInfo(v, out.inputs.back()))
      return false;
  }
  for (const onnx::ValueInfoProto &v : proto.output()) {
    out.outputs.emplace_back();
    if (!valueInfo(v, out.outputs.back()))
      return false;
  }
  for (const onnx::ValueInfoProto &v : proto.value_info()) {
    out.valueInfo.emplace_back();
    if (!valueInfo(v, out.valueInfo.back()))
      return false;
  }
  for (const onnx::NodeProto &n : proto.node()) {
    out.nodes.emplace_back();
    if (!node(n, out.nodes.back()))
      return false;
  }
  return true;
}

bool Reader::valueInfo(const onnx::ValueInfoProto &proto, ValueInfo &out) {
  out.name = proto.name();
  if (out.name.empty())
    return fail("a graph input or output has no name");
  if (!proto.has_type() || !proto.type().has_tensor_type())
    return true;
  const onnx::TypeProto::Tensor &t = proto.type().tensor_type();
  out.isTensor = true;
  out.dtype = t.elem_type();
  if (!t.has_shape())
    return true;
  out.hasShape = true;
  for (const onnx::TensorShapeProto::Dimension &d : t.shape().dim()) {
    Dim dim;
    if (d.has_dim_value()) {
      if (d.dim_value() < 0)
        return fail("value '" + out.name + "' has a negative dimension " +
                    llvm::Twine(d.dim_value()));
      dim.value = d.dim_value();
    } else if (d.has_dim_param()) {
      dim.param = d.dim_param();
    }
    out.dims.push_back(std::move(dim));
  }
  return true;
}

bool Reader::node(const onnx::NodeProto &proto, Node &out) {
  out.name = proto.name();
  out.opType = proto.op_type();
  out.domain = proto.domain() == "ai.onnx" ? "" : proto.domain();
  std::string where = "node '" + out.name + "' (" + out.opType + ")";
  if (out.opType.empty())
    return fail("node '" + out.name + "' has no op_type");
  out.inputs.assign(proto.input().begin(), proto.input().end());
  out.outputs.assign(proto.output().begin(), proto.output().end());
  for (const onnx::AttributeProto &a : proto.attribute()) {
    out.attributes.emplace_back();
    if (!attribute(a, where, out.attributes.back()))
      return false;
  }
  return true;
}

bool Reader::attribute(const onnx::AttributeProto &proto,
                       const std::string &where, Attr &out) {
  using Kind = Attr::Kind;
  out.name = proto.name();
  std::string at = where + ", attribute '" + out.name + "'";
  if (!proto.ref_attr_name().empty())
    return fail(at + ": refers to a function attribute outside a function");
  onnx::AttributeProto::AttributeType type = proto.type();
  if (type == onnx::AttributeProto::UNDEFINED) {
    // IR version 1 files leave the type out: infer it from the field set.
    if (proto.has_f())
      type = onnx::AttributeProto::FLOAT;
    else if (proto.has_i())
      type = onnx::AttributeProto::INT;
    else if (proto.has_s())
      type = onnx::AttributeProto::STRING;
    else if (proto.has_t())
      type = onnx::AttributeProto::TENSOR;
    else if (proto.has_g())
      type = onnx::AttributeProto::GRAPH;
    else if (proto.floats_size())
      type = onnx::AttributeProto::FLOATS;
    else if (proto.ints_size())
      type = onnx::AttributeProto::INTS;
    else if (proto.strings_size())
      type = onnx::AttributeProto::STRINGS;
  }
  switch (type) {
  case onnx::AttributeProto::FLOAT:
    out.kind = Kind::Float;
    out.f = proto.f();
    return true;
  case onnx::AttributeProto::INT:
    out.kind = Kind::Int;
    out.i = proto.i();
    return true;
  case onnx::AttributeProto::STRING:
    out.kind = Kind::String;
    out.s = proto.s();
    return true;
  case onnx::AttributeProto::TENSOR:
    out.kind = Kind::Tensor;
    out.t = std::make_shared<Tensor>();
    return tensor(proto.t(), at, *out.t);
  case onnx::AttributeProto::GRAPH:
    out.kind = Kind::Graph;
    return true;
  case onnx::AttributeProto::FLOATS:
    out.kind = Kind::Floats;
    out.floats.assign(proto.floats().begin(), proto.floats().end());
    return true;
  case onnx::AttributeProto::INTS:
    out.kind = Kind::Ints;
    out.ints.assign(proto.ints().begin(), proto.ints().end());
    return true;
  case onnx::AttributeProto::STRINGS:
    out.kind = Kind::Strings;
    out.strings.assign(proto.strings().begin(), proto.strings().end());
    return true;
  case onnx::AttributeProto::UNDEFINED:
    out.kind = Kind::Undefined;
    return true;
  default:
    out.kind = Kind::Other;
    return true;
  }
}

/// Appends `value` to `out` as `size` little-endian bytes.
template <typename T>
static void appendLE(std::string &out, T value, unsigned size) {
  uint64_t bits = 0;
  static_assert(sizeof(T) <= 8, "at most 64 bits");
  std::memcpy(&bits, &value, sizeof(T));
  for (unsigned i = 0; i < size; ++i)
    out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

bool Reader::tensor(const onnx::TensorProto &proto, const std::string &where,
                    Tensor &out) {
  out.name = proto.name();
  out.dtype = proto.data_type();
  // Dims: non-negative, with a product that fits.
  int64_t count = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0)
      return fail(where + " has a negative dimension " + llvm::Twine(d));
    if (d != 0 && count > INT64_MAX / d)
      return fail(where + " has too many elements");
    count *= d;
    out.dims.push_back(d);
  }
  if (proto.has_segment())
    return fail(where + " is a segment of a tensor, which is not supported");
  unsigned size = dtypeByteSize(out.dtype);
  if (size == 0) {
    // Data of other types (strings, complex, 8-bit and smaller floats and
    // integers) is not read; the importer rejects the tensor if it uses it.
    return true;
  }
  if (static_cast<uint64_t>(count) > options.maxTensorBytes / size)
    return fail(where + " is larger than the importer accepts (" +
                llvm::Twine(count) + " elements of " + dtypeName(out.dtype) +
                ")");
  uint64_t bytes = static_cast<uint64_t>(count) * size;

  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return externalData(proto, where, bytes, out);
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes)
      return fail(where + " has " + llvm::Twine(proto.raw_data().size()) +
                  " bytes of raw_data, but dims and data type " +
                  dtypeName(out.dtype) + " need " + llvm::Twine(bytes));
    out.data = proto.raw_data();
    if (static_cast<DType>(out.dtype) == DType::Bool)
      for (char &c : out.data)
        c = c != 0;
    return true;
  }

  // Typed fields.
  auto checkCount = [&](int64_t got, const char *field) {
    if (got == count)
      return true;
    return fail(where + " has " + llvm::Twine(got) + " values in " + field +
                ", but dims need " + llvm::Twine(count));
  };
  out.data.reserve(bytes);
  switch (static_cast<DType>(out.dtype)) {
  case DType::Float:
    if (!checkCount(proto.float_data_size(), "float_data"))
      return false;
    for (float v : proto.float_data())
      appendLE(out.data, v, 4);
    return true;
  case DType::Double:
    if (!checkCount(proto.double_data_size(), "double_data"))
      return false;
    for (double v : proto.double_data())
      appendLE(out.data, v, 8);
    return true;
  case DType::Int64:
    if (!checkCount(proto.int64_data_size(), "int64_data"))
      return false;
    for (int64_t v : proto.int64_data())
      appendLE(out.data, v, 8);
    return true;
  case DType::UInt32:
  case DType::UInt64:
    if (!checkCount(proto.uint64_data_size(), "uint64_data"))
      return false;
    for (uint64_t v : proto.uint64_data())
      appendLE(out.data, v, size);
    return true;
  case DType::Bool:
    if (!checkCount(proto.int32_data_size(), "int32_data"))
      return false;
    for (int32_t v : proto.int32_data())
      out.data.push_back(v != 0);
    return true;
  default:
    // INT32, INT16, INT8, UINT8, UINT16, FLOAT16 and BFLOAT16 (as bits).
    if (!checkCount(proto.int32_data_size(), "int32_data"))
      return false;
    for (int32_t v : proto.int32_data())
      appendLE(out.data, v, size);
    return true;
  }
}

bool Reader::externalData(const onnx::TensorProto &proto,
                          const std::string &where, uint64_t expectedBytes,
                          Tensor &out) {
  if (!options.allowExternalData)
    return fail(where + " is stored in an external file, which this reader "
                        "does not read");
  std::string location;
  uint64_t offset = 0;
  bool hasLength = false;
  uint64_t length = 0;
  for (const onnx::StringStringEntryProto &e : proto.external_data()) {
    const std::string &key = e.key();
    if (key == "location") {
      location = e.value();
    } else if (key == "offset" || key == "length") {
      uint64_t v;
      if (llvm::StringRef(e.value()).getAsInteger(10, v))
        return fail(where + ": external data " + key + " '" + e.value() +
                    "' is not a non-negative integer");
      if (key == "offset") {
        offset = v;
      } else {
        length = v;
        hasLength = true;
      }
    }
  }
  if (location.empty())
    return fail(where + ": external data has no location");
  // Only files beside the model, or below its directory.
  llvm::StringRef loc(location);
  if (llvm::sys::path::is_absolute(loc))
    return fail(where + ": external data location '" + location +
                "' must be relative to the model's directory");
  for (auto it = llvm::sys::path::begin(loc), e = llvm::sys::path::end(loc);
       it != e; ++it)
    if (*it == "..")
      return fail(where + ": external data location '" + location +
                  "' must not leave the model's directory");
  if (hasLength && length != expectedBytes)
    return fail(where + ": external data length " + llvm::Twine(length) +
                " differs from the " + llvm::Twine(expectedBytes) +
                " bytes that dims and data type " + dtypeName(out.dtype) +
                " need");
  llvm::SmallString<256> path(options.baseDir);
  llvm::sys::path::append(path, loc);
  uint64_t fileSize = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize))
    return fail(where + ": cannot open external data file '" + path +
                "': " + ec.message());
  if (offset > fileSize || expectedBytes > fileSize - offset)
    return fail(where + ": external data file '" + path + "' has " +
                llvm::Twine(fileSize) + " bytes, too few for " +
                llvm::Twine(expectedBytes) + " bytes at offset " +
                llvm::Twine(offset));
  if (expectedBytes == 0)
    return true;
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, expectedBytes, offset);
  if (!buffer)
    return fail(where + ": cannot read external data file '" + path +
                "': " + buffer.getError().message());
  out.data.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  if (static_cast<DType>(out.dtype) == DType::Bool)
    for (char &c : out.data)
      c = c != 0;
  return true;
}

bool mlir::seqmix::onnx_import::readModel(const void *data, size_t size,
                                          const ReadOptions &options,
                                          Model &model, std::string &error) {
  if (size > static_cast<size_t>(INT_MAX)) {
    error = "the file is larger than 2 GiB; store the weights as external "
            "data (onnx.save(..., save_as_external_data=True))";
    return false;
  }
  onnx::ModelProto proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size))) {
    error = "not a valid ONNX model: the protobuf message cannot be parsed "
            "(a truncated or corrupt file?)";
    return false;
  }
  if (!proto.has_ir_version() && !proto.has_graph()) {
    error = "not a valid ONNX model: no ir_version and no graph";
    return false;
  }
  Reader reader(options, error);
  return reader.model(proto, model);
}
