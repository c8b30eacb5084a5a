#include "engine/config/cmsis_nn_checkout.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "sim/support/whole_file.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

bool has_whitespace(const fs::path& path) {
  const std::string text = path.string();
  return std::any_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

bool has_c_sources(const fs::path& source_dir) {
  std::error_code error;
  for (const auto& group : fs::directory_iterator(source_dir, error)) {
    if (!group.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(group.path(), error))
      if (file.path().extension() == ".c") return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> cmsis_nn_checkout_problem(const fs::path& root) {
  std::error_code error;
  if (!fs::is_directory(root, error)) return "directory not found: " + root.string();
  if (!fs::is_regular_file(root / "Include" / "arm_nnfunctions.h", error))
    return "no Include/arm_nnfunctions.h in " + root.string() +
           ": not a CMSIS-NN checkout (expected the folder that holds Include/ and Source/)";
  if (!has_c_sources(root / "Source"))
    return "no Source/<group>/*.c in " + root.string() + ": the CMSIS-NN checkout has no sources to compile";
  if (has_whitespace(root)) return "the path " + root.string() + " contains whitespace, which make cannot handle";
  return std::nullopt;
}

std::optional<std::string> cmsis_core_include_problem(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return "directory not found: " + dir.string();
  if (!fs::is_regular_file(dir / "cmsis_compiler.h", error))
    return "no cmsis_compiler.h in " + dir.string() + ": not a CMSIS-Core include directory (CMSIS/Core/Include)";
  if (has_whitespace(dir)) return "the path " + dir.string() + " contains whitespace, which make cannot handle";
  return std::nullopt;
}

std::vector<fs::path> cmsis_nn_library_sources(const fs::path& root) {
  std::vector<fs::path> sources;
  std::error_code error;
  for (const auto& group : fs::directory_iterator(root / "Source", error)) {
    if (!group.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(group.path(), error)) {
      const std::string name = file.path().filename().string();
      const auto ends_with = [&](const std::string& suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      if (!ends_with(".c") || ends_with("_f16.c") || ends_with("_f32.c") || ends_with("_flt.c")) continue;
      sources.push_back(group.path().filename() / file.path().filename());
    }
  }
  std::sort(sources.begin(), sources.end());
  return sources;
}

std::string cmsis_nn_version(const fs::path& root) {
  const std::optional<std::string> header = support::read_whole_file(root / "Include" / "arm_nnfunctions.h");
  if (!header) return "unknown";
  std::istringstream lines(*header);
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find("$Revision:");
    if (at == std::string::npos) continue;
    std::istringstream rest(line.substr(at + 10));
    std::string version;
    if (rest >> version) return version;
  }
  return "unknown";
}

std::string exact_kernels_name(const std::optional<CmsisNnCheckout>& checkout) {
  if (!checkout) return "tinyskip runtime kernels";
  std::string name = "CMSIS-NN " + cmsis_nn_version(checkout->root);
  if (!checkout->opt_level.empty()) name.append(" (").append(checkout->opt_level).append(")");
  return name;
}

}  // namespace tinyskip::engine
