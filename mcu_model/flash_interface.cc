#include "mcu_model/flash_interface.h"

#include <algorithm>

namespace tinyskip::mcu {

FlashInterface::LruSet::LruSet(int capacity, uint32_t universe)
    : units_(static_cast<size_t>(std::max(capacity, 0)), 0),
      last_use_(units_.size(), 0),
      slot_of_(units_.empty() ? 0 : universe, -1) {}

bool FlashInterface::LruSet::touch(uint32_t unit, uint64_t now) {
  if (!contains(unit)) return false;
  last_use_[static_cast<size_t>(slot_of_[unit])] = now;
  return true;
}

void FlashInterface::LruSet::insert(uint32_t unit, uint64_t now) {
  if (units_.empty() || unit >= slot_of_.size()) return;
  size_t victim = 0;
  for (size_t slot = 1; slot < units_.size(); ++slot)
    if (last_use_[slot] < last_use_[victim]) victim = slot;
  // Empty slots have last use 0 and unit 0; only evict a unit that is there.
  if (slot_of_[units_[victim]] == static_cast<int32_t>(victim)) slot_of_[units_[victim]] = -1;
  units_[victim] = unit;
  last_use_[victim] = now + 1;  // + 1: distinct from empty slots at cycle 0
  slot_of_[unit] = static_cast<int32_t>(victim);
}

FlashInterface::FlashInterface(const BoardProfile& board)
    : flash_origin_(static_cast<uint32_t>(board.flash_origin)),
      flash_bytes_(static_cast<uint32_t>(board.flash_bytes)),
      wait_states_(static_cast<uint32_t>(board.flash_wait_states)),
      fetch_bytes_(static_cast<uint32_t>(board.flash_fetch_bytes)),
      dcache_line_bytes_(static_cast<uint32_t>(board.dcache_line_bytes)),
      prefetch_(board.prefetch),
      stall_free_fetch_(board.code_placement == CodePlacement::kSram || board.flash_wait_states == 0),
      icache_(board.icache_lines * board.icache_line_bytes / std::max(board.flash_fetch_bytes, 1),
              static_cast<uint32_t>(board.flash_bytes / std::max(board.flash_fetch_bytes, 1) + 1)),
      dcache_(board.dcache_lines, static_cast<uint32_t>(board.flash_bytes / std::max(board.dcache_line_bytes, 1) + 1)) {
  // A data miss reads the whole D-cache line, one flash access per fetch unit.
  const uint32_t accesses = std::max<uint32_t>(1, dcache_line_bytes_ / std::max<uint32_t>(fetch_bytes_, 1));
  data_busy_cycles_per_miss_ = accesses * (wait_states_ + 1);
}

uint32_t FlashInterface::fetch_instruction(uint32_t address, uint64_t now) {
  ++statistics_.fetch_units;
  if (stall_free_fetch_ || !in_flash(address)) return 0;
  const uint32_t unit = (address - flash_origin_) / fetch_bytes_;
  uint32_t stall = 0;
  if (icache_.touch(unit, now)) {
    ++statistics_.icache_hits;
  } else if (prefetch_unit_ == static_cast<int64_t>(unit)) {
    ++statistics_.prefetch_hits;
    stall = prefetch_ready_ > now ? static_cast<uint32_t>(prefetch_ready_ - now) : 0;
  } else {
    ++statistics_.fetch_misses;
    stall = wait_states_;
    icache_.insert(unit, now);
  }
  statistics_.fetch_stall_cycles += stall;
  const uint64_t delivered = now + stall;
  const uint32_t next = unit + 1;
  if (prefetch_ && next < flash_bytes_ / fetch_bytes_ && !icache_.contains(next) &&
      prefetch_unit_ != static_cast<int64_t>(next)) {
    prefetch_unit_ = next;
    prefetch_ready_ = delivered + wait_states_ + 1;
  }
  return stall;
}

uint32_t FlashInterface::read_data(uint32_t address, uint32_t bytes, uint64_t now) {
  ++statistics_.data_reads;
  uint32_t stall = 0;
  const uint32_t first = (address - flash_origin_) / dcache_line_bytes_;
  const uint32_t last = (address + std::max<uint32_t>(bytes, 1) - 1 - flash_origin_) / dcache_line_bytes_;
  for (uint32_t line = first; line <= last; ++line) {
    if (dcache_.touch(line, now)) continue;
    ++statistics_.dcache_misses;
    stall += wait_states_;
    dcache_.insert(line, now);
    // D-Code has priority: a prefetch still in flight waits for the line.
    if (prefetch_unit_ >= 0 && prefetch_ready_ > now) prefetch_ready_ += data_busy_cycles_per_miss_;
  }
  statistics_.data_stall_cycles += stall;
  return stall;
}

}  // namespace tinyskip::mcu
