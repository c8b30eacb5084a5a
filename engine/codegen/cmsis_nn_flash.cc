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

std::vector<CmsisNnFlash> measure_cmsis_nn_flash(const mcu::Toolchain& toolchain, const CmsisNnCheckout& checkout,
                                                 const std::vector<std::set<std::string>>& function_sets,
                                                 const std::string& opt_level, int threads) {
  const std::vector<std::filesystem::path> sources = cmsis_nn_library_sources(checkout.root);
  std::vector<mcu::SourceUnit> units;
  for (const std::filesystem::path& source : sources) {
    std::optional<std::string> text = support::read_whole_file(checkout.root / "Source" / source);
    if (!text) throw CodegenError("cannot read " + (checkout.root / "Source" / source).string());
    // Group and file as one plain name: file names alone need not be unique.
    units.push_back({flat_file_name(source.generic_string()), *std::move(text)});
  }
  std::vector<std::vector<std::string>> root_sets;
  for (const std::set<std::string>& functions : function_sets) root_sets.emplace_back(functions.begin(), functions.end());
  const std::vector<mcu::LinkedLibrary> libraries = mcu::measure_linked_library(
      toolchain, units, opt_level, cmsis_nn_include_dirs(checkout), root_sets, threads);
  std::vector<CmsisNnFlash> flash;
  for (const mcu::LinkedLibrary& library : libraries) {
    CmsisNnFlash& measured = flash.emplace_back();
    measured.linked = library.linked_total();
    measured.objects = library.linked_objects_total();
    for (size_t i = 0; i < sources.size(); ++i)
      if (!(library.linked[i] == mcu::SectionSizes{})) measured.linked_files[sources[i].generic_string()] = library.linked[i];
    spdlog::info("CMSIS-NN at {}: {} of {} files linked, {} B of flash ({} B as whole objects)", opt_level,
                 measured.linked_files.size(), sources.size(), measured.linked.flash(), measured.objects.flash());
  }
  return flash;
}

}  // namespace tinyskip::engine
