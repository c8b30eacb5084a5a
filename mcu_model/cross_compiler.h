// The ARM cross-compiler as data (configs/mcu/arm_none_eabi_gcc.json) and the
// two things done with it: compiling one C file to an object and listing the
// object's sections. Flash measurement (flash_measurement.h) builds on these.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace tinyskip::mcu {

// The toolchain cannot be run or rejected its input: compiler missing, a
// compile error (naming the unit), an optimisation level the toolchain file
// does not allow, unreadable output of `size`.
class ToolchainError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Toolchain {
  std::string file;  // the JSON it came from, for messages
  std::string name;
  std::string gcc;   // executable: a name looked up in PATH, or a path
  std::string size;
  std::vector<std::string> flags;                // target and code-generation flags
  std::vector<std::string> optimisation_levels;  // the allowed "-Os", "-O2", ...
};

// Strict loading like the board profiles: a missing, unknown or ill-typed key
// is a ProfileError naming the file and the key. Executables given as a
// relative path with a '/' are resolved against the file's directory.
Toolchain load_toolchain(const std::filesystem::path& json);

// First line of `gcc --version`, e.g. "arm-none-eabi-gcc (15:12.2.rel1-1)
// 12.2.1 20221205". ToolchainError when the compiler cannot be run.
std::string toolchain_version(const Toolchain& toolchain);

// Same for `size --version`.
std::string size_tool_version(const Toolchain& toolchain);

// `gcc <flags> <opt_level> -I<dir>... -c source -o object`. `unit` names the
// source in messages. ToolchainError with the compiler's first stderr lines on
// failure; an opt_level not in optimisation_levels is rejected beforehand.
void compile_object(const Toolchain& toolchain, const std::filesystem::path& source,
                    const std::filesystem::path& object, const std::string& opt_level,
                    const std::vector<std::filesystem::path>& include_dirs, const std::string& unit);

// `gcc <flags> <link_args> objects... -o output`, gcc as the linker driver
// with the same target flags. `what` names the link in messages;
// ToolchainError with the linker's first stderr lines on failure.
void link_objects(const Toolchain& toolchain, const std::vector<std::filesystem::path>& objects,
                  const std::vector<std::string>& link_args, const std::filesystem::path& output,
                  const std::string& what);

// Output of `size -A -d object` (System V format: one line per section).
std::string list_sections(const Toolchain& toolchain, const std::filesystem::path& object,
                          const std::string& unit);

// ToolchainError unless opt_level is one of the toolchain's levels.
void check_optimisation_level(const Toolchain& toolchain, const std::string& opt_level);

}  // namespace tinyskip::mcu
