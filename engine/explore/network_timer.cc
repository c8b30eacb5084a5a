#include "engine/explore/network_timer.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/network_project.h"
#include "engine/config/split_inputs.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/measure/timed_program.h"
#include "engine/results/atomic_file.h"
#include "mcu_model/cortex_m4_timing.h"
#include "mcu_model/cross_compiler.h"
#include "mcu_model/elf32_image.h"
#include "sim/support/fnv1a.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kTimingFlashBytes = 4 * 1024 * 1024;
constexpr uint64_t kInstructionLimit = 4'000'000'000ull;
constexpr const char* kCacheFormat = "tinyskip-latency-cache/1";

std::string file_content(const fs::path& file) {
  const std::optional<std::string> content = support::read_whole_file(file);
  if (!content) throw CodegenError("cannot read " + file.string() + " (part of the latency cache key)");
  return *content;
}

// Every regular file under `dir`, by relative path, into the hash.
void add_tree(support::ContentHash& hash, const fs::path& dir) {
  if (dir.empty() || !fs::is_directory(dir)) return;
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) hash.add(fs::relative(file, dir).generic_string()).add(file_content(file));
}

std::optional<NetworkCycles> read_entry(const fs::path& path) {
  const std::optional<std::string> text = support::read_whole_file(path);
  if (!text) return std::nullopt;
  try {
    const nlohmann::json entry = nlohmann::json::parse(*text);
    if (entry.at("format") != kCacheFormat) return std::nullopt;
    NetworkCycles cycles;
    cycles.cycles = entry.at("cycles").get<uint64_t>();
    for (const auto& [op, value] : entry.at("ops").items()) cycles.op_cycles[std::stoi(op)] = value.get<uint64_t>();
    return cycles;
  } catch (const std::exception&) {  // torn or foreign entry: a miss
    return std::nullopt;
  }
}

void write_entry(const fs::path& path, const NetworkCycles& cycles, const std::string& board,
                 const std::string& label) {
  nlohmann::ordered_json ops = nlohmann::ordered_json::object();
  for (const auto& [op, value] : cycles.op_cycles) ops[std::to_string(op)] = value;
  const nlohmann::ordered_json entry = {
      {"format", kCacheFormat}, {"board", board}, {"network", label}, {"cycles", cycles.cycles}, {"ops", ops}};
  write_file_atomically(path, entry.dump() + "\n");
}

}  // namespace

mcu::BoardProfile network_timing_board(const mcu::BoardProfile& board) {
  mcu::BoardProfile roomy = board;
  roomy.flash_bytes = std::max(board.flash_bytes, kTimingFlashBytes);
  return roomy;
}

NetworkTimer::NetworkTimer(const Experiment& experiment, Options options)
    : experiment_(experiment), options_(std::move(options)) {
  const ExperimentConfig& config = experiment.config;
  opt_level_ = options_.opt_level.empty() ? config.flash.opt_level : options_.opt_level;
  const mcu::Toolchain toolchain = mcu::load_toolchain(config.flash.toolchain);
  mcu::check_optimisation_level(toolchain, opt_level_);
  toolchain_version_ = mcu::toolchain_version(toolchain);
  reference_input_.emplace(latency_reference_inputs(config, experiment.graph, 1));
  support::ContentHash base;
  base.add(kCacheFormat).add(mcu::kTimingEngineVersion).add(toolchain_version_).add(opt_level_);
  if (config.cmsis_nn) {
    base.add("cmsis-nn");
    add_tree(base, config.cmsis_nn->root / "Include");
    add_tree(base, config.cmsis_nn->root / "Source");
    add_tree(base, config.cmsis_nn->core_include);
  }
  base_key_ = base.hex();
  for (const mcu::BoardProfile& board : experiment.boards) {
    support::ContentHash key;
    key.add(file_content(board.file)).add(file_content(board.timing_rules.file));
    key.add(std::to_string(network_timing_board(board).flash_bytes));
    board_keys_.push_back(key.hex());
  }
  if (!options_.cache_dir.empty()) fs::create_directories(options_.cache_dir);
}

