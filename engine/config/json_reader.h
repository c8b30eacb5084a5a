// Strict, typed reading of a JSON config file. Every accessor knows the JSON
// path of the value it reads ("search.budget", "boards[1]") and the file it
// came from, so every failure becomes a ConfigError of the form
//   <file>: <json path>: <what is wrong>
// Objects are opened with the list of keys they may hold and reject any other
// key at once: a misspelt option never silently falls back to its default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config/config_error.h"

namespace tinyskip::engine {

class JsonObject;

// Parses `text` (the contents of `file`) into JSON. Comments (// and /* */)
// are allowed so configs can explain themselves; duplicate keys in one object
// and malformed JSON are ConfigErrors naming `file`.
nlohmann::json parse_config_json(const std::string& text, const std::string& file);

// One value of the document, with where it came from.
class JsonValue {
 public:
  JsonValue(std::string file, const nlohmann::json& value, std::string path);

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const nlohmann::json& raw() const { return *value_; }
  bool is_null() const { return value_->is_null(); }

  // Throws ConfigError "<file>: <path>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  // Throws ConfigError "<file>: <path>: expected <what>, got <the value>".
  [[noreturn]] void expected(const std::string& what) const;

  std::string as_string() const;
  bool as_bool() const;
  double as_number() const;  // any JSON number (always finite)
  // A JSON integer >= minimum; anything else fails with "expected <what>".
  int64_t as_integer(int64_t minimum, const std::string& what) const;
  std::vector<JsonValue> as_array() const;
  // Fails if this is not an object or holds a key outside allowed_keys.
  JsonObject as_object(std::initializer_list<const char*> allowed_keys) const;
  // An object whose keys are free-form (a map); no key check.
  JsonObject as_map() const;

 private:
  std::string file_;
  const nlohmann::json* value_;
  std::string path_;
};

// An object whose keys have been checked; members are looked up by name.
class JsonObject {
 public:
  explicit JsonObject(JsonValue value) : value_(std::move(value)) {}

  const JsonValue& value() const { return value_; }
  // Absent keys give nullopt; an explicit null is returned as a null value.
  std::optional<JsonValue> get(const std::string& key) const;
  // Fails with "<path>.<key>: required key is missing" when absent.
  JsonValue required(const std::string& key) const;
  // All members in key order (for map-like objects).
  std::vector<std::pair<std::string, JsonValue>> members() const;

 private:
  JsonValue value_;
};

// "search" + "budget" -> "search.budget"; "" + "name" -> "name".
std::string json_child_path(const std::string& parent, const std::string& key);
// "boards" + 1 -> "boards[1]".
std::string json_index_path(const std::string& parent, size_t index);

}  // namespace tinyskip::engine
