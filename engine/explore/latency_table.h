// The exploration's latency from the compiled code (issue 9, part 1), the
// way FlashTable does flash: every op is its own translation unit and an
// unpacked layer's code depends only on its own mask, and the generated
// linker script places unpacked kernels after all other code and constants
// (codegen/templates/cortex_m4/linker.ld.in), so nothing else moves when a
// mask changes. A point's cycles on a board are then
//   fixed part + the sum over approximated layers of that layer's entry at
//   its threshold level.
// Measured once before the search: for each threshold level i, the whole
// network with every approximated layer at level i (or its last level) is
// generated, built and run under the timing engine on a calibration image,
// and each approximated op's cycles (from the op-entry marks) are its
// entry at that level. The fixed part is the rest of the inference; it is
// the same in every level program up to the data-dependent ops (softmax,
// dequantize), whose spread is reported.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "engine/explore/design_space.h"
#include "engine/explore/experiment.h"

namespace tinyskip::engine {

class LatencyTable {
 public:
  struct Options {
    std::filesystem::path work_dir;  // where the level programs are generated and built
    std::string opt_level = "-Os";
  };

  // Throws CodegenError (build), mcu::EmulatorError / TimingError (run),
  // or reports a level program whose output differs from the simulator's.
  static LatencyTable measure(const Experiment& experiment, const Options& options);

  // `board` as the level programs are linked and timed: with room in flash
  // for any generated model (flash size changes no timing rule, and an
  // over-size point still needs its cycles; the flash constraint rules it out).
  static mcu::BoardProfile timing_board(const mcu::BoardProfile& board);

  // Cycles of `point` on board `board` (index into experiment.boards).
  uint64_t point_cycles(int board, const DesignPoint& point) const;
  uint64_t layer_cycles(int board, int layer, int level) const;
  uint64_t fixed_cycles(int board) const { return fixed_.at(static_cast<size_t>(board)); }
  // Largest difference between level programs of the fixed part (data-dependent ops).
  uint64_t fixed_spread(int board) const { return fixed_spread_.at(static_cast<size_t>(board)); }

 private:
  std::vector<uint64_t> fixed_, fixed_spread_;                  // [board]
  std::vector<std::vector<std::vector<uint64_t>>> layer_;     // [board][layer][level]
};

}  // namespace tinyskip::engine