std::vector<NetworkCycles> NetworkTimer::time(const sim::MaskSet& masks, const std::set<int>& unpacked_ops,
                                              const std::string& label) {
  const ExperimentConfig& config = experiment_.config;
  NetworkProjectSpec spec;
  spec.graph = &experiment_.graph;
  spec.masks = masks;
  spec.unpacked_ops = unpacked_ops;
  spec.cmsis_nn = config.cmsis_nn;
  spec.model_name = c_identifier_from(config.name);
  spec.inputs = &*reference_input_;
  spec.board = &experiment_.boards.at(static_cast<size_t>(experiment_.primary_board));
  spec.template_dir = default_template_dir();
  spec.runtime_dir = default_runtime_dir();
  const NetworkProject project = generate_network_project(spec);

  support::ContentHash program;
  program.add(base_key_);
  for (const GeneratedFile& file : project.files) program.add(file.relative_path).add(file.content);
  const std::string program_key = program.hex();

  std::vector<NetworkCycles> result(experiment_.boards.size());
  std::vector<size_t> missing;
  std::vector<fs::path> entries;
  for (size_t b = 0; b < experiment_.boards.size(); ++b) {
    entries.push_back(options_.cache_dir / (support::ContentHash().add(program_key).add(board_keys_[b]).hex() + ".json"));
    const std::optional<NetworkCycles> cached = options_.cache_dir.empty() ? std::nullopt : read_entry(entries[b]);
    if (cached) {
      result[b] = *cached;
      ++stats_.cached;
    } else {
      missing.push_back(b);
    }
  }
  if (missing.empty()) return result;

  // A fresh directory: files another program left under the same label
  // (an op of another type at the same index) would be built into this one.
  const fs::path dir = options_.work_dir / label;
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  write_generated_files(project.files, dir);
  std::vector<ProgramOp> ops;
  for (const GeneratedFile& file : project.sources.files)
    if (file.op_index >= 0)
      ops.push_back({file.op_index, sim::op_type_name(experiment_.graph.ops[static_cast<size_t>(file.op_index)].type), ""});
  // Builds one after another (the boards share the objects, each gets its own
  // link), then the runs side by side: the emulator has no shared state.
  std::vector<mcu::BoardProfile> boards;
  std::vector<fs::path> elves;
  for (size_t b : missing) {
    boards.push_back(network_timing_board(experiment_.boards[b]));
    const std::optional<fs::path> elf = build_check_program(dir, spec.model_name, opt_level_, boards.back());
    if (!elf)
      throw CodegenError(fmt::format("{}: the program does not fit {}'s memory even with {} B of flash ({} B of RAM)",
                                     dir.string(), boards.back().name, boards.back().flash_bytes,
                                     boards.back().sram_bytes));
    elves.push_back(*elf);
  }
  std::vector<BoardTiming> timings(missing.size());
  tbb::parallel_for(size_t{0}, missing.size(), [&](size_t i) {
    timings[i] = time_check_program(mcu::read_elf32_arm(elves[i].string()), boards[i], spec.model_name, ops,
                                    kInstructionLimit);
  });
  for (size_t i = 0; i < missing.size(); ++i) {
    const size_t b = missing[i];
    if (!timings[i].output_matches)
      throw CodegenError(fmt::format("{}: the program's output on {} differs from the simulator's", dir.string(),
                                     boards[i].name));
    result[b].cycles = timings[i].cycles;
    for (const OpTiming& op : timings[i].ops) result[b].op_cycles[op.op_index] = op.cycles;
    if (!options_.cache_dir.empty()) write_entry(entries[b], result[b], boards[i].name, label);
    ++stats_.timed;
  }
  return result;
}

}  // namespace tinyskip::engine
