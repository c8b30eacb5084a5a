// How generated C spells values: integer literals that are valid for every
// int32 (INT32_MIN has no plain literal), constant arrays as initialisers
// wrapped to a readable width, floats by their exact bit pattern. One place,
// so every generator emits byte-identical text for identical data.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tinyskip::engine {

// An int32 (or smaller) value as a C expression of type int.
std::string c_int(int64_t value);

// The elements of an initialiser list ("1, -2, 3,\n  4, ..."), `per_line`
// values per line, each line indented by two spaces.
std::string c_int8_initializer(std::span<const int8_t> values, int per_line = 20);
std::string c_int32_initializer(std::span<const int32_t> values, int per_line = 8);
std::string c_uint8_initializer(std::span<const uint8_t> values, int per_line = 24);

// Throws CodegenError when `name` is not a C identifier; `what` says which
// name it is ("model name", "function name").
void check_c_identifier(const std::string& name, const std::string& what);

// "lenet_cifar10" stays, "resnet-8.v2" becomes "resnet_8_v2", a leading digit
// gets a '_' in front: a C identifier for names derived from user text.
std::string c_identifier_from(const std::string& text);

}  // namespace tinyskip::engine
