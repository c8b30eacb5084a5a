// The flash memory interface of an STM32 Cortex-M4 part as the timing engine
// sees it: instruction fetches and data (literal, constant) reads that reach
// flash cost wait states unless a cache or the prefetcher has the bytes.
// Built from the board profile's memory-system fields (configs/mcu/README.md):
//
// - Flash is read in units of `flash_fetch_bytes` (128-bit lines on the F4
//   ART accelerator, 64-bit double words on the L4+ in dual-bank mode); a read
//   takes flash_wait_states + 1 cycles, of which the core's own fetch or data
//   phase is 1, so a miss stalls the core `flash_wait_states` cycles.
// - Instruction side: an LRU instruction cache of icache_lines x
//   icache_line_bytes, kept per fetch unit (fully associative; the parts'
//   real organisation is not documented in more detail), filled on every
//   miss; with `prefetch`, the unit after the one the core is executing is
//   read in the background (RM0368/RM0383/RM0090 3.5.2: a line found in the
//   prefetch buffer is not copied into the cache).
// - Data side (D-Code bus): an LRU data cache of dcache_lines x
//   dcache_line_bytes; a miss stalls `flash_wait_states` and keeps flash busy
//   for the whole line, delaying an instruction prefetch in flight (D-Code
//   has priority over I-Code).
// - Code placed in SRAM (`code_placement: "sram"`) or run at zero wait
//   states fetches without stalls.
#pragma once

#include <cstdint>
#include <vector>

#include "mcu_model/board_profile.h"

namespace tinyskip::mcu {

struct FlashStatistics {
  uint64_t fetch_units = 0;      // instruction fetch units the core moved to
  uint64_t icache_hits = 0;
  uint64_t prefetch_hits = 0;
  uint64_t fetch_misses = 0;
  uint64_t fetch_stall_cycles = 0;
  uint64_t data_reads = 0;       // data reads from flash
  uint64_t dcache_misses = 0;
  uint64_t data_stall_cycles = 0;
};

class FlashInterface {
 public:
  explicit FlashInterface(const BoardProfile& board);

  // The core starts executing instructions from the fetch unit holding
  // `address` at cycle `now`; returns the stall cycles before it can. The
  // caller calls this once per change of fetch unit.
  uint32_t fetch_instruction(uint32_t address, uint64_t now);
  // A data read of `bytes` at `address` (inside flash) at cycle `now`;
  // returns the stall cycles.
  uint32_t read_data(uint32_t address, uint32_t bytes, uint64_t now);

  bool in_flash(uint32_t address) const { return address - flash_origin_ < flash_bytes_; }
  uint32_t fetch_unit_bytes() const { return fetch_bytes_; }
  const FlashStatistics& statistics() const { return statistics_; }

 private:
  // A small fully associative LRU set of unit numbers.
  class LruSet {
   public:
    LruSet(int capacity, uint32_t universe);
    bool touch(uint32_t unit, uint64_t now);  // true on a hit; a hit refreshes the entry
    void insert(uint32_t unit, uint64_t now);
    bool contains(uint32_t unit) const { return unit < slot_of_.size() && slot_of_[unit] >= 0; }

   private:
    std::vector<uint32_t> units_;
    std::vector<uint64_t> last_use_;
    std::vector<int32_t> slot_of_;  // unit -> slot, -1 when absent
  };

  uint32_t flash_origin_ = 0, flash_bytes_ = 0;
  uint32_t wait_states_ = 0, fetch_bytes_ = 16, dcache_line_bytes_ = 16;
  bool prefetch_ = false, stall_free_fetch_ = false;
  LruSet icache_, dcache_;
  int64_t prefetch_unit_ = -1;   // unit held or being read by the prefetcher
  uint64_t prefetch_ready_ = 0;  // cycle it is available
  uint32_t data_busy_cycles_per_miss_ = 0;
  FlashStatistics statistics_;
};

}  // namespace tinyskip::mcu
