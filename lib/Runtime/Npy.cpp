//===- Npy.cpp - reading and writing NumPy .npy files ---------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Runtime/Npy.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

using namespace seqmix::runtime;

static const char kMagic[] = "\x93NUMPY";
static const size_t kMagicSize = 6;
/// numpy refuses headers longer than 10000 bytes unless told otherwise; allow
/// more, but not so much that a corrupt length exhausts memory.
static const uint32_t kMaxHeaderSize = 1u << 24;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

std::string seqmix::runtime::npyDescr(NpyType type) {
  std::string descr(1, type.size == 1 ? '|' : '<');
  descr += type.kind;
  descr += std::to_string(type.size);
  return descr;
}

std::string seqmix::runtime::npyTypeName(NpyType type) {
  switch (type.kind) {
  case 'b':
    return "bool";
  case 'i':
    return "int" + std::to_string(8 * type.size);
  case 'u':
    return "uint" + std::to_string(8 * type.size);
  case 'f':
    return "float" + std::to_string(8 * type.size);
  }
  return "?";
}

NpyType seqmix::runtime::npyTypeFor(seqmix_dtype dtype) {
  switch (dtype) {
  case SEQMIX_DTYPE_F32:
    return {'f', 4};
  case SEQMIX_DTYPE_F64:
    return {'f', 8};
  case SEQMIX_DTYPE_BF16:
    return {'u', 2};
  case SEQMIX_DTYPE_F16:
    return {'f', 2};
  case SEQMIX_DTYPE_I32:
    return {'i', 4};
  case SEQMIX_DTYPE_I64:
    return {'i', 8};
  case SEQMIX_DTYPE_BOOL:
    return {'b', 1};
  case SEQMIX_DTYPE_I8:
    return {'i', 1};
  case SEQMIX_DTYPE_I16:
    return {'i', 2};
  }
  return {};
}

bool seqmix::runtime::dtypeForNpyType(NpyType type, seqmix_dtype &dtype) {
  for (int32_t i = SEQMIX_DTYPE_F32; i <= SEQMIX_DTYPE_LAST; ++i) {
    auto candidate = static_cast<seqmix_dtype>(i);
    if (candidate != SEQMIX_DTYPE_BF16 && npyTypeFor(candidate) == type) {
      dtype = candidate;
      return true;
    }
  }
  return false;
}

template <typename T> static double loadAs(const void *data, size_t index) {
  T value;
  std::memcpy(&value, static_cast<const char *>(data) + index * sizeof(T),
              sizeof(T));
  return static_cast<double>(value);
}

double seqmix::runtime::loadNpyElement(const void *data, NpyType type,
                                       size_t index) {
  switch (type.kind) {
  case 'b':
    return loadAs<uint8_t>(data, index) != 0;
  case 'i':
    switch (type.size) {
    case 1:
      return loadAs<int8_t>(data, index);
    case 2:
      return loadAs<int16_t>(data, index);
    case 4:
      return loadAs<int32_t>(data, index);
    case 8:
      return loadAs<int64_t>(data, index);
    }
    break;
  case 'u':
    switch (type.size) {
    case 1:
      return loadAs<uint8_t>(data, index);
    case 2:
      return loadAs<uint16_t>(data, index);
    case 4:
      return loadAs<uint32_t>(data, index);
    case 8:
      return loadAs<uint64_t>(data, index);
    }
    break;
  case 'f':
    switch (type.size) {
    case 2: {
      uint16_t bits;
      std::memcpy(&bits, static_cast<const char *>(data) + 2 * index, 2);
      return halfToFloat(bits);
    }
    case 4:
      return loadAs<float>(data, index);
    case 8:
      return loadAs<double>(data, index);
    }
    break;
  }
  return 0.0;
}

//===----------------------------------------------------------------------===//
// Header
//===----------------------------------------------------------------------===//

namespace {
/// A parser of the Python literal in an .npy header. It knows strings,
/// integers, booleans, None, tuples of integers, and skips lists and dicts.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  enum class Kind { String, Integer, Bool, None, Tuple, Other };
  struct Value {
    Kind kind = Kind::Other;
    std::string string;
    int64_t integer = 0;
    bool boolean = false;
    std::vector<int64_t> tuple;
  };

