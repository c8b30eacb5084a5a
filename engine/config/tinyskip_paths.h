// Where tinyskip finds the data it ships: the code generator's C templates,
// the runtime kernels it copies, the cross-compiler description. Defaults point into the
// source tree the tool was built from; TINYSKIP_HOME in the environment names
// another tree (e.g. an installed copy).
#pragma once

#include <cstdlib>
#include <filesystem>

namespace tinyskip::engine {

inline std::filesystem::path tinyskip_home() {
  if (const char* home = std::getenv("TINYSKIP_HOME"); home != nullptr && *home != '\0') return home;
  return TINYSKIP_SOURCE_DIR;
}

inline std::filesystem::path default_template_dir() { return tinyskip_home() / "engine/codegen/templates"; }
inline std::filesystem::path default_runtime_dir() { return tinyskip_home() / "engine/runtime"; }
inline std::filesystem::path default_toolchain_file() { return tinyskip_home() / "configs/mcu/arm_none_eabi_gcc.json"; }

}  // namespace tinyskip::engine
