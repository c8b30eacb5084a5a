// Reading a whole file into memory. Callers differ only in the error they
// raise (ConfigError, ProfileError, CodegenError, ...), so this returns
// nullopt instead of throwing and each caller names the file its own way.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace tinyskip::support {

// The file's bytes, or nullopt when it cannot be opened or read.
std::optional<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace tinyskip::support
