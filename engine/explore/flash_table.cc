#include "engine/explore/flash_table.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/cmsis_nn_flash.h"
#include "engine/codegen/model_source.h"
#include "engine/codegen/op_source.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/results/atomic_file.h"
#include "mcu_model/flash_measurement.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

// A directory removed when measurement is done (headers the units include).
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& tag) {
    path = fs::temp_directory_path() / fmt::format("tinyskip_flash_{}_{}", tag, ::getpid());
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// Compiles the units once each (identical contents are measured once) and
// returns their flash bytes in order.
std::vector<int64_t> flash_of(const std::vector<mcu::SourceUnit>& units, const ExperimentConfig& config,
                              const mcu::Toolchain& toolchain, const std::vector<fs::path>& include_dirs,
                              int threads) {
  std::map<std::string, size_t> first_with_content;
  std::vector<mcu::SourceUnit> distinct;
  std::vector<size_t> index_of(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    const auto [it, inserted] = first_with_content.emplace(units[i].content, distinct.size());
    if (inserted) distinct.push_back(units[i]);
    index_of[i] = it->second;
  }
  mcu::MeasureStats stats;
  const std::vector<mcu::SectionSizes> sizes = mcu::measure_flash(
      toolchain, distinct, config.flash.opt_level, include_dirs, threads, config.flash.cache_dir_or(config.results_dir), &stats);
  spdlog::info("flash measured with {} at {}: {} units compiled, {} from cache", toolchain.name,
               config.flash.opt_level, stats.compiled, stats.cache_hits);
  std::vector<int64_t> bytes;
  for (size_t i = 0; i < units.size(); ++i) bytes.push_back(sizes[index_of[i]].flash());
  return bytes;
}

}  // namespace

FlashTable FlashTable::measure(const Experiment& experiment, int threads) {
  const mcu::Toolchain toolchain = mcu::load_toolchain(experiment.config.flash.toolchain);
  mcu::check_optimisation_level(toolchain, experiment.config.flash.opt_level);
  FlashTable table;
  table.toolchain_version_ = mcu::toolchain_version(toolchain);

  const sim::Graph& graph = experiment.graph;
  const std::optional<CmsisNnCheckout>& cmsis_nn = experiment.config.cmsis_nn;
  ModelCodegenOptions options;
  options.model_name = c_identifier_from(experiment.config.name);
  options.exact_layers_on_cmsis_nn = cmsis_nn.has_value();
  options.template_dir = default_template_dir();
  options.runtime_dir = default_runtime_dir();
  const ModelSources exact = generate_model_sources(graph, {}, options);
  std::set<int> space_ops;
  for (const ApproximatedLayer& layer : experiment.space.layers) space_ops.insert(layer.op_index);
  const std::set<int> unpackable_ops = unpackable_ops_of(experiment);
  options.unpacked_ops = unpackable_ops;
  const ModelSources unpacked = generate_model_sources(graph, {}, options);

  // Units: [exact model files][fixed part of the unpacked model][layer x level kernels].
  ScratchDir headers(options.model_name);
  std::vector<mcu::SourceUnit> units;
  const auto add_model = [&](const ModelSources& sources, bool skip_space_ops) {
    size_t count = 0;
    for (const GeneratedFile& file : sources.files) {
      if (fs::path(file.relative_path).filename() == fs::path(file.relative_path) &&
          fs::path(file.relative_path).extension() == ".h")
        write_file_atomically(headers.path / file.relative_path, file.content);
      if (fs::path(file.relative_path).extension() != ".c") continue;
      if (skip_space_ops && space_ops.count(file.op_index)) continue;
      units.push_back({flat_file_name(file.relative_path), file.content});
      ++count;
    }
    return count;
  };
  const size_t exact_count = add_model(exact, false);
  const size_t fixed_count = add_model(unpacked, true);
  // The CMSIS-NN functions each layer's "not unpacked" level calls (empty
  // for layers without one).
  std::vector<std::set<std::string>> library_functions(experiment.space.layers.size());
  for (size_t l = 0; l < experiment.space.layers.size(); ++l) {
    const ApproximatedLayer& layer = experiment.space.layers[l];
    for (size_t level = 0; level < layer.thresholds.size(); ++level) {
      // The request codegen makes for the winner (codegen_job.cc): the
      // layer's mask, and its kernel from whether the point unpacks it.
      const sim::WeightMask mask = experiment.skip_orders[l].mask_at(layer.thresholds[level]);
      const bool unpack = unpackable_ops.count(layer.op_index) && layer.unpacked_at(static_cast<int>(level));
      OpSourceRequest request;
      request.op_index = layer.op_index;
      request.mask = &mask;
      request.kernel = choose_layer_kernel(graph.ops[static_cast<size_t>(layer.op_index)].type, unpack,
                                           options.exact_layers_on_cmsis_nn);
      request.function_name = op_function_name(options.model_name, layer.op_index);
      request.ops_header = ops_header_name(options.model_name);
      OpSource source = generate_op_source(graph, request, options.template_dir);
      if (!layer.unpacked_at(static_cast<int>(level)))
        library_functions[l].insert(source.cmsis_nn_functions.begin(), source.cmsis_nn_functions.end());
      units.push_back({op_file_name(graph, options.model_name, layer.op_index), std::move(source.code)});
    }
  }
  std::vector<fs::path> include_dirs = {headers.path, options.runtime_dir};
  if (cmsis_nn)
    for (const fs::path& dir : cmsis_nn_include_dirs(*cmsis_nn)) include_dirs.push_back(dir);
  const std::vector<int64_t> bytes = flash_of(units, experiment.config, toolchain, include_dirs, threads);

  size_t next = 0;
  for (; next < exact_count; ++next) table.exact_bytes_ += bytes[next];
  for (; next < exact_count + fixed_count; ++next) table.fixed_bytes_ += bytes[next];
  for (const ApproximatedLayer& layer : experiment.space.layers) {
    std::vector<int64_t> levels;
    for (size_t level = 0; level < layer.thresholds.size(); ++level) levels.push_back(bytes[next++]);
    table.layer_bytes_.push_back(std::move(levels));
  }
  if (cmsis_nn) table.measure_cmsis_nn(experiment, toolchain, exact.cmsis_nn_functions, unpacked.cmsis_nn_functions,
                                       library_functions, threads);
  return table;
}

