// The exploration's latency from the compiled code (issue 9, part 1), the
// way FlashTable does flash: every op is its own translation unit and an
// unpacked layer's code depends only on its own mask, and the generated
// linker script places unpacked kernels after all other code and constants
// (codegen/templates/cortex_m4/linker.ld.in), so nothing else moves when a
// mask changes. A point's cycles on a board are then
//   fixed part + the sum over approximated layers of that layer's entry at
//   its threshold level.
// Measured once before the search (network_timer.h, cached by content): for
// each unpacked threshold level i, the whole network with every approximated
// layer at its i-th unpacked level (or its last) is generated, built and run
// under the timing engine on the latency reference input, and each
// approximated op's cycles (from the op-entry marks) are its entry at that
// level. A layer with a "not unpacked" level gets one more program, level
// program 0 with it alone on its library kernel; its entry there is its
// level-program-0 entry plus what the whole network gained or lost (see
// measure). The fixed part is the rest of the inference; it is the same in
// every level program up to the data-dependent ops (softmax, dequantize),
// whose spread is reported. The exact model (no unpacking, exact layers on
// the config's CMSIS-NN or the runtime) is timed as well: the baseline every
// saving is measured against.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/search/design_space.h"
#include "engine/explore/experiment.h"
#include "engine/explore/network_timer.h"

namespace tinyskip::engine {

class LatencyTable {
 public:
  using Options = NetworkTimer::Options;

  // Throws what NetworkTimer::time throws.
  static LatencyTable measure(const Experiment& experiment, const Options& options);
  // Same, with a timer the caller keeps (for its statistics, or to time more).
  static LatencyTable measure(const Experiment& experiment, NetworkTimer& timer);

  // The level programs: how many, and the point of level program `level`
  // (every approximated layer at its `level`-th unpacked level, or its last).
  static size_t level_programs(const DesignSpace& space);
  static DesignPoint level_program_point(const DesignSpace& space, size_t level);
  static std::string level_program_label(size_t level) { return fmt::format("level_{:02d}", level); }
  static std::string library_program_label(const std::string& layer) { return "library_" + layer; }
  // 1 for a layer whose level 0 is "not unpacked", else 0.
  static size_t first_unpacked_level(const ApproximatedLayer& layer);

  // See network_timing_board.
  static mcu::BoardProfile timing_board(const mcu::BoardProfile& board) { return network_timing_board(board); }

  // Cycles of `point` on board `board` (index into experiment.boards).
  uint64_t point_cycles(int board, const DesignPoint& point) const;
  uint64_t layer_cycles(int board, int layer, int level) const;
  uint64_t fixed_cycles(int board) const { return fixed_.at(static_cast<size_t>(board)); }
  // Largest difference between level programs of the fixed part (data-dependent ops).
  uint64_t fixed_spread(int board) const { return fixed_spread_.at(static_cast<size_t>(board)); }
  // The exact model's whole-network cycles.
  uint64_t exact_cycles(int board) const { return exact_.at(static_cast<size_t>(board)); }

 private:
  std::vector<uint64_t> fixed_, fixed_spread_, exact_;       // [board]
  std::vector<std::vector<std::vector<uint64_t>>> layer_;  // [board][layer][level]
};

}  // namespace tinyskip::engine
