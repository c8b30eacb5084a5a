#include "sim/support/json_reader.h"

#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace tinyskip::support {
namespace {

constexpr size_t kMaxShownValueChars = 60;
// Deeper documents are refused on read: serialising and walking a value are
// recursive, and 10,000 levels overflow the stack. No file tinyskip reads
// needs more than a handful.
constexpr size_t kMaxJsonDepth = 64;

[[noreturn]] void raise_too_deep(const std::string& file, detail::RaiseAt raise, const std::string& path) {
  raise(file, path, fmt::format("nested more than {} levels deep", kMaxJsonDepth));
  throw std::logic_error(file + ": JSON error policy returned instead of throwing");
}

// nlohmann keeps the last of repeated keys without a word; a strict config
// reader must not, so the parse callback tracks the keys seen in every open
// object (and element positions in arrays, to name the path).
class DuplicateKeyCheck {
 public:
  DuplicateKeyCheck(std::string file, detail::RaiseAt raise) : file_(std::move(file)), raise_(raise) {}

  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        count_array_element();
        if (frames_.size() >= kMaxJsonDepth) raise_too_deep(file_, raise_, parent_path());
        frames_.push_back(Frame{event == Event::object_start, {}, {}, 0});
        break;
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        break;
      case Event::key: {
        Frame& object = frames_.back();
        const std::string key = parsed.get<std::string>();
        if (!object.keys.insert(key).second) raise_(file_, json_child_path(parent_path(), key), "duplicate key");
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
  detail::RaiseAt raise_;
  std::vector<Frame> frames_;
};

}  // namespace

std::string json_child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string json_index_path(const std::string& parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

namespace detail {

nlohmann::json parse_json(const std::string& text, const std::string& file, JsonSyntax syntax, RaiseAt at,
                          RaiseInvalidJson invalid_json) {
  try {
    if (syntax == JsonSyntax::kStandard)
      return nlohmann::json::parse(text, [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            static_cast<size_t>(depth) >= kMaxJsonDepth)
          raise_too_deep(file, at, "");
        return true;
      });
    return nlohmann::json::parse(text, DuplicateKeyCheck(file, at), /*allow_exceptions=*/true,
                                 /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& error) {
    // A syntax error (parse_error, with line and column) or a number too
    // large for a double (out_of_range 406). Drop nlohmann's
    // "[json.exception.parse_error.101] " prefix; keep the rest.
    std::string what = error.what();
    if (const size_t end = what.find("] "); what.starts_with("[json.exception") && end != std::string::npos)
      what = what.substr(end + 2);
    invalid_json(file, what);
  }
  // Unreachable for a policy whose functions throw, as they must.
  throw std::logic_error(file + ": JSON error policy returned instead of throwing");
}

std::string shown_value(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > kMaxShownValueChars) text = text.substr(0, kMaxShownValueChars - 3) + "...";
  return text;
}

std::string joined_keys(std::initializer_list<const char*> keys) {
  std::string joined;
  for (const char* key : keys) joined += (joined.empty() ? "" : ", ") + std::string(key);
  return joined;
}

std::optional<std::string> first_key_outside(const nlohmann::json& object,
                                             std::initializer_list<const char*> allowed) {
  for (const auto& item : object.items()) {
    bool known = false;
    for (const char* key : allowed) known = known || item.key() == key;
    if (!known) return item.key();
  }
  return std::nullopt;
}

std::optional<int64_t> integer_at_least(const nlohmann::json& value, int64_t minimum) {
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(INT64_MAX) || static_cast<int64_t>(number) < minimum) return std::nullopt;
    return static_cast<int64_t>(number);
  }
  if (!value.is_number_integer()) return std::nullopt;
  const int64_t number = value.get<int64_t>();
  if (number < minimum) return std::nullopt;
  return number;
}

}  // namespace detail
}  // namespace tinyskip::support
