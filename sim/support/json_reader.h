// Strict, typed reading of JSON documents: experiment configs (engine/), board
// profiles, coefficient sets and toolchain files (mcu_model/). Every value
// knows the file it came from and its JSON path ("search.budget",
// "boards[1]"), so every error names both.
//
// One implementation serves both users, although each raises its own
// exception type worded its own way: mcu_model may not include engine/, so
// they cannot share an exception. The `Errors` policy of a reader says how:
// a type with two static functions, both [[noreturn]] (they must throw):
//   at(file, path, message)      the value at `path` ("" = the whole
//                                document) is wrong;
//   invalid_json(file, detail)   the text is not JSON; `detail` names the
//                                line and column.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tinyskip::support {

template <class Errors>
concept JsonErrors = requires(const std::string& text) {
  Errors::at(text, text, text);
  Errors::invalid_json(text, text);
};

// What the parser accepts beyond standard JSON.
enum class JsonSyntax {
  kStandard,  // plain JSON; of repeated keys the last wins (nlohmann's default)
  kConfig,    // comments (// and /* */) allowed, so configs can explain
              // themselves; a key repeated in one object is an error
};

// "search" + "budget" -> "search.budget"; "" + "name" -> "name".
std::string json_child_path(const std::string& parent, const std::string& key);
// "boards" + 1 -> "boards[1]".
std::string json_index_path(const std::string& parent, size_t index);

namespace detail {

using RaiseAt = void (*)(const std::string& file, const std::string& path, const std::string& message);
using RaiseInvalidJson = void (*)(const std::string& file, const std::string& detail);

nlohmann::json parse_json(const std::string& text, const std::string& file, JsonSyntax syntax, RaiseAt at,
                          RaiseInvalidJson invalid_json);

// The value as JSON text, shortened so that a huge array does not flood a
// message.
std::string shown_value(const nlohmann::json& value);
// "a, b, c".
std::string joined_keys(std::initializer_list<const char*> keys);
// The first key of `object` that is not in `allowed`, if any.
std::optional<std::string> first_key_outside(const nlohmann::json& object,
                                             std::initializer_list<const char*> allowed);
// `value` if it is a JSON integer >= minimum (that fits int64_t).
std::optional<int64_t> integer_at_least(const nlohmann::json& value, int64_t minimum);

}  // namespace detail

// Parses `text` (the contents of `file`); malformed JSON (and, with kConfig, a
// repeated key) is raised through `Errors`.
template <JsonErrors Errors>
nlohmann::json parse_json(const std::string& text, const std::string& file, JsonSyntax syntax) {
  return detail::parse_json(text, file, syntax, &Errors::at, &Errors::invalid_json);
}

template <JsonErrors Errors>
class JsonObject;

// One value of the document, with where it came from. Holds a pointer into the
// parsed document, which must outlive it.
template <JsonErrors Errors>
class JsonValue {
 public:
  JsonValue(std::string file, const nlohmann::json& value, std::string path)
      : file_(std::move(file)), value_(&value), path_(std::move(path)) {}

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const nlohmann::json& raw() const { return *value_; }
  bool is_null() const { return value_->is_null(); }
  bool is_boolean() const { return value_->is_boolean(); }

  // Raises `message` about this value.
  [[noreturn]] void fail(const std::string& message) const { Errors::at(file_, path_, message); }
  // Raises "expected <what>, got <the value>".
  [[noreturn]] void expected(const std::string& what) const {
    fail("expected " + what + ", got " + detail::shown_value(*value_));
  }

  std::string as_string() const {
    if (!value_->is_string()) expected("a string");
    return value_->template get<std::string>();
  }
  bool as_bool() const {
    if (!value_->is_boolean()) expected("true or false");
    return value_->template get<bool>();
  }
  // Any JSON number.
  double as_number() const {
    if (!value_->is_number()) expected("a number");
    return value_->template get<double>();
  }
  // A finite JSON number >= minimum; anything else fails with "expected <what>".
  double as_number(double minimum, const std::string& what) const {
    if (!value_->is_number()) expected(what);
    const double value = value_->template get<double>();
    if (!std::isfinite(value) || value < minimum) expected(what);
    return value;
  }
  // A JSON integer >= minimum; anything else fails with "expected <what>".
  int64_t as_integer(int64_t minimum, const std::string& what) const {
    const std::optional<int64_t> value = detail::integer_at_least(*value_, minimum);
    if (!value) expected(what);
    return *value;
  }
  std::vector<JsonValue> as_array() const {
    if (!value_->is_array()) expected("an array");
    std::vector<JsonValue> elements;
    for (size_t i = 0; i < value_->size(); ++i)
      elements.emplace_back(file_, (*value_)[i], json_index_path(path_, i));
    return elements;
  }
  // An array of strings; a bad element is named by its index.
  std::vector<std::string> as_string_list() const {
    if (!value_->is_array()) expected("an array of strings");
    std::vector<std::string> strings;
    for (const JsonValue& element : as_array()) strings.push_back(element.as_string());
    return strings;
  }
  // Fails if this is not an object or holds a key outside allowed_keys.
  JsonObject<Errors> as_object(std::initializer_list<const char*> allowed_keys) const {
    if (!value_->is_object()) expected("an object");
    if (const std::optional<std::string> key = detail::first_key_outside(*value_, allowed_keys))
      Errors::at(file_, json_child_path(path_, *key),
                 "unknown key (allowed here: " + detail::joined_keys(allowed_keys) + ")");
    return JsonObject<Errors>(*this);
  }
  // An object whose keys are free-form (a map); no key check.
  JsonObject<Errors> as_map() const {
    if (!value_->is_object()) expected("an object");
    return JsonObject<Errors>(*this);
  }

 private:
  std::string file_;
  const nlohmann::json* value_;
  std::string path_;
};

// An object (checked by JsonValue::as_object or as_map); members are looked up
// by name.
template <JsonErrors Errors>
class JsonObject {
 public:
  explicit JsonObject(JsonValue<Errors> value) : value_(std::move(value)) {}

  const JsonValue<Errors>& value() const { return value_; }
  // Absent keys give nullopt; an explicit null is returned as a null value.
  std::optional<JsonValue<Errors>> get(const std::string& key) const {
    const auto found = value_.raw().find(key);
    if (found == value_.raw().end()) return std::nullopt;
    return JsonValue<Errors>(value_.file(), *found, json_child_path(value_.path(), key));
  }
  // Raises "<path>.<key>: required key is missing" when absent.
  JsonValue<Errors> required(const std::string& key) const {
    std::optional<JsonValue<Errors>> member = get(key);
    if (!member) Errors::at(value_.file(), json_child_path(value_.path(), key), "required key is missing");
    return *member;
  }
  // All members in key order (for map-like objects).
  std::vector<std::pair<std::string, JsonValue<Errors>>> members() const {
    std::vector<std::pair<std::string, JsonValue<Errors>>> result;
    for (const auto& [key, member] : value_.raw().items())
      result.emplace_back(key, JsonValue<Errors>(value_.file(), member, json_child_path(value_.path(), key)));
    return result;
  }

 private:
  JsonValue<Errors> value_;
};

}  // namespace tinyskip::support
