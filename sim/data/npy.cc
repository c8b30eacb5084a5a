#include "sim/data/npy.h"

#include <cctype>
#include <cstring>
#include <limits>
#include <optional>

#include "sim/support/whole_file.h"

namespace tinyskip::sim {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw DataError(source + ": not a readable .npy file: " + message);
}

uint32_t little_endian(const std::string& bytes, size_t at, int width) {
  uint32_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = value << 8 | static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)]);
  return value;
}

// The header dict, read as the small Python literal numpy writes.
class HeaderParser {
 public:
  HeaderParser(std::string text, std::string source) : text_(std::move(text)), source_(std::move(source)) {}

  void parse(std::string& descr, bool& fortran_order, std::vector<int64_t>& shape) {
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        descr = quoted();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran_order = boolean();
        have_order = true;
      } else if (key == "shape") {
        shape = tuple();
        have_shape = true;
      } else {
        fail(source_, "unknown header key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      if (peek() != '}') fail(source_, "header: expected ',' or '}' at offset " + std::to_string(at_));
    }
    if (!have_descr || !have_order || !have_shape)
      fail(source_, "header lacks 'descr', 'fortran_order' or 'shape'");
  }

 private:
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(source_, std::string("header: expected '") + c + "' at offset " + std::to_string(at_));
    ++at_;
  }
  std::string quoted() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(source_, "header: expected a string at offset " + std::to_string(at_));
    const size_t end = text_.find(quote, at_ + 1);
    if (end == std::string::npos) fail(source_, "header: unterminated string");
    std::string value = text_.substr(at_ + 1, end - at_ - 1);
    at_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}})
      if (text_.compare(at_, std::strlen(word), word) == 0) {
        at_ += std::strlen(word);
        return value;
      }
    fail(source_, "header: 'fortran_order' is not True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> values;
    expect('(');
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        fail(source_, "header: 'shape' is not a tuple of non-negative integers");
      int64_t value = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) fail(source_, "header: a dimension is too large");
        value = value * 10 + (text_[at_++] - '0');
      }
      values.push_back(value);
      skip_space();
      if (peek() == ',') ++at_;
      else if (peek() != ')') fail(source_, "header: 'shape' is not a tuple of non-negative integers");
    }
    ++at_;
    return values;
  }

  std::string text_, source_;
  size_t at_ = 0;
};

std::optional<NpyType> type_of(const std::string& descr) {
  // '|' (not applicable) for one-byte types, '<' little-endian otherwise; '='
  // is native order, little-endian on every machine tinyskip runs on.
  static const std::pair<const char*, NpyType> kTypes[] = {
      {"i1", NpyType::kInt8},   {"u1", NpyType::kUint8},  {"i2", NpyType::kInt16},
      {"u2", NpyType::kUint16}, {"i4", NpyType::kInt32},  {"u4", NpyType::kUint32},
      {"i8", NpyType::kInt64},  {"u8", NpyType::kUint64}, {"f4", NpyType::kFloat32}};
  if (descr.size() != 3 || (descr[0] != '<' && descr[0] != '|' && descr[0] != '=')) return std::nullopt;
  for (const auto& [code, type] : kTypes)
    if (descr.compare(1, 2, code) == 0) return type;
  return std::nullopt;
}

}  // namespace

const char* npy_type_name(NpyType type) {
  switch (type) {
    case NpyType::kInt8: return "int8";
    case NpyType::kUint8: return "uint8";
    case NpyType::kInt16: return "int16";
    case NpyType::kUint16: return "uint16";
    case NpyType::kInt32: return "int32";
    case NpyType::kUint32: return "uint32";
    case NpyType::kInt64: return "int64";
    case NpyType::kUint64: return "uint64";
    case NpyType::kFloat32: return "float32";
  }
  return "unknown";
}

int npy_type_bytes(NpyType type) {
  switch (type) {
    case NpyType::kInt8:
    case NpyType::kUint8: return 1;
    case NpyType::kInt16:
    case NpyType::kUint16: return 2;
    case NpyType::kInt32:
    case NpyType::kUint32:
    case NpyType::kFloat32: return 4;
    case NpyType::kInt64:
    case NpyType::kUint64: return 8;
  }
  return 1;
}

