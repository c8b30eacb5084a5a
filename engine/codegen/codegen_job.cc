#include "engine/codegen/codegen_job.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/cmsis_nn_flash.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/codegen_manifest.h"
#include "engine/codegen/layer_kernel.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/codegen/model_source.h"
#include "engine/codegen/network_project.h"
#include "engine/config/config_error.h"
#include "engine/config/estimate_options.h"
#include "engine/config/experiment_config.h"
#include "engine/config/split_inputs.h"
#include "engine/results/atomic_file.h"
#include "engine/results/hashing.h"
#include "engine/results/winner_file.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cycle_model.h"
#include "mcu_model/flash_measurement.h"
#include "sim/data/cifar10.h"
#include "sim/tflite_import.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path, const std::string& what) {
  std::optional<std::string> text = support::read_whole_file(path);
  if (!text) throw ConfigError(path.string() + ": cannot read " + what);
  return *std::move(text);
}

// The run config's CMSIS-NN field `key` ("path", "core_include", "opt_level"):
// empty when absent; a ConfigError naming run.json and the key when it is not a string.
fs::path run_cmsis_nn_path(const WinnerRun& run, const char* key) {
  if (run.cmsis_nn.is_null()) return {};
  if (!run.cmsis_nn.is_object() || (run.cmsis_nn.contains(key) && !run.cmsis_nn[key].is_null() &&
                                    !run.cmsis_nn[key].is_string()))
    throw ConfigError(fmt::format("{}: config.cmsis_nn.{}: expected a path", run.file.string(), key));
  const auto found = run.cmsis_nn.find(key);
  return found == run.cmsis_nn.end() || found->is_null() ? fs::path() : fs::path(found->get<std::string>());
}

// The checkout the exact layers go on, or nullopt for tinyskip's runtime
// kernels. A flag overrides its config field; a wrong path is one
// CodegenError naming the flag or the config key it came from.
std::optional<CmsisNnCheckout> exact_layers_checkout(const CodegenRequest& request, const WinnerRun& run) {
  const bool from_flag = !request.cmsis_nn_root.empty();
  const bool core_from_flag = !request.cmsis_core_include.empty();
  const std::string config_key = run.file.string() + ": config.cmsis_nn";
  if (request.variant == CodegenVariant::kExact) {
    if (from_flag || core_from_flag)
      throw CodegenError("--variant exact uses tinyskip's runtime kernels only: drop --cmsis-nn/--cmsis-core or "
                         "choose --variant cmsis-nn");
    return std::nullopt;
  }
  CmsisNnCheckout checkout;
  checkout.root = from_flag ? fs::absolute(request.cmsis_nn_root).lexically_normal() : run_cmsis_nn_path(run, "path");
  checkout.core_include = core_from_flag ? fs::absolute(request.cmsis_core_include).lexically_normal()
                                         : run_cmsis_nn_path(run, "core_include");
  if (checkout.root.empty()) {
    if (request.variant == CodegenVariant::kCmsisNn || core_from_flag)
      throw CodegenError(std::string(core_from_flag ? "--cmsis-core" : "--variant cmsis-nn") +
                         " needs a CMSIS-NN checkout: pass --cmsis-nn DIR or set \"cmsis_nn\": {\"path\": ...} in "
                         "the experiment config");
    return std::nullopt;  // winner / unpacked without CMSIS-NN: the dependency-free runtime
  }
  if (const auto problem = cmsis_nn_checkout_problem(checkout.root))
    throw CodegenError((from_flag ? "--cmsis-nn: " : config_key + ".path: ") + *problem +
                       (from_flag ? "" : " (pass --cmsis-nn DIR to use another checkout)"));
  if (!checkout.core_include.empty())
    if (const auto problem = cmsis_core_include_problem(checkout.core_include))
      throw CodegenError((core_from_flag ? "--cmsis-core: " : config_key + ".core_include: ") + *problem);
  // The library's own level stays the run's, whichever checkout is used.
  checkout.opt_level = run_cmsis_nn_path(run, "opt_level").string();
  return checkout;
}

