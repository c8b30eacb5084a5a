#include "engine/codegen/cmsis_nn_flash.h"

#include <spdlog/spdlog.h>

#include "engine/codegen/codegen_error.h"
#include "engine/codegen/generated_file.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {

std::vector<std::filesystem::path> cmsis_nn_include_dirs(const CmsisNnCheckout& checkout) {
  std::vector<std::filesystem::path> dirs = {checkout.root / "Include"};
  if (!checkout.core_include.empty()) dirs.push_back(checkout.core_include);
  return dirs;
}

std::map<std::string, CmsisNnFlash> measure_cmsis_nn_flash(const mcu::Toolchain& toolchain,
                                                           const CmsisNnCheckout& checkout,
                                                           const std::set<std::string>& functions,
                                                           const std::vector<std::string>& opt_levels, int threads) {
  const std::vector<std::filesystem::path> sources = cmsis_nn_library_sources(checkout.root);
  std::vector<mcu::SourceUnit> units;
  for (const std::filesystem::path& source : sources) {
    std::optional<std::string> text = support::read_whole_file(checkout.root / "Source" / source);
    if (!text) throw CodegenError("cannot read " + (checkout.root / "Source" / source).string());
    // Group and file as one plain name: file names alone need not be unique.
    units.push_back({flat_file_name(source.generic_string()), *std::move(text)});
  }
  const std::vector<std::string> roots(functions.begin(), functions.end());
  std::map<std::string, CmsisNnFlash> flash;
  for (const std::string& level : opt_levels) {
    const mcu::LinkedLibrary library = mcu::measure_linked_library(
        toolchain, units, level, cmsis_nn_include_dirs(checkout), roots, threads);
    CmsisNnFlash& measured = flash[level];
    measured.linked = library.linked_total();
    measured.objects = library.linked_objects_total();
    for (size_t i = 0; i < sources.size(); ++i)
      if (!(library.linked[i] == mcu::SectionSizes{})) measured.linked_files[sources[i].generic_string()] = library.linked[i];
    spdlog::info("CMSIS-NN at {}: {} of {} files linked, {} B of flash ({} B as whole objects)", level,
                 measured.linked_files.size(), sources.size(), measured.linked.flash(), measured.objects.flash());
  }
  return flash;
}

}  // namespace tinyskip::engine