  bool parseDict(std::vector<std::pair<std::string, Value>> &entries,
                 std::string &error);

private:
  void skipSpace() {
    while (pos < text.size() &&
           std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool parseString(std::string &out, std::string &error);
  bool parseInteger(int64_t &out, std::string &error);
  bool parseValue(Value &value, std::string &error);
  bool skipNested(std::string &error);
  std::string near() const {
    return " at offset " + std::to_string(pos) + " of the header";
  }

  const std::string &text;
  size_t pos = 0;
};
} // namespace

bool HeaderParser::parseString(std::string &out, std::string &error) {
  skipSpace();
  if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"')) {
    error = "expected a string" + near();
    return false;
  }
  char quote = text[pos++];
  out.clear();
  while (pos < text.size() && text[pos] != quote) {
    if (text[pos] == '\\' && pos + 1 < text.size())
      ++pos;
    out += text[pos++];
  }
  if (pos >= text.size()) {
    error = "unterminated string in the header";
    return false;
  }
  ++pos;
  return true;
}

bool HeaderParser::parseInteger(int64_t &out, std::string &error) {
  skipSpace();
  size_t start = pos;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+'))
    negative = text[pos++] == '-';
  if (pos >= text.size() ||
      !std::isdigit(static_cast<unsigned char>(text[pos]))) {
    pos = start;
    error = "expected an integer" + near();
    return false;
  }
  int64_t value = 0;
  while (pos < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[pos]))) {
    int digit = text[pos++] - '0';
    if (value > (INT64_MAX - digit) / 10) {
      error = "integer too large" + near();
      return false;
    }
    value = value * 10 + digit;
  }
  if (pos < text.size() && (text[pos] == 'L' || text[pos] == 'l'))
    ++pos; // Python 2 long suffix.
  out = negative ? -value : value;
  return true;
}

bool HeaderParser::skipNested(std::string &error) {
  // At '[' or '{': skip to the matching bracket, over strings.
  int depth = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\'' || c == '"') {
      std::string ignored;
      if (!parseString(ignored, error))
        return false;
      continue;
    }
    ++pos;
    if (c == '[' || c == '{' || c == '(')
      ++depth;
    else if ((c == ']' || c == '}' || c == ')') && --depth == 0)
      return true;
  }
  error = "unbalanced brackets in the header";
  return false;
}

bool HeaderParser::parseValue(Value &value, std::string &error) {
  skipSpace();
  if (pos >= text.size()) {
    error = "the header ends in the middle of the dict";
    return false;
  }
  char c = text[pos];
  if (c == '\'' || c == '"') {
    value.kind = Kind::String;
    return parseString(value.string, error);
  }
  if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) {
    value.kind = Kind::Integer;
    return parseInteger(value.integer, error);
  }
  for (const char *word : {"True", "False", "None"}) {
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) == 0) {
      pos += n;
      value.kind = word[0] == 'N' ? Kind::None : Kind::Bool;
      value.boolean = word[0] == 'T';
      return true;
    }
  }
  if (c == '(') {
    ++pos;
    value.kind = Kind::Tuple;
    while (!consume(')')) {
      int64_t element;
      if (!parseInteger(element, error)) {
        error = "expected a tuple of integers" + near();
        return false;
      }
      value.tuple.push_back(element);
      if (!consume(',')) {
        if (!consume(')')) {
          error = "expected ',' or ')' in a tuple" + near();
          return false;
        }
        break;
      }
    }
    return true;
  }
  if (c == '[' || c == '{') {
    value.kind = Kind::Other;
    return skipNested(error);
  }
  error = std::string("unexpected character '") + c + "'" + near();
  return false;
}

bool HeaderParser::parseDict(
    std::vector<std::pair<std::string, Value>> &entries, std::string &error) {
  if (!consume('{')) {
    error = "the header is not a dict";
    return false;
  }
  while (!consume('}')) {
    std::string key;
    if (!parseString(key, error))
      return false;
    if (!consume(':')) {
      error = "expected ':' after '" + key + "'" + near();
      return false;
    }
    Value value;
    if (!parseValue(value, error))
      return false;
    entries.emplace_back(key, value);
    if (!consume(',')) {
      if (!consume('}')) {
        error = "expected ',' or '}'" + near();
        return false;
      }
      break;
    }
  }
  return true;
}