// Files an earlier codegen run wrote into `dir` (its manifest's list), or an
// error when `dir` holds something else and `force` is off.
std::vector<fs::path> previous_output(const fs::path& dir, bool force) {
  std::error_code error;
  if (!fs::exists(dir, error) || fs::is_empty(dir, error)) return {};
  if (!fs::is_directory(dir)) throw CodegenError(dir.string() + " exists and is not a directory");
  const fs::path manifest = dir / "manifest.json";
  std::vector<fs::path> files;
  if (fs::exists(manifest)) {
    try {
      const nlohmann::json old = nlohmann::json::parse(read_file(manifest, "the previous manifest"));
      if (old.value("format", "") == kCodegenManifestFormat)
        for (const auto& file : old.at("files")) files.push_back(dir / file.at("path").get<std::string>());
      files.push_back(manifest);
      return files;
    } catch (const nlohmann::json::exception&) {
    }
  }
  if (!force)
    throw CodegenError(dir.string() +
                       " is not empty and holds no tinyskip codegen output; choose another --out or pass --force");
  return {};
}

// The cross-compiled size of every generated C file at each level.
MeasuredFlash measure(const CodegenRequest& request, const mcu::Toolchain& toolchain, const GeneratedFiles& files,
                      const std::optional<CmsisNnCheckout>& cmsis_nn, const fs::path& cache_dir, int threads) {
  std::vector<fs::path> include_dirs = {request.out_dir, request.out_dir / "runtime"};
  if (cmsis_nn)
    for (const fs::path& dir : cmsis_nn_include_dirs(*cmsis_nn)) include_dirs.push_back(dir);
  std::vector<mcu::SourceUnit> units;
  std::vector<std::string> paths;
  for (const GeneratedFile& file : files) {
    if (fs::path(file.relative_path).extension() != ".c") continue;
    units.push_back({flat_file_name(file.relative_path), file.content});
    paths.push_back(file.relative_path);
  }
  MeasuredFlash sizes;
  for (const std::string& level : request.opt_levels) {
    mcu::MeasureStats stats;
    const std::vector<mcu::SectionSizes> measured = mcu::measure_flash(
        toolchain, units, level, include_dirs, threads, cache_dir, &stats);
    for (size_t i = 0; i < units.size(); ++i) sizes[level][paths[i]] = measured[i];
    spdlog::info("flash at {}: {} files compiled, {} from cache", level, stats.compiled, stats.cache_hits);
  }
  return sizes;
}

}  // namespace

CodegenVariant parse_codegen_variant(const std::string& name) {
  if (name == "winner") return CodegenVariant::kWinner;
  if (name == "unpacked") return CodegenVariant::kUnpacked;
  if (name == "exact") return CodegenVariant::kExact;
  if (name == "cmsis-nn") return CodegenVariant::kCmsisNn;
  throw CodegenError("unknown variant '" + name + "': expected winner, unpacked, exact or cmsis-nn");
}

const char* codegen_variant_name(CodegenVariant variant) {
  switch (variant) {
    case CodegenVariant::kWinner: return "winner";
    case CodegenVariant::kUnpacked: return "unpacked";
    case CodegenVariant::kExact: return "exact";
    case CodegenVariant::kCmsisNn: return "cmsis-nn";
  }
  return "winner";
}

