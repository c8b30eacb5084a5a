// A board profile: the clock, memories and flash interface of one
// microcontroller board, plus the coefficient set of its core (a separate
// file, shared by boards with the same core). See configs/mcu/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mcu_model/coefficients.h"
#include "mcu_model/timing_rules.h"

namespace tinyskip::mcu {

enum class CodePlacement { kFlash, kSram };

struct BoardProfile {
  std::string name;
  std::string core;
  int64_t clock_hz = 0;
  int64_t flash_origin = 0x08000000;  // where flash and SRAM start in the memory map
  int64_t flash_bytes = 0;
  int64_t sram_origin = 0x20000000;
  int64_t sram_bytes = 0;
  int flash_wait_states = 0;
  bool prefetch = false;      // sequential instruction prefetch from flash
  int flash_fetch_bytes = 0;  // bytes one flash access delivers (128-bit line = 16)
  int icache_lines = 0;
  int icache_line_bytes = 0;
  int dcache_lines = 0;
  int dcache_line_bytes = 0;
  CodePlacement code_placement = CodePlacement::kFlash;
  std::string notes;
  std::vector<std::string> uncertain;  // facts of this profile that are not confirmed, and what they move
  std::string file;  // the profile file, for messages
  CoefficientSet coefficients;
  TimingRules timing_rules;  // the core's instruction timings, for the timing engine

  int64_t icache_bytes() const { return int64_t{icache_lines} * icache_line_bytes; }
  int64_t dcache_bytes() const { return int64_t{dcache_lines} * dcache_line_bytes; }
  double milliseconds(double cycles) const { return cycles * 1000.0 / static_cast<double>(clock_hz); }
  const KernelSequences& sequences() const { return coefficients.sequences; }
};

// Reads a profile and the coefficient and timing-rule files it names
// (resolved relative to the profile's directory). ProfileError naming the file and key for a missing
// file, invalid JSON, a missing, unknown or ill-typed key.
BoardProfile load_board_profile(const std::string& path);

}  // namespace tinyskip::mcu
