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
  std::vector<NetworkCycles> first_level;  // level program 0, the reference of the library programs
  for (size_t level = 0; level < levels; ++level) {
    const DesignPoint layer_level = level_program_point(space, level);
    const std::string label = level_program_label(level);
    const std::vector<NetworkCycles> timed = timer.time(point_masks(experiment, layer_level), unpacked_ops_of(experiment, layer_level), label);
    report(fmt::format("threshold level {} of {}", level, levels), timed);
    if (level == 0) first_level = timed;
    for (size_t b = 0; b < boards; ++b) {
      uint64_t approximated = 0;
      for (size_t l = 0; l < space.layers.size(); ++l) {
        const auto op = timed[b].op_cycles.find(space.layers[l].op_index);
        if (op == timed[b].op_cycles.end())
          throw CodegenError(fmt::format("{}: no timing for approximated layer {}", label, space.layers[l].name));
        approximated += op->second;
        // A layer's last level recurs in later programs; its first measurement counts.
        if (static_cast<size_t>(layer_level[l]) == level + first_unpacked_level(space.layers[l]))
          table.layer_[b][l][static_cast<size_t>(layer_level[l])] = op->second;
      }
      const uint64_t fixed = timed[b].cycles - approximated;
      if (level == 0) table.fixed_[b] = fixed;
      fixed_min[b] = std::min(fixed_min[b], fixed);
      fixed_max[b] = std::max(fixed_max[b], fixed);
    }
  }
  // A layer on its library kernel changes more than its own op: on a board
  // whose flash streams through a small cache, the code that runs after it
  // finds the cache warm or cold. So its entry is what the whole network
  // gains or loses against level program 0 when it alone stays on the
  // library: exact for that program, additive to first order elsewhere.
  const DesignPoint reference = level_program_point(space, 0);
  for (size_t l = 0; l < space.layers.size(); ++l) {
    if (!space.layers[l].not_unpacked_level) continue;
    DesignPoint on_library = reference;
    on_library[l] = 0;
    const std::string label = library_program_label(space.layers[l].name);
    const std::vector<NetworkCycles> timed =
        timer.time(point_masks(experiment, on_library), unpacked_ops_of(experiment, on_library), label);
    report(fmt::format("{} on its library kernel", space.layers[l].name), timed);
    for (size_t b = 0; b < boards; ++b) {
      const int64_t change = static_cast<int64_t>(timed[b].cycles) - static_cast<int64_t>(first_level[b].cycles);
      const auto entry = static_cast<int64_t>(table.layer_[b][l][static_cast<size_t>(reference[l])]) + change;
      if (entry < 0)
        throw CodegenError(fmt::format("{}: the network is {} cycles faster with {} on its library kernel than its "
                                       "unpacked code takes", label, -change, space.layers[l].name));
      table.layer_[b][l][0] = static_cast<uint64_t>(entry);
    }
  }
  for (size_t b = 0; b < boards; ++b) table.fixed_spread_.push_back(fixed_max[b] - fixed_min[b]);
  return table;
}

size_t LatencyTable::first_unpacked_level(const ApproximatedLayer& layer) { return layer.not_unpacked_level ? 1 : 0; }

size_t LatencyTable::level_programs(const DesignSpace& space) {
  size_t levels = 0;
  for (const ApproximatedLayer& layer : space.layers)
    levels = std::max(levels, layer.thresholds.size() - first_unpacked_level(layer));
  return levels;
}

DesignPoint LatencyTable::level_program_point(const DesignSpace& space, size_t level) {
  DesignPoint point(space.layers.size());
  for (size_t l = 0; l < space.layers.size(); ++l)
    point[l] = static_cast<int>(std::min(level + first_unpacked_level(space.layers[l]), space.layers[l].thresholds.size() - 1));
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
