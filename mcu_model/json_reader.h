// Strict reading of the JSON configuration files (board profiles, coefficient
// sets, toolchain files, flash cache entries): every key must be known,
// present when required and of the right type, and every error names the file
// and the dotted key path. Typos in a calibration file would otherwise
// silently fall back to defaults.
//
// Built on the shared reader of sim/support/json_reader.h, which does the
// parsing and type checks; this adds ProfileError wording and a reading style
// suited to fixed-schema files: members are taken one by one and finish()
// rejects any member nobody took, so the schema is the code that reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/support/json_reader.h"

namespace tinyskip::mcu {

// How mcu_model words and raises JSON errors (see the policy described in
// sim/support/json_reader.h).
struct ProfileJsonErrors {
  // ProfileError "<file>: key '<path>': <message>", or "<file>: <message>"
  // about the whole document.
  [[noreturn]] static void at(const std::string& file, const std::string& path, const std::string& message);
  // ProfileError "<file>: not valid JSON: <detail>".
  [[noreturn]] static void invalid_json(const std::string& file, const std::string& detail);
};

using ProfileJsonValue = support::JsonValue<ProfileJsonErrors>;

// Parses a whole file as standard JSON (no comments; as before the shared
// reader, of repeated keys the last wins); ProfileError naming the path when
// it cannot be opened or is not valid JSON.
nlohmann::json read_json_file(const std::string& path);

// A view of one JSON object that hands out its members by key and remembers
// which were taken, so that finish() can reject the ones nobody asked for.
class ObjectReader {
 public:
  // `where` is the dotted path of this object inside the file ("" for the root).
  ObjectReader(const nlohmann::json& object, std::string file, std::string where);

  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  std::vector<std::string> string_list(const std::string& key);  // a JSON array of strings
  bool boolean(const std::string& key);
  int64_t integer(const std::string& key, int64_t min_value);  // whole number >= min_value
  double number(const std::string& key, double min_value);     // any finite number >= min_value
  std::optional<double> optional_number(const std::string& key, double min_value);
  ObjectReader object(const std::string& key);

  // All member keys (sorted); for objects whose keys are data (tables).
  std::set<std::string> keys() const;
  bool has(const std::string& key) const { return object_.raw().contains(key); }

  // Throws for the first member that was never read.
  void finish() const;

  // "file: key 'a.b': message", the format of every error raised here.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  ProfileJsonValue member(const std::string& key);

  ProfileJsonValue object_;
  std::set<std::string> taken_;
};

}  // namespace tinyskip::mcu