bool seqmix::runtime::parseNpyHeader(const std::string &header, NpyType &type,
                                     std::vector<int64_t> &shape,
                                     std::string &error) {
  std::vector<std::pair<std::string, HeaderParser::Value>> entries;
  HeaderParser parser(header);
  if (!parser.parseDict(entries, error)) {
    error = "bad header: " + error;
    return false;
  }
  const HeaderParser::Value *descr = nullptr, *fortran = nullptr,
                            *shapeValue = nullptr;
  for (const auto &entry : entries) {
    if (entry.first == "descr")
      descr = &entry.second;
    else if (entry.first == "fortran_order")
      fortran = &entry.second;
    else if (entry.first == "shape")
      shapeValue = &entry.second;
  }
  if (!descr || !fortran || !shapeValue) {
    error = std::string("bad header: no '") +
            (!descr     ? "descr"
             : !fortran ? "fortran_order"
                        : "shape") +
            "' key";
    return false;
  }
  if (descr->kind != HeaderParser::Kind::String) {
    error = "structured dtypes are not supported (the 'descr' is not a "
            "string)";
    return false;
  }
  if (fortran->kind != HeaderParser::Kind::Bool) {
    error = "bad header: 'fortran_order' is not True or False";
    return false;
  }
  if (shapeValue->kind != HeaderParser::Kind::Tuple) {
    error = "bad header: 'shape' is not a tuple of integers";
    return false;
  }
  const std::string &d = descr->string;
  char order = d.empty() ? 0 : d[0];
  size_t sizeStart = 2;
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    order = 0; // No byte-order character, e.g. 'f4'.
    sizeStart = 1;
  }
  NpyType parsed;
  parsed.kind = d.size() > sizeStart - 1 ? d[sizeStart - 1] : 0;
  const char *digits = d.c_str() + std::min(sizeStart, d.size());
  char *end = nullptr;
  long size = *digits ? std::strtol(digits, &end, 10) : 0;
  bool known = end && *end == 0 &&
               ((parsed.kind == 'b' && size == 1) ||
                ((parsed.kind == 'i' || parsed.kind == 'u') &&
                 (size == 1 || size == 2 || size == 4 || size == 8)) ||
                (parsed.kind == 'f' && (size == 2 || size == 4 || size == 8)));
  if (!known) {
    error = "unsupported dtype '" + d +
            "' (supported: little-endian bool, integers, float16/32/64)";
    return false;
  }
  parsed.size = static_cast<int>(size);
  if (order == '>' && parsed.size > 1) {
    error = "big-endian data ('" + d +
            "') is not supported: save it little-endian (e.g. "
            "a.astype(a.dtype.newbyteorder('<')))";
    return false;
  }
  if (fortran->boolean) {
    error = "Fortran-order arrays are not supported: save a C-order array "
            "(numpy.ascontiguousarray)";
    return false;
  }
  for (int64_t dim : shapeValue->tuple) {
    if (dim < 0) {
      error = "bad header: negative dimension in shape " +
              formatShape(shapeValue->tuple);
      return false;
    }
  }
  type = parsed;
  shape = shapeValue->tuple;
  return true;
}

