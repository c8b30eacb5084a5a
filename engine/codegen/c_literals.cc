#include "engine/codegen/c_literals.h"

#include <cctype>
#include <limits>

#include "engine/codegen/code_template.h"
#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {
namespace {

template <class T>
std::string initializer(std::span<const T> values, int per_line) {
  std::string out = "  ";
  for (size_t i = 0; i < values.size(); ++i) {
    out += c_int(values[i]);
    if (i + 1 == values.size()) break;
    out += (i + 1) % static_cast<size_t>(per_line) == 0 ? ",\n  " : ", ";
  }
  return out;
}

}  // namespace

std::string c_int(int64_t value) {
  if (value == std::numeric_limits<int32_t>::min()) return "INT32_MIN";
  return std::to_string(value);
}

std::string c_int8_initializer(std::span<const int8_t> values, int per_line) {
  return initializer(values, per_line);
}

std::string c_int32_initializer(std::span<const int32_t> values, int per_line) {
  return initializer(values, per_line);
}

std::string c_uint8_initializer(std::span<const uint8_t> values, int per_line) {
  return initializer(values, per_line);
}

void check_c_identifier(const std::string& name, const std::string& what) {
  if (!is_c_identifier(name)) throw CodegenError(what + " '" + name + "' is not a C identifier");
}

std::string c_identifier_from(const std::string& text) {
  std::string name;
  for (char ch : text) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) name.insert(name.begin(), '_');
  return name;
}

}  // namespace tinyskip::engine
