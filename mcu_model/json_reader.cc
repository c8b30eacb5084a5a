#include "mcu_model/json_reader.h"

#include <cmath>
#include <fstream>
#include <utility>

#include "mcu_model/errors.h"

namespace tinyskip::mcu {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ProfileError(path + ": cannot open file");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& error) {
    throw ProfileError(path + ": not valid JSON: " + error.what());
  }
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string file, std::string where)
    : object_(object), file_(std::move(file)), where_(std::move(where)) {
  if (!object_.is_object()) {
    if (where_.empty()) throw ProfileError(file_ + ": expected a JSON object at the top level");
    throw ProfileError(file_ + ": key '" + where_ + "': expected an object");
  }
}

std::string ObjectReader::path_of(const std::string& key) const {
  return where_.empty() ? key : where_ + "." + key;
}

void ObjectReader::fail(const std::string& key, const std::string& message) const {
  throw ProfileError(file_ + ": key '" + path_of(key) + "': " + message);
}

const nlohmann::json& ObjectReader::member(const std::string& key) {
  const auto found = object_.find(key);
  if (found == object_.end()) fail(key, "missing");
  taken_.insert(key);
  return *found;
}

std::string ObjectReader::string(const std::string& key) {
  const nlohmann::json& value = member(key);
  if (!value.is_string()) fail(key, "expected a string, got " + value.dump());
  return value.get<std::string>();
}

std::optional<std::string> ObjectReader::optional_string(const std::string& key) {
  if (!has(key)) return std::nullopt;
  return string(key);
}

bool ObjectReader::boolean(const std::string& key) {
  const nlohmann::json& value = member(key);
  if (!value.is_boolean()) fail(key, "expected true or false, got " + value.dump());
  return value.get<bool>();
}

int64_t ObjectReader::integer(const std::string& key, int64_t min_value) {
  const nlohmann::json& value = member(key);
  if (!value.is_number_integer())
    fail(key, "expected an integer >= " + std::to_string(min_value) + ", got " + value.dump());
  const int64_t result = value.get<int64_t>();
  if (result < min_value)
    fail(key, "expected an integer >= " + std::to_string(min_value) + ", got " + value.dump());
  return result;
}

double ObjectReader::number(const std::string& key, double min_value) {
  const nlohmann::json& value = member(key);
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < min_value)
    fail(key, "expected a number >= " + nlohmann::json(min_value).dump() + ", got " + value.dump());
  return value.get<double>();
}

std::optional<double> ObjectReader::optional_number(const std::string& key, double min_value) {
  if (!has(key)) return std::nullopt;
  return number(key, min_value);
}

ObjectReader ObjectReader::object(const std::string& key) {
  const nlohmann::json& value = member(key);
  if (!value.is_object()) fail(key, "expected an object, got " + value.dump());
  return ObjectReader(value, file_, path_of(key));
}

std::set<std::string> ObjectReader::keys() const {
  std::set<std::string> result;
  for (const auto& item : object_.items()) result.insert(item.key());
  return result;
}

void ObjectReader::finish() const {
  for (const auto& item : object_.items())
    if (!taken_.contains(item.key())) fail(item.key(), "unknown key");
}

}  // namespace tinyskip::mcu
