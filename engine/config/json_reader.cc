#include "engine/config/json_reader.h"

#include <fmt/format.h>

namespace tinyskip::engine {

void ConfigJsonErrors::at(const std::string& file, const std::string& path, const std::string& message) {
  throw ConfigError(fmt::format("{}: {}: {}", file, path.empty() ? "(top level)" : path, message));
}

void ConfigJsonErrors::invalid_json(const std::string& file, const std::string& detail) {
  throw ConfigError(fmt::format("{}: invalid JSON: {}", file, detail));
}

nlohmann::json parse_config_json(const std::string& text, const std::string& file) {
  return support::parse_json<ConfigJsonErrors>(text, file, support::JsonSyntax::kConfig);
}

}  // namespace tinyskip::engine
