#include "engine/config/json_reader.h"

#include <set>

#include <fmt/format.h>

namespace tinyskip::engine {
namespace {

constexpr size_t kMaxShownValueChars = 60;

// The offending value as the user wrote it (JSON text), shortened so a huge
// array does not flood the message.
std::string shown_value(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > kMaxShownValueChars) text = text.substr(0, kMaxShownValueChars - 3) + "...";
  return text;
}

std::string join_keys(std::initializer_list<const char*> keys) {
  std::string joined;
  for (const char* key : keys) joined += (joined.empty() ? "" : ", ") + std::string(key);
  return joined;
}

// nlohmann keeps the last of duplicate keys without a word; a strict config
// reader must not, so the parse callback tracks the keys seen in every open
// object (and element positions in arrays, to name the path).
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(std::string file) : file_(std::move(file)) {}

  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        count_array_element();
        frames_.push_back(Frame{event == Event::object_start, {}, {}, 0});
        break;
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        break;
      case Event::key: {
        Frame& object = frames_.back();
        const std::string key = parsed.get<std::string>();
        if (!object.keys.insert(key).second)
          throw ConfigError(fmt::format("{}: {}: duplicate key", file_, json_child_path(parent_path(), key)));
        object.current_key = key;
        break;
      }
      case Event::value:
        count_array_element();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string current_key;
    size_t elements;  // arrays: elements started so far
  };

  void count_array_element() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().elements;
  }

  // Path of the innermost open object, built from the enclosing frames.
  std::string parent_path() const {
    std::string path;
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      path = frame.is_object ? json_child_path(path, frame.current_key) : json_index_path(path, frame.elements - 1);
    }
    return path;
  }

  std::string file_;
  std::vector<Frame> frames_;
};

}  // namespace

std::string json_child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string json_index_path(const std::string& parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

nlohmann::json parse_config_json(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text, DuplicateKeyCheck(file), /*allow_exceptions=*/true,
                                 /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& error) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep the
    // line and column it reports.
    std::string what = error.what();
    if (const size_t end = what.find("] "); what.starts_with("[json.exception") && end != std::string::npos)
      what = what.substr(end + 2);
    throw ConfigError(fmt::format("{}: invalid JSON: {}", file, what));
  }
}

JsonValue::JsonValue(std::string file, const nlohmann::json& value, std::string path)
    : file_(std::move(file)), value_(&value), path_(std::move(path)) {}

void JsonValue::fail(const std::string& message) const {
  throw ConfigError(fmt::format("{}: {}: {}", file_, path_.empty() ? "(top level)" : path_, message));
}

void JsonValue::expected(const std::string& what) const {
  fail(fmt::format("expected {}, got {}", what, shown_value(*value_)));
}

std::string JsonValue::as_string() const {
  if (!value_->is_string()) expected("a string");
  return value_->get<std::string>();
}

bool JsonValue::as_bool() const {
  if (!value_->is_boolean()) expected("true or false");
  return value_->get<bool>();
}

double JsonValue::as_number() const {
  if (!value_->is_number()) expected("a number");
  return value_->get<double>();
}

int64_t JsonValue::as_integer(int64_t minimum, const std::string& what) const {
  if (value_->is_number_unsigned()) {
    const uint64_t value = value_->get<uint64_t>();
    if (value > static_cast<uint64_t>(INT64_MAX)) expected(what);
    if (static_cast<int64_t>(value) < minimum) expected(what);
    return static_cast<int64_t>(value);
  }
  if (!value_->is_number_integer()) expected(what);
  const int64_t value = value_->get<int64_t>();
  if (value < minimum) expected(what);
  return value;
}

std::vector<JsonValue> JsonValue::as_array() const {
  if (!value_->is_array()) expected("an array");
  std::vector<JsonValue> elements;
  for (size_t i = 0; i < value_->size(); ++i) elements.emplace_back(file_, (*value_)[i], json_index_path(path_, i));
  return elements;
}

JsonObject JsonValue::as_object(std::initializer_list<const char*> allowed_keys) const {
  if (!value_->is_object()) expected("an object");
  for (const auto& [key, member] : value_->items()) {
    bool allowed = false;
    for (const char* allowed_key : allowed_keys) allowed = allowed || key == allowed_key;
    if (!allowed)
      JsonValue(file_, member, json_child_path(path_, key))
          .fail(fmt::format("unknown key (allowed here: {})", join_keys(allowed_keys)));
  }
  return JsonObject(*this);
}

JsonObject JsonValue::as_map() const {
  if (!value_->is_object()) expected("an object");
  return JsonObject(*this);
}

std::optional<JsonValue> JsonObject::get(const std::string& key) const {
  const nlohmann::json& object = value_.raw();
  const auto found = object.find(key);
  if (found == object.end()) return std::nullopt;
  return JsonValue(value_.file(), *found, json_child_path(value_.path(), key));
}

JsonValue JsonObject::required(const std::string& key) const {
  std::optional<JsonValue> member = get(key);
  if (!member)
    throw ConfigError(
        fmt::format("{}: {}: required key is missing", value_.file(), json_child_path(value_.path(), key)));
  return *member;
}

std::vector<std::pair<std::string, JsonValue>> JsonObject::members() const {
  std::vector<std::pair<std::string, JsonValue>> result;
  for (const auto& [key, member] : value_.raw().items())
    result.emplace_back(key, JsonValue(value_.file(), member, json_child_path(value_.path(), key)));
  return result;
}

}  // namespace tinyskip::engine
