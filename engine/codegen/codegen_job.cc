#include "engine/codegen/codegen_job.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "engine/codegen/bare_metal.h"
#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/codegen_manifest.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/codegen/model_source.h"
#include "engine/config/config_error.h"
#include "engine/config/experiment_config.h"
#include "engine/results/atomic_file.h"
#include "engine/results/hashing.h"
#include "engine/results/winner_file.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cycle_model.h"
#include "mcu_model/flash_measurement.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
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

// The run's resolved config, from run.json beside winners/.
ExperimentConfig run_config(const WinnerFile& winner) {
  const fs::path run_json = winner.file.parent_path().parent_path() / "run.json";
  const std::string text = read_file(run_json, "the run record of the winner (expected <run>/winners/<budget>.json)");
  nlohmann::json run;
  try {
    run = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw ConfigError(run_json.string() + ": malformed JSON: " + error.what());
  }
  if (!run.is_object() || !run.contains("config"))
    throw ConfigError(run_json.string() + ": no \"config\": not a tinyskip run record");
  return parse_experiment_config(run["config"].dump(), run_json);
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

void write_files(const GeneratedFiles& files, const fs::path& dir) {
  for (const GeneratedFile& file : files) {
    const fs::path path = dir / file.relative_path;
    fs::create_directories(path.parent_path());
    write_file_atomically(path, file.content);
  }
}

std::vector<uint8_t> encoded_test_image(const sim::Graph& graph, const ExperimentConfig& config,
                                        const sim::ImageSet& images) {
  std::vector<uint8_t> input(static_cast<size_t>(graph.tensor(graph.input).num_bytes()));
  sim::encode_input(graph, config.pixel_scale, images.image(0), sim::ImageSet::kPixelsPerImage, input.data());
  return input;
}

// The cross-compiled size of every generated C file at each level.
MeasuredFlash measure(const CodegenRequest& request, const mcu::Toolchain& toolchain, const GeneratedFiles& files,
                      const fs::path& cache_dir, int threads) {
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
        toolchain, units, level, {request.out_dir, request.out_dir / "runtime"}, threads, cache_dir, &stats);
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
  throw CodegenError("unknown variant '" + name + "': expected winner, unpacked or exact");
}

const char* codegen_variant_name(CodegenVariant variant) {
  switch (variant) {
    case CodegenVariant::kWinner: return "winner";
    case CodegenVariant::kUnpacked: return "unpacked";
    case CodegenVariant::kExact: return "exact";
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
  const ExperimentConfig config = run_config(winner);
  if (const std::string hash = fnv1a_hex_of_file(winner.model); hash != winner.model_hash)
    throw CodegenError(fmt::format("{}: the model file changed since the run (FNV-1a {} now, {} in {})",
                                   winner.model.string(), hash, winner.model_hash, winner.file.string()));
  const sim::Graph graph = sim::load_tflite(winner.model.string());
  const sim::MaskSet masks = request.variant == CodegenVariant::kWinner ? winner.masks() : sim::MaskSet{};

  ModelCodegenOptions options;
  options.model_name = request.model_name.empty() ? c_identifier_from(winner.experiment) : request.model_name;
  for (const WinnerLayer& layer : winner.layers)
    if (request.variant != CodegenVariant::kExact && layer.op_index < static_cast<int>(graph.ops.size()) &&
        graph.ops[static_cast<size_t>(layer.op_index)].type == sim::OpType::kConv2D)
      options.unpacked_ops.insert(layer.op_index);
  options.template_dir = request.template_dir;
  options.runtime_dir = request.runtime_dir;
  ModelSources sources = generate_model_sources(graph, masks, options);

  // The check program's image: test image 0, and what the simulator computes
  // for it with the winner's masks.
  const sim::ImageSet test_images = sim::read_cifar10_file((config.data_dir / "test_batch.bin").string());
  sim::ImageSet first;
  first.source = test_images.source;
  first.pixels.assign(test_images.image(0), test_images.image(0) + sim::ImageSet::kPixelsPerImage);
  first.labels = {test_images.labels.at(0)};
  const sim::RunOutput expected = sim::Simulator(graph, masks).run(first, config.pixel_scale);
  const auto board_ref = std::find_if(config.boards.begin(), config.boards.end(),
                                      [&](const BoardRef& b) { return b.name == winner.primary_board; });
  if (board_ref == config.boards.end())
    throw ConfigError(winner.file.string() + ": primary board " + winner.primary_board + " is not in the run's config");
  const mcu::BoardProfile board = mcu::load_board_profile(board_ref->file.string());

  BareMetalSpec spec;
  spec.model_name = options.model_name;
  spec.input_c_type = c_type_of(graph, graph.input);
  spec.output_c_type = c_type_of(graph, graph.output);
  spec.input_bytes = encoded_test_image(graph, config, first);
  spec.expected_output_bytes = expected.outputs;
  spec.board_name = board.name;
  spec.flash_bytes = board.flash_bytes;
  spec.ram_bytes = board.sram_bytes;
  GeneratedFiles bare_metal = generate_bare_metal_project(spec, request.template_dir);

  GeneratedFiles all = sources.files;
  all.insert(all.end(), bare_metal.begin(), bare_metal.end());
  for (const fs::path& stale : previous_output(request.out_dir, request.force)) fs::remove(stale);
  fs::create_directories(request.out_dir);
  write_files(all, request.out_dir);

  sim::MaskSet unpacked;
  for (int op : options.unpacked_ops) {
    if (masks.count(op)) {
      unpacked[op] = masks.at(op);
    } else {  // unpacked, nothing skipped: the cost model wants one entry per weight
      const sim::Op& unpacked_op = graph.ops[static_cast<size_t>(op)];
      unpacked[op].skip.assign(static_cast<size_t>(graph.input_of(unpacked_op, 1).num_elements()), 0);
    }
  }
  std::string toolchain_version;
  MeasuredFlash measured;
  if (request.measure_flash) {
    const mcu::Toolchain toolchain = mcu::load_toolchain(request.toolchain_file);
    toolchain_version = mcu::toolchain_version(toolchain);
    measured = measure(request, toolchain, sources.files, config.flash.cache_dir_or(config.results_dir), threads);
  }
  const ManifestInputs inputs{codegen_variant_name(request.variant),
                              graph,
                              winner,
                              board,
                              sources,
                              all,
                              mcu::estimate_network(graph, unpacked, board),
                              options.model_name,
                              {(config.data_dir / "test_batch.bin").string(), 0},
                              expected.outputs,
                              toolchain_version,
                              measured};
  const nlohmann::ordered_json manifest = codegen_manifest(inputs);
  CodegenResult result;
  result.manifest = request.out_dir / "manifest.json";
  write_file_atomically(result.manifest, manifest.dump(2) + "\n");
  result.files = static_cast<int>(all.size());
  result.model_name = options.model_name;
  result.estimated_flash_bytes = inputs.estimate.flash_bytes;
  result.board_flash_bytes = board.flash_bytes;
  for (const auto& [level, files] : inputs.measured) {
    int64_t total = 0;
    for (const auto& [file, sizes] : files) total += sizes.flash();
    result.measured_flash_bytes.emplace_back(level, total);
  }
  return result;
}

}  // namespace tinyskip::engine
