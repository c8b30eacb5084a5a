// Strict reading of the JSON configuration files (board profiles, coefficient
// sets): every key must be known, present when required and of the right
// type, and every error names the file and the dotted key path. Typos in a
// calibration file would otherwise silently fall back to defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace tinyskip::mcu {

// Parses a whole file; ProfileError naming the path when it cannot be opened
// or is not valid JSON.
nlohmann::json read_json_file(const std::string& path);

// A view of one JSON object that hands out its members by key and remembers
// which were taken, so that finish() can reject the ones nobody asked for.
class ObjectReader {
 public:
  // `where` is the dotted path of this object inside the file ("" for the root).
  ObjectReader(const nlohmann::json& object, std::string file, std::string where);

  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  bool boolean(const std::string& key);
  int64_t integer(const std::string& key, int64_t min_value);  // whole number >= min_value
  double number(const std::string& key, double min_value);     // any number >= min_value
  std::optional<double> optional_number(const std::string& key, double min_value);
  ObjectReader object(const std::string& key);

  // All member keys (sorted); for objects whose keys are data (tables).
  std::set<std::string> keys() const;
  bool has(const std::string& key) const { return object_.contains(key); }

  // Throws for the first member that was never read.
  void finish() const;

  // "file: key 'a.b': message", the format of every error raised here.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  const nlohmann::json& member(const std::string& key);
  std::string path_of(const std::string& key) const;

  const nlohmann::json& object_;
  std::string file_;
  std::string where_;
  std::set<std::string> taken_;
};

}  // namespace tinyskip::mcu
