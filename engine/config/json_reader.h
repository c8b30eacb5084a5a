// Strict, typed reading of a JSON config file: the shared reader of
// sim/support/json_reader.h, raising ConfigErrors of the form
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
#include "sim/support/json_reader.h"

namespace tinyskip::engine {

// How config reading words and raises its errors (see the policy described in
// sim/support/json_reader.h).
struct ConfigJsonErrors {
  // ConfigError "<file>: <path>: <message>"; the path of the whole document
  // reads "(top level)".
  [[noreturn]] static void at(const std::string& file, const std::string& path, const std::string& message);
  // ConfigError "<file>: invalid JSON: <detail>".
  [[noreturn]] static void invalid_json(const std::string& file, const std::string& detail);
};

using JsonValue = support::JsonValue<ConfigJsonErrors>;
using JsonObject = support::JsonObject<ConfigJsonErrors>;
using support::json_child_path;
using support::json_index_path;

// Parses `text` (the contents of `file`) into JSON. Comments (// and /* */)
// are allowed so configs can explain themselves; duplicate keys in one object
// and malformed JSON are ConfigErrors naming `file`.
nlohmann::json parse_config_json(const std::string& text, const std::string& file);

}  // namespace tinyskip::engine