std::string
seqmix::runtime::encodeNpyHeader(NpyType type,
                                 const std::vector<int64_t> &shape) {
  std::string dict =
      "{'descr': '" + npyDescr(type) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      dict += ", ";
    dict += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    dict += ",";
  dict += "), }";
  // Pad with spaces and end with '\n' so that the data starts at a multiple of
  // 64 bytes, as numpy does.
  size_t prefix = kMagicSize + 2 + 2;
  bool version2 = false;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  if (total - prefix > 65535) {
    version2 = true;
    prefix = kMagicSize + 2 + 4;
    total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  }
  size_t headerSize = total - prefix;
  dict.append(headerSize - dict.size() - 1, ' ');
  dict += '\n';

  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(version2 ? 2 : 1);
  out += static_cast<char>(0);
  for (int i = 0; i < (version2 ? 4 : 2); ++i)
    out += static_cast<char>((headerSize >> (8 * i)) & 0xff);
  return out + dict;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

NpyReader::~NpyReader() {
  if (file)
    std::fclose(file);
}

std::string NpyReader::where() const {
  std::string text = "'" + filePath + "'";
  if (arrayIndex > 0)
    text += " (array #" + std::to_string(arrayIndex) + ")";
  return text;
}

bool NpyReader::open(const std::string &path, std::string &error) {
  if (file)
    std::fclose(file);
  filePath = path;
  arrayIndex = 0;
  file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

bool NpyReader::atEnd() {
  if (!file)
    return true;
  int c = std::fgetc(file);
  if (c == EOF)
    return true;
  std::ungetc(c, file);
  return false;
}

bool NpyReader::read(NpyArray &array, std::string &error) {
  if (!file) {
    error = "no .npy file is open";
    return false;
  }
  std::string at = where();
  unsigned char preamble[kMagicSize + 2];
  size_t got = std::fread(preamble, 1, sizeof(preamble), file);
  if (got == 0 && arrayIndex > 0) {
    error = at + ": the file holds only " + std::to_string(arrayIndex) +
            (arrayIndex == 1 ? " array" : " arrays");
    return false;
  }
  if (got == 0) {
    error = at + ": the file is empty, not a .npy file";
    return false;
  }
  if (got < kMagicSize || std::memcmp(preamble, kMagic, kMagicSize) != 0) {
    error = at + ": not a .npy file (bad magic string)";
    return false;
  }
  if (got < sizeof(preamble)) {
    error = at + ": truncated header";
    return false;
  }
  int major = preamble[kMagicSize], minor = preamble[kMagicSize + 1];
  if (major < 1 || major > 3 || minor != 0) {
    error = at + ": unsupported .npy format version " + std::to_string(major) +
            "." + std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
    return false;
  }
  unsigned char lengthBytes[4] = {0, 0, 0, 0};
  size_t lengthSize = major == 1 ? 2 : 4;
  if (std::fread(lengthBytes, 1, lengthSize, file) != lengthSize) {
    error = at + ": truncated header";
    return false;
  }
  uint32_t headerSize = 0;
  for (size_t i = 0; i < lengthSize; ++i)
    headerSize |= static_cast<uint32_t>(lengthBytes[i]) << (8 * i);
  if (headerSize > kMaxHeaderSize) {
    error = at + ": bad header: its length " + std::to_string(headerSize) +
            " is implausible";
    return false;
  }
  std::string header(headerSize, '\0');
  if (headerSize && std::fread(&header[0], 1, headerSize, file) != headerSize) {
    error = at + ": truncated header";
    return false;
  }
  if (!parseNpyHeader(header, array.type, array.shape, error)) {
    error = at + ": " + error;
    return false;
  }
  int64_t numBytes = 0;
  if (!computeSize(array.shape, array.type.size, array.numElements, numBytes,
                   error)) {
    error = at + ": bad header: " + error;
    return false;
  }
  // Check the size of the file before allocating what its header claims.
  long here = std::ftell(file);
  if (here >= 0 && std::fseek(file, 0, SEEK_END) == 0) {
    long end = std::ftell(file);
    std::fseek(file, here, SEEK_SET);
    if (end >= here &&
        static_cast<uint64_t>(end - here) < static_cast<uint64_t>(numBytes)) {
      error = at + ": the data is truncated: shape " +
              formatShape(array.shape) + " of " + npyDescr(array.type) +
              " needs " + std::to_string(numBytes) + " bytes but only " +
              std::to_string(end - here) + " follow the header";
      return false;
    }
  }
  if (!array.data.allocate(static_cast<size_t>(numBytes), error)) {
    error = at + ": " + error;
    return false;
  }
  size_t read = numBytes ? std::fread(array.data.data(), 1,
                                      static_cast<size_t>(numBytes), file)
                         : 0;
  if (read != static_cast<size_t>(numBytes)) {
    error = at + ": the data is truncated: shape " + formatShape(array.shape) +
            " of " + npyDescr(array.type) + " needs " +
            std::to_string(numBytes) + " bytes but only " +
            std::to_string(read) + " follow the header";
    return false;
  }
  ++arrayIndex;
  return true;
}

bool seqmix::runtime::readNpyFile(const std::string &path, NpyArray &array,
                                  std::string &error) {
  NpyReader reader;
  return reader.open(path, error) && reader.read(array, error);
}

bool seqmix::runtime::writeNpyFile(const std::string &path, NpyType type,
                                   const std::vector<int64_t> &shape,
                                   const void *data, size_t numBytes,
                                   bool append, std::string &error) {
  FILE *file = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (!file) {
    error = "cannot open '" + path + "' for writing: " + std::strerror(errno);
    return false;
  }
  std::string header = encodeNpyHeader(type, shape);
  bool ok = std::fwrite(header.data(), 1, header.size(), file) == header.size();
  if (ok && numBytes)
    ok = std::fwrite(data, 1, numBytes, file) == numBytes;
  if (std::fclose(file) != 0)
    ok = false;
  if (!ok)
    error = "cannot write '" + path + "': " + std::strerror(errno);
  return ok;
}
