// Flash effects on top of the zero-wait-state instruction costs: reading
// constant data through the D-side, and streaming long straight-line code
// through the prefetcher when it does not fit the instruction cache.
#pragma once

#include <cstdint>

#include "mcu_model/board_profile.h"

namespace tinyskip::mcu {

// Stall cycles for `bytes` of read-only data streamed once from flash (the
// weights of a baseline kernel): every flash access delivers
// flash_fetch_bytes after flash_wait_states extra cycles; a stream far
// larger than the small D-cache misses on every access.
double flash_data_stall_cycles(const BoardProfile& board, double bytes);

struct StraightLineCost {
  double cycles = 0;
  bool fetch_bound = false;  // the prefetcher, not the core, sets the pace
};

// `calls` executions of one straight-line block of `stream_bytes` (code plus
// literals) whose instructions take `execute_cycles` at zero wait states.
// From SRAM or at 0 WS: calls x execute. From flash, a block that fits the
// I-cache pays the stream only on the first call; a larger block re-streams
// on every call. With prefetch the stream overlaps execution and delivers
// flash_fetch_bytes per (WS + 1) cycles: max(execute, stream); without it
// every access stalls: execute + accesses x WS.
StraightLineCost straight_line_cycles(const BoardProfile& board, double execute_cycles,
                                      double stream_bytes, int64_t calls);

}  // namespace tinyskip::mcu
