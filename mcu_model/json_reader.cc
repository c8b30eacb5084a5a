#include "mcu_model/json_reader.h"

#include <utility>

#include "mcu_model/errors.h"
#include "sim/support/whole_file.h"

namespace tinyskip::mcu {

void ProfileJsonErrors::at(const std::string& file, const std::string& path, const std::string& message) {
  if (path.empty()) throw ProfileError(file + ": " + message);
  throw ProfileError(file + ": key '" + path + "': " + message);
}

void ProfileJsonErrors::invalid_json(const std::string& file, const std::string& detail) {
  throw ProfileError(file + ": not valid JSON: " + detail);
}

nlohmann::json read_json_file(const std::string& path) {
  const std::optional<std::string> text = support::read_whole_file(path);
  if (!text) throw ProfileError(path + ": cannot open file");
  return support::parse_json<ProfileJsonErrors>(*text, path, support::JsonSyntax::kStandard);
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string file, std::string where)
    : object_(std::move(file), object, std::move(where)) {
  if (object.is_object()) return;
  object_.fail(object_.path().empty() ? "expected a JSON object at the top level" : "expected an object");
}

void ObjectReader::fail(const std::string& key, const std::string& message) const {
  ProfileJsonErrors::at(object_.file(), support::json_child_path(object_.path(), key), message);
}

ProfileJsonValue ObjectReader::member(const std::string& key) {
  const std::optional<ProfileJsonValue> value = object_.as_map().get(key);
  if (!value) fail(key, "missing");
  taken_.insert(key);
  return *value;
}

std::string ObjectReader::string(const std::string& key) { return member(key).as_string(); }

std::optional<std::string> ObjectReader::optional_string(const std::string& key) {
  if (!has(key)) return std::nullopt;
  return string(key);
}

std::vector<std::string> ObjectReader::string_list(const std::string& key) { return member(key).as_string_list(); }

bool ObjectReader::boolean(const std::string& key) { return member(key).as_bool(); }

int64_t ObjectReader::integer(const std::string& key, int64_t min_value) {
  return member(key).as_integer(min_value, "an integer >= " + std::to_string(min_value));
}

double ObjectReader::number(const std::string& key, double min_value) {
  return member(key).as_number(min_value, "a number >= " + nlohmann::json(min_value).dump());
}

std::optional<double> ObjectReader::optional_number(const std::string& key, double min_value) {
  if (!has(key)) return std::nullopt;
  return number(key, min_value);
}

ObjectReader ObjectReader::object(const std::string& key) {
  const ProfileJsonValue value = member(key);
  value.as_map();  // "expected an object, got ..." for anything else
  return ObjectReader(value.raw(), value.file(), value.path());
}

std::set<std::string> ObjectReader::keys() const {
  std::set<std::string> result;
  for (const auto& item : object_.raw().items()) result.insert(item.key());
  return result;
}

void ObjectReader::finish() const {
  for (const auto& item : object_.raw().items())
    if (!taken_.contains(item.key())) fail(item.key(), "unknown key");
}

}  // namespace tinyskip::mcu

