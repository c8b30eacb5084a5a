#include "mcu_model/memory_model.h"

#include <algorithm>

namespace tinyskip::mcu {

namespace {

double flash_accesses(const BoardProfile& board, double bytes) {
  return bytes / static_cast<double>(board.flash_fetch_bytes);
}

// One execution of the block when its bytes must come from flash.
StraightLineCost streamed_call(const BoardProfile& board, double execute_cycles, double stream_bytes) {
  const double wait_states = board.flash_wait_states;
  if (!board.prefetch)
    return {execute_cycles + flash_accesses(board, stream_bytes) * wait_states, stream_bytes > 0};
  const double stream_cycles = flash_accesses(board, stream_bytes) * (wait_states + 1.0);
  return {std::max(execute_cycles, stream_cycles), stream_cycles > execute_cycles};
}

}  // namespace

double flash_data_stall_cycles(const BoardProfile& board, double bytes) {
  return flash_accesses(board, bytes) * board.flash_wait_states;
}

StraightLineCost straight_line_cycles(const BoardProfile& board, double execute_cycles,
                                      double stream_bytes, int64_t calls) {
  if (calls <= 0) return {};
  const double all_calls = static_cast<double>(calls);
  if (board.code_placement == CodePlacement::kSram || board.flash_wait_states == 0)
    return {all_calls * execute_cycles, false};
  const StraightLineCost first = streamed_call(board, execute_cycles, stream_bytes);
  if (stream_bytes <= static_cast<double>(board.icache_bytes()))
    return {first.cycles + (all_calls - 1.0) * execute_cycles, false};
  return {all_calls * first.cycles, first.fetch_bound};
}

}  // namespace tinyskip::mcu
