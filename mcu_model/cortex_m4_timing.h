// The Cortex-M4 timing engine: an ExecutionObserver that charges every
// executed instruction its cycles, so that an emulated run of the real
// compiled code (arm_emulator.h) yields the cycle count a board would show.
//
// Per instruction it applies the core's rules (timing_rules.h, facts in
// configs/mcu/cortex_m4_timing.json):
// - one cycle for data processing, multiplies and DSP instructions;
// - loads 2 cycles, 1 when pipelined behind a load whose result does not form
//   their address (a load with base writeback neither pipelines nor lets the
//   next one pipeline behind it); stores with an immediate offset 1, others 2 (1 behind a
//   load); LDRD/STRD 3; LDM/STM/PUSH/POP 1 + N; +1 when the address depends
//   on the preceding data-processing result; +1 for an unaligned access;
// - taken branches 1 + P (P by how the target is obtained, +1 when the target
//   is a 32-bit instruction straddling a word); not-taken branches 1; a
//   conditional instruction that fails its condition 1;
// - SDIV/UDIV by their operand values; FPU operations by class;
// and the board's flash interface (flash_interface.h) for instruction
// fetches and data reads from flash.
//
// Decoding (Capstone) happens once per address; afterwards an instruction
// costs a table look-up and a few comparisons, which keeps timed emulation
// well above 20 million instructions per second.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mcu_model/board_profile.h"
#include "mcu_model/execution_observer.h"
#include "mcu_model/flash_interface.h"
#include "mcu_model/thumb_decoder.h"

namespace tinyskip::mcu {

// Names the rules in code (this file's .cc, flash_interface.cc). Cached
// timings carry it in their key: bump it with any change that can move a
// cycle count, so that no stale measurement is reused.
inline constexpr const char* kTimingEngineVersion = "cortex-m4-timing/1";

// Execution reached a marked address (see CortexM4Timing::mark).
struct TimingMark {
  uint32_t address = 0;
  uint64_t cycle = 0;        // cycles before the marked instruction
  uint64_t instruction = 0;  // instructions before it
};

struct TimingStatistics {
  uint64_t instructions = 0;
  uint64_t taken_branches = 0, refill_cycles = 0;
  uint64_t pipelined_transfers = 0;    // loads/stores that saved a cycle behind a load
  uint64_t address_dependency_stalls = 0;
  uint64_t unaligned_accesses = 0;
  uint64_t skipped_conditionals = 0;
  uint64_t divide_cycles = 0;
};

class CortexM4Timing : public ExecutionObserver {
 public:
  // The board gives the timing rules and the flash interface; `board` must
  // outlive the engine.
  explicit CortexM4Timing(const BoardProfile& board);

  // Records a TimingMark every time execution reaches `address` (a function
  // entry, say, to split the total by function). Call before the run.
  void mark(uint32_t address);

  uint64_t cycles() const { return cycles_; }
  uint64_t instructions() const { return statistics_.instructions; }
  const std::vector<TimingMark>& marks() const { return marks_; }
  const TimingStatistics& statistics() const { return statistics_; }
  const FlashStatistics& flash_statistics() const { return flash_.statistics(); }

  void on_instruction(uint32_t address, uint32_t size, const CpuState& cpu) override;
  void on_memory_access(uint32_t address, uint32_t bytes, bool is_write) override;
  uint32_t cycle_counter() const override { return static_cast<uint32_t>(instruction_start_); }
  void on_run_end(uint32_t next_address) override;

 private:
  struct Entry {
    DecodedInstruction instruction;
    bool marked = false;
  };

  const Entry& entry_at(uint32_t address, const CpuState& cpu);
  Entry* find_entry(uint32_t address);
  Entry& decode_into_table(uint32_t address, const CpuState& cpu);
  void settle_pending_branch(uint32_t next_address, const DecodedInstruction* next);
  void arrive_at(const Entry& entry, uint32_t address);
  void skip_failed_condition();
  void skip_unreported_it_instructions(uint32_t next_address);
  int execute_cycles(const DecodedInstruction& instruction, const CpuState& cpu);
  int refill_cycles(BranchTarget target) const;

  const BoardProfile& board_;
  const TimingRules& rules_;
  ThumbDecoder decoder_;
  FlashInterface flash_;

  // Decoded instructions: flash addresses by table (hot path), others by map.
  std::deque<Entry> entries_;  // deque: entries stay put while the table grows
  std::vector<Entry*> flash_entry_;  // (address - flash origin) / 2 -> entry, nullptr if none
  std::unordered_map<uint32_t, Entry*> other_entry_;
  std::unordered_set<uint32_t> marked_addresses_;

  uint64_t cycles_ = 0;             // cycles of everything before the current instruction's end
  uint64_t instruction_start_ = 0;  // cycle at which the current instruction started
  uint32_t fetch_unit_ = 0xFFFFFFFFu;
  // The previous executed instruction, as far as the next one's cost depends on it.
  bool previous_pipelinable_load_ = false;
  uint16_t previous_loaded_registers_ = 0;
  uint16_t previous_result_registers_ = 0;  // written by a data-processing instruction
  // A flow change of the previous instruction, settled when the next address is known.
  int pending_refill_ = -1;  // P if taken; -1 when nothing is pending
  bool pending_always_taken_ = false;
  uint32_t pending_fallthrough_ = 0;
  // The instructions of the current IT block not yet reported: the emulator
  // does not report those that fail their condition, so they are charged
  // when execution is seen to have passed them.
  uint32_t it_block_addresses_[4] = {};
  int it_block_size_ = 0, it_block_next_ = 0;

  std::vector<TimingMark> marks_;
  TimingStatistics statistics_;
};

}  // namespace tinyskip::mcu