// The CMSIS-NN a model links depends only on which functions it calls: the
// exact model's set, and for a design point the fixed part's set plus the
// functions of the layers it keeps on their "not unpacked" level. Layers
// calling the same extra functions form one group; every combination of
// groups is linked once, and a point looks its combination up.
void FlashTable::measure_cmsis_nn(const Experiment& experiment, const mcu::Toolchain& toolchain,
                                  const std::set<std::string>& exact_functions,
                                  const std::set<std::string>& fixed_functions,
                                  const std::vector<std::set<std::string>>& library_functions, int threads) {
  std::vector<std::set<std::string>> group_functions;
  for (const std::set<std::string>& functions : library_functions) {
    std::set<std::string> extra;
    for (const std::string& function : functions)
      if (!fixed_functions.count(function)) extra.insert(function);
    const auto group = std::find(group_functions.begin(), group_functions.end(), extra);
    layer_group_.push_back(extra.empty() ? -1 : static_cast<int>(group - group_functions.begin()));
    if (!extra.empty() && group == group_functions.end()) group_functions.push_back(extra);
  }
  constexpr size_t kMaxGroups = 10;  // 1,024 links of a few ms each
  if (group_functions.size() > kMaxGroups)
    throw CodegenError(fmt::format("{}: the \"not unpacked\" levels call {} different sets of CMSIS-NN functions; "
                                   "at most {} can be priced",
                                   experiment.config.source, group_functions.size(), kMaxGroups));
  std::vector<std::set<std::string>> sets = {exact_functions};
  for (size_t combination = 0; combination < (size_t{1} << group_functions.size()); ++combination) {
    std::set<std::string> functions = fixed_functions;
    for (size_t g = 0; g < group_functions.size(); ++g)
      if (combination & (size_t{1} << g)) functions.insert(group_functions[g].begin(), group_functions[g].end());
    sets.push_back(std::move(functions));
  }
  const CmsisNnCheckout& checkout = *experiment.config.cmsis_nn;
  const std::vector<CmsisNnFlash> linked = measure_cmsis_nn_flash(
      toolchain, checkout, sets, checkout.library_level(experiment.config.flash.opt_level), threads);
  exact_cmsis_nn_bytes_ = linked[0].linked.flash();
  for (size_t i = 1; i < linked.size(); ++i) cmsis_nn_by_groups_.push_back(linked[i].linked.flash());
  fixed_cmsis_nn_bytes_ = cmsis_nn_by_groups_[0];
  exact_bytes_ += exact_cmsis_nn_bytes_;
}

int64_t FlashTable::cmsis_nn_bytes(const DesignPoint& point) const {
  if (cmsis_nn_by_groups_.empty()) return 0;
  size_t combination = 0;
  for (size_t l = 0; l < point.size() && l < layer_group_.size(); ++l)
    if (layer_group_[l] >= 0 && point[l] == 0)  // a grouped layer's level 0 is its library level
      combination |= size_t{1} << layer_group_[l];
  return cmsis_nn_by_groups_.at(combination);
}

int64_t FlashTable::layer_bytes(int layer, int level) const {
  return layer_bytes_.at(static_cast<size_t>(layer)).at(static_cast<size_t>(level));
}

int64_t FlashTable::point_bytes(const DesignPoint& point) const {
  int64_t total = fixed_bytes_ + cmsis_nn_bytes(point);
  for (size_t l = 0; l < point.size(); ++l) total += layer_bytes(static_cast<int>(l), point[l]);
  return total;
}

}  // namespace tinyskip::engine