CodegenResult run_codegen(const CodegenRequest& original) {
  CodegenRequest request = original;
  if (request.template_dir.empty()) request.template_dir = default_template_dir();
  if (request.runtime_dir.empty()) request.runtime_dir = default_runtime_dir();
  if (request.toolchain_file.empty()) request.toolchain_file = default_toolchain_file();
  const int threads = request.threads > 0 ? request.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  const WinnerFile winner = read_winner_file(request.winner_file);
  const WinnerRun run = read_winner_run(winner);
  const ExperimentConfig& config = run.config;
  const std::optional<CmsisNnCheckout> cmsis_nn = exact_layers_checkout(request, run);
  if (const std::string hash = fnv1a_hex_of_file(winner.model); hash != winner.model_hash)
    throw CodegenError(fmt::format("{}: the model file changed since the run (FNV-1a {} now, {} in {})",
                                   winner.model.string(), hash, winner.model_hash, winner.file.string()));
  const sim::Graph graph = sim::load_tflite(winner.model.string());
  const sim::MaskSet masks = request.variant == CodegenVariant::kWinner ? winner.masks() : sim::MaskSet{};
  const bool unpack = request.variant == CodegenVariant::kWinner || request.variant == CodegenVariant::kUnpacked;

  const auto board_ref = std::find_if(config.boards.begin(), config.boards.end(),
                                      [&](const BoardRef& b) { return b.name == winner.primary_board; });
  if (board_ref == config.boards.end())
    throw ConfigError(winner.file.string() + ": primary board " + winner.primary_board + " is not in the run's config");
  const mcu::BoardProfile board = mcu::load_board_profile(board_ref->file.string());
  // The check program's images; the simulator computes their expected
  // outputs with the winner's masks.
  // They are the latency reference input, so the check program's timed run
  // is the one the exploration's measured latency scored.
  if (request.check_images < 1) throw CodegenError(fmt::format("--check-images {}: expected at least 1", request.check_images));
  sim::SampleOrigin origin;
  const sim::ModelInputs check_inputs = latency_reference_inputs(config, graph, request.check_images, &origin);

  NetworkProjectSpec spec;
  spec.graph = &graph;
  spec.masks = masks;
  spec.model_name = request.model_name.empty() ? c_identifier_from(winner.experiment) : request.model_name;
  for (const WinnerLayer& layer : winner.layers)
    if (unpack && layer.unpacked && layer.op_index < static_cast<int>(graph.ops.size()) &&
        can_unpack(graph.ops[static_cast<size_t>(layer.op_index)].type))
      spec.unpacked_ops.insert(layer.op_index);
  spec.cmsis_nn = cmsis_nn;
  spec.inputs = &check_inputs;
  spec.board = &board;
  spec.template_dir = request.template_dir;
  spec.runtime_dir = request.runtime_dir;
  const NetworkProject project = generate_network_project(spec);
  const ModelSources& sources = project.sources;
  const GeneratedFiles& all = project.files;
  const std::optional<CmsisNnCheckout>& linked_cmsis_nn = project.linked_cmsis_nn;
  for (const fs::path& stale : previous_output(request.out_dir, request.force)) fs::remove(stale);
  fs::create_directories(request.out_dir);
  write_generated_files(all, request.out_dir);

  // The config's levels and what was actually linked (CMSIS-NN only where the
  // variant uses it).
  mcu::EstimateOptions manifest_estimate_options = estimate_options(config);
  manifest_estimate_options.exact_kernels = linked_cmsis_nn ? mcu::ExactKernels::kCmsisNn : mcu::ExactKernels::kRuntime;
  if (linked_cmsis_nn) manifest_estimate_options.library_opt_level = linked_cmsis_nn->library_level(config.flash.opt_level);
  sim::MaskSet unpacked;
  for (int op : spec.unpacked_ops) {
    if (masks.count(op)) {
      unpacked[op] = masks.at(op);
    } else {  // unpacked, nothing skipped: the cost model wants one entry per weight
      const sim::Op& unpacked_op = graph.ops[static_cast<size_t>(op)];
      unpacked[op].skip.assign(static_cast<size_t>(graph.input_of(unpacked_op, 1).num_elements()), 0);
    }
  }
  ManifestInputs inputs{.variant = codegen_variant_name(request.variant),
                        .graph = graph,
                        .winner = winner,
                        .board = board,
                        .sources = sources,
                        .files = all,
                        .estimate = mcu::estimate_network(graph, unpacked, board, manifest_estimate_options),
                        .model_name = spec.model_name,
                        .check_images = {origin.file, static_cast<int>(origin.index), request.check_images,
                                         project.expected_outputs},
                        .cmsis_nn = linked_cmsis_nn};
  if (request.measure_flash) {
    const mcu::Toolchain toolchain = mcu::load_toolchain(request.toolchain_file);
    inputs.toolchain_version = mcu::toolchain_version(toolchain);
    inputs.measured =
        measure(request, toolchain, sources.files, linked_cmsis_nn, config.flash.cache_dir_or(config.results_dir), threads);
    if (linked_cmsis_nn)
      for (const std::string& level : request.opt_levels)
        inputs.cmsis_nn_flash[level] =
            measure_cmsis_nn_flash(toolchain, *linked_cmsis_nn, {sources.cmsis_nn_functions},
                                 linked_cmsis_nn->library_level(level), threads).at(0);
  }
  const nlohmann::ordered_json manifest = codegen_manifest(inputs);
  CodegenResult result;
  result.manifest = request.out_dir / "manifest.json";
  write_file_atomically(result.manifest, manifest.dump(2) + "\n");
  result.files = static_cast<int>(all.size());
  result.model_name = spec.model_name;
  result.exact_kernels = exact_kernels_name(linked_cmsis_nn) +
                         (linked_cmsis_nn ? " (" + linked_cmsis_nn->root.string() + ")" : std::string());
  result.estimated_flash_bytes = inputs.estimate.flash_bytes;
  result.board_flash_bytes = board.flash_bytes;
  for (const auto& [level, files] : inputs.measured)
    result.measured_flash_bytes.emplace_back(level, total_flash_bytes(inputs, level));
  return result;
}

}  // namespace tinyskip::engine
