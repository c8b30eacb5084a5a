#include "engine/explore/latency_table.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {

LatencyTable LatencyTable::measure(const Experiment& experiment, const Options& options) {
  NetworkTimer timer(experiment, options);
  return measure(experiment, timer);
}

LatencyTable LatencyTable::measure(const Experiment& experiment, NetworkTimer& timer) {
  const DesignSpace& space = experiment.space;
  const size_t boards = experiment.boards.size();
  const std::set<int> unpacked_ops = unpacked_ops_of(experiment);
  const size_t levels = level_programs(space);

  LatencyTable table;
  table.layer_.assign(boards, std::vector<std::vector<uint64_t>>(space.layers.size()));
  for (size_t l = 0; l < space.layers.size(); ++l)
    for (auto& per_board : table.layer_) per_board[l].assign(space.layers[l].thresholds.size(), 0);
  std::vector<uint64_t> fixed_min(boards, UINT64_MAX), fixed_max(boards, 0);
  table.fixed_.assign(boards, 0);

  // One line per program: the measurement takes a while when nothing is cached.
  const auto report = [&](const std::string& what, const std::vector<NetworkCycles>& timed) {
    std::string cycles;
    for (size_t b = 0; b < boards; ++b)
      cycles.append(b ? ", " : "").append(fmt::format("{} {}", experiment.boards[b].name, timed[b].cycles));
    spdlog::info("latency: {}: {} cycles ({} timed, {} cached so far)", what, cycles, timer.stats().timed,
                 timer.stats().cached);
  };
  const std::vector<NetworkCycles> exact = timer.time({}, {}, "exact");
  report("exact model", exact);
  for (const NetworkCycles& board : exact) table.exact_.push_back(board.cycles);
  for (size_t level = 0; level < levels; ++level) {
    const DesignPoint layer_level = level_program_point(space, level);
    const std::string label = level_program_label(level);
    const std::vector<NetworkCycles> timed = timer.time(point_masks(experiment, layer_level), unpacked_ops, label);
    report(fmt::format("threshold level {} of {}", level, levels), timed);
    for (size_t b = 0; b < boards; ++b) {
      uint64_t approximated = 0;
      for (size_t l = 0; l < space.layers.size(); ++l) {
        const auto op = timed[b].op_cycles.find(space.layers[l].op_index);
        if (op == timed[b].op_cycles.end())
          throw CodegenError(fmt::format("{}: no timing for approximated layer {}", label, space.layers[l].name));
        approximated += op->second;
        // A layer's last level recurs in later programs; its first measurement counts.
        if (static_cast<size_t>(layer_level[l]) == level) table.layer_[b][l][level] = op->second;
      }
      const uint64_t fixed = timed[b].cycles - approximated;
      if (level == 0) table.fixed_[b] = fixed;
      fixed_min[b] = std::min(fixed_min[b], fixed);
      fixed_max[b] = std::max(fixed_max[b], fixed);
    }
  }
  for (size_t b = 0; b < boards; ++b) table.fixed_spread_.push_back(fixed_max[b] - fixed_min[b]);
  return table;
}

size_t LatencyTable::level_programs(const DesignSpace& space) {
  size_t levels = 0;
  for (const ApproximatedLayer& layer : space.layers) levels = std::max(levels, layer.thresholds.size());
  return levels;
}

DesignPoint LatencyTable::level_program_point(const DesignSpace& space, size_t level) {
  DesignPoint point(space.layers.size());
  for (size_t l = 0; l < space.layers.size(); ++l)
    point[l] = static_cast<int>(std::min(level, space.layers[l].thresholds.size() - 1));
  return point;
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
