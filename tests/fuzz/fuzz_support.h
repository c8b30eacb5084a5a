// Shared by the libFuzzer targets (one per reader, see README.md here).
//
// The contract each target checks: a reader given any bytes either returns or
// throws its own documented error type, whose message the CLI prints. Anything
// else (a crash, a sanitizer report, a timeout, a leak, or an exception of
// another type such as a JSON library's or std::out_of_range, which would reach
// the user as a message that names neither the file nor the key) is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>

namespace tinyskip::fuzz {

// Runs `read`; returns normally if it returned or threw one of `Allowed...`.
template <class... Allowed, class Read>
void expect_clear_error(Read&& read) {
  try {
    read();
  } catch (const std::exception& error) {
    if ((dynamic_cast<const Allowed*>(&error) || ...)) return;
    std::fprintf(stderr, "finding: unexpected %s: %s\n", typeid(error).name(), error.what());
    std::abort();
  }
}

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// A scratch directory for targets whose reader takes a path; created once per
// process, removed at exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tinyskip-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& name, const uint8_t* data, size_t size) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                   static_cast<std::streamsize>(size));
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace tinyskip::fuzz