int64_t NpyArray::elements() const {
  int64_t count = 1;
  for (int64_t dimension : shape) count *= dimension;
  return count;
}

int64_t NpyArray::integer(int64_t i) const {
  if (!is_integer()) throw DataError(source + ": holds float32 values, not integers");
  const uint8_t* p = data.data() + static_cast<size_t>(i) * static_cast<size_t>(npy_type_bytes(type));
  uint64_t raw = 0;
  for (int b = npy_type_bytes(type) - 1; b >= 0; --b) raw = raw << 8 | p[b];
  switch (type) {
    case NpyType::kInt8: return static_cast<int8_t>(raw);
    case NpyType::kInt16: return static_cast<int16_t>(raw);
    case NpyType::kInt32: return static_cast<int32_t>(raw);
    case NpyType::kInt64: return static_cast<int64_t>(raw);
    case NpyType::kUint64:
      if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw DataError(source + ": element " + std::to_string(i) + " does not fit an int64");
      return static_cast<int64_t>(raw);
    default: return static_cast<int64_t>(raw);
  }
}

float NpyArray::float32(int64_t i) const {
  if (type != NpyType::kFloat32) throw DataError(source + ": holds " + npy_type_name(type) + " values, not float32");
  float value;
  std::memcpy(&value, data.data() + static_cast<size_t>(i) * 4, 4);
  return value;
}

NpyArray parse_npy(const std::string& bytes, const std::string& source) {
  if (bytes.size() < kMagicBytes + 2 || bytes.compare(0, kMagicBytes, kMagic, kMagicBytes) != 0)
    fail(source, "it does not start with the .npy magic string");
  const int major = static_cast<uint8_t>(bytes[6]);
  if (major < 1 || major > 3) fail(source, "format version " + std::to_string(major) + " is not 1, 2 or 3");
  const int length_bytes = major == 1 ? 2 : 4;
  const size_t header_at = kMagicBytes + 2 + static_cast<size_t>(length_bytes);
  if (bytes.size() < header_at) fail(source, "truncated before the header length");
  const size_t header_length = little_endian(bytes, kMagicBytes + 2, length_bytes);
  if (bytes.size() < header_at + header_length)
    fail(source, "truncated inside the header (" + std::to_string(header_length) + " bytes announced)");

  std::string descr;
  bool fortran_order = false;
  NpyArray array;
  array.source = source;
  HeaderParser(bytes.substr(header_at, header_length), source).parse(descr, fortran_order, array.shape);
  const std::optional<NpyType> type = type_of(descr);
  if (!type)
    fail(source, "dtype '" + descr + "' is not supported (little-endian int8/16/32/64, uint8/16/32/64 or float32; "
                 "convert float64 data with .astype(numpy.float32))");
  if (fortran_order) fail(source, "the array is in Fortran order; save numpy.ascontiguousarray(a) instead");
  array.type = *type;

  const size_t item = static_cast<size_t>(npy_type_bytes(array.type));
  // Every partial product of the shape fits int64 (elements() multiplies in
  // this order), even where a later zero dimension makes the total 0.
  int64_t count = 1;
  for (int64_t dimension : array.shape) {
    if (dimension != 0 && count > std::numeric_limits<int64_t>::max() / dimension)
      fail(source, "the shape is too large");
    count *= dimension;
  }
  size_t expected = item;
  for (int64_t dimension : array.shape) {
    if (dimension != 0 && expected > std::numeric_limits<size_t>::max() / static_cast<size_t>(dimension))
      fail(source, "the shape is too large");
    expected *= static_cast<size_t>(dimension);
  }
  const size_t present = bytes.size() - header_at - header_length;
  if (present < expected)
    fail(source, "truncated: the shape needs " + std::to_string(expected) + " data bytes, the file has " +
                     std::to_string(present));
  if (present > expected)
    fail(source, std::to_string(present - expected) + " bytes follow the data the shape describes");
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header_at + header_length), bytes.end());
  return array;
}

NpyArray read_npy_file(const std::string& path) {
  const std::optional<std::string> bytes = support::read_whole_file(path);
  if (!bytes) throw DataError(path + ": cannot read the file");
  return parse_npy(*bytes, path);
}

}  // namespace tinyskip::sim
