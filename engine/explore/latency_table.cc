#include "engine/explore/latency_table.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/network_project.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/measure/timed_program.h"
#include "mcu_model/elf32_image.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

// Flash of the board as timed (LatencyTable::timing_board says why).
constexpr int64_t kTimingFlashBytes = 4 * 1024 * 1024;
constexpr uint64_t kInstructionLimit = 4'000'000'000ull;

// The first calibration image: what the level programs run on.
sim::ImageSet first_calibration_image(const Experiment& experiment) {
  if (experiment.calibration.size() < 1)
    throw CodegenError("measured latency needs at least one calibration image");
  sim::ImageSet image;
  image.source = experiment.calibration.source;
  image.pixels.assign(experiment.calibration.image(0),
                      experiment.calibration.image(0) + sim::ImageSet::kPixelsPerImage);
  image.labels = {experiment.calibration.labels.at(0)};
  return image;
}

}  // namespace

mcu::BoardProfile LatencyTable::timing_board(const mcu::BoardProfile& board) {
  mcu::BoardProfile roomy = board;
  roomy.flash_bytes = std::max(board.flash_bytes, kTimingFlashBytes);
  return roomy;
}

LatencyTable LatencyTable::measure(const Experiment& experiment, const Options& options) {
  const sim::Graph& graph = experiment.graph;
  const DesignSpace& space = experiment.space;
  const std::string model_name = c_identifier_from(experiment.config.name);
  std::set<int> unpacked_ops;
  size_t levels = 0;
  for (const ApproximatedLayer& layer : space.layers) {
    if (graph.ops[static_cast<size_t>(layer.op_index)].type == sim::OpType::kConv2D) unpacked_ops.insert(layer.op_index);
    levels = std::max(levels, layer.thresholds.size());
  }
  const sim::ImageSet image = first_calibration_image(experiment);
  std::vector<mcu::BoardProfile> boards;
  for (const mcu::BoardProfile& board : experiment.boards) boards.push_back(timing_board(board));

  LatencyTable table;
  table.layer_.assign(boards.size(), std::vector<std::vector<uint64_t>>(space.layers.size()));
  for (size_t l = 0; l < space.layers.size(); ++l)
    for (auto& per_board : table.layer_) per_board[l].assign(space.layers[l].thresholds.size(), 0);
  std::vector<uint64_t> fixed_min(boards.size(), UINT64_MAX), fixed_max(boards.size(), 0);
  table.fixed_.assign(boards.size(), 0);

  for (size_t level = 0; level < levels; ++level) {
    NetworkProjectSpec spec;
    spec.graph = &graph;
    DesignPoint layer_level(space.layers.size());
    for (size_t l = 0; l < space.layers.size(); ++l)
      layer_level[l] = static_cast<int>(std::min(level, space.layers[l].thresholds.size() - 1));
    spec.masks = point_masks(experiment, layer_level);
    spec.unpacked_ops = unpacked_ops;
    spec.cmsis_nn = experiment.config.cmsis_nn;
    spec.model_name = model_name;
    spec.images = &image;
    spec.pixel_scale = experiment.config.pixel_scale;
    spec.board = &experiment.boards.at(static_cast<size_t>(experiment.primary_board));
    spec.template_dir = default_template_dir();
    spec.runtime_dir = default_runtime_dir();
    const NetworkProject project = generate_network_project(spec);
    const fs::path dir = options.work_dir / fmt::format("level_{:02d}", level);
    write_generated_files(project.files, dir);
    std::vector<ProgramOp> ops;
    for (const GeneratedFile& file : project.sources.files)
      if (file.op_index >= 0)
        ops.push_back({file.op_index, sim::op_type_name(graph.ops[static_cast<size_t>(file.op_index)].type), ""});

    for (size_t b = 0; b < boards.size(); ++b) {
      const std::optional<fs::path> elf = build_check_program(dir, model_name, options.opt_level, boards[b]);
      if (!elf) throw CodegenError(dir.string() + ": the level program does not fit even " +
                                   std::to_string(kTimingFlashBytes) + " B of flash");
      const BoardTiming timing =
          time_check_program(mcu::read_elf32_arm(elf->string()), boards[b], model_name, ops, kInstructionLimit);
      if (!timing.output_matches)
        throw CodegenError(dir.string() + ": the level program's output differs from the simulator's on " +
                           boards[b].name);
      uint64_t approximated = 0;
      for (size_t l = 0; l < space.layers.size(); ++l) {
        const auto op = std::find_if(timing.ops.begin(), timing.ops.end(),
                                     [&](const OpTiming& t) { return t.op_index == space.layers[l].op_index; });
        if (op == timing.ops.end()) throw CodegenError(dir.string() + ": no timing for an approximated op");
        approximated += op->cycles;
        // A layer's last level recurs in later programs; its first measurement counts.
        if (static_cast<size_t>(layer_level[l]) == level) table.layer_[b][l][static_cast<size_t>(layer_level[l])] = op->cycles;
      }
      const uint64_t fixed = timing.cycles - approximated;
      if (level == 0) table.fixed_[b] = fixed;
      fixed_min[b] = std::min(fixed_min[b], fixed);
      fixed_max[b] = std::max(fixed_max[b], fixed);
      spdlog::info("latency: level {} on {}: {} cycles ({} fixed)", level, boards[b].name, timing.cycles, fixed);
    }
  }
  for (size_t b = 0; b < boards.size(); ++b) table.fixed_spread_.push_back(fixed_max[b] - fixed_min[b]);
  return table;
}

uint64_t LatencyTable::layer_cycles(int board, int layer, int level) const {
  return layer_.at(static_cast<size_t>(board)).at(static_cast<size_t>(layer)).at(static_cast<size_t>(level));
}

uint64_t LatencyTable::point_cycles(int board, const DesignPoint& point) const {
  uint64_t total = fixed_cycles(board);
  for (size_t l = 0; l < point.size(); ++l) total += layer_cycles(board, static_cast<int>(l), point[l]);
  return total;
}

}  // namespace tinyskip::engine
