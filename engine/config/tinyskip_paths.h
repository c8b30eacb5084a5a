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

// What "${data_root}" at the start of a config path stands for: where the
// models, data sets and CMSIS-NN checkout live, laid out as the shared
// folder is (models/, data/cifar-10-batches-bin/, third_party/). In order:
// TINYSKIP_DATA_ROOT from the environment (`tinyskip --data-root DIR` sets
// it), the shared folder beside the source tree (../shared) when it exists,
// else <tinyskip home>/data, where scripts/fetch_data.sh downloads them.
inline std::filesystem::path data_root() {
  if (const char* root = std::getenv("TINYSKIP_DATA_ROOT"); root != nullptr && *root != '\0') return root;
  const std::filesystem::path shared = (tinyskip_home() / "../shared").lexically_normal();
  std::error_code missing;
  if (std::filesystem::is_directory(shared / "models", missing)) return shared;
  return tinyskip_home() / "data";
}
inline constexpr const char* kDataRootVariable = "${data_root}";

inline std::filesystem::path default_template_dir() { return tinyskip_home() / "engine/codegen/templates"; }
inline std::filesystem::path default_runtime_dir() { return tinyskip_home() / "engine/runtime"; }
inline std::filesystem::path default_toolchain_file() { return tinyskip_home() / "configs/mcu/arm_none_eabi_gcc.json"; }

}  // namespace tinyskip::engine
