#include "mcu_model/cortex_m4_timing.h"

#include <cstdio>

namespace tinyskip::mcu {
namespace {

uint32_t magnitude(uint32_t value, bool is_signed) {
  if (!is_signed || static_cast<int32_t>(value) >= 0) return value;
  return 0u - value;
}

bool is_data_processing(TimingClass timing_class) {
  return timing_class == TimingClass::kSingle || timing_class == TimingClass::kDivide ||
         timing_class == TimingClass::kFpuSingle;
}

std::string hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", value);
  return text;
}

}  // namespace

CortexM4Timing::CortexM4Timing(const BoardProfile& board)
    : board_(board),
      rules_(board.timing_rules),
      decoder_(board.timing_rules),
      flash_(board),
      flash_entry_(static_cast<size_t>(board.flash_bytes / 2), nullptr) {}

void CortexM4Timing::mark(uint32_t address) {
  address &= ~1u;  // a function symbol's Thumb bit
  marked_addresses_.insert(address);
  if (Entry* entry = find_entry(address)) entry->marked = true;
}

CortexM4Timing::Entry* CortexM4Timing::find_entry(uint32_t address) {
  const uint32_t offset = address - static_cast<uint32_t>(board_.flash_origin);
  if (offset < board_.flash_bytes) return flash_entry_[offset / 2];
  const auto found = other_entry_.find(address);
  return found == other_entry_.end() ? nullptr : found->second;
}

CortexM4Timing::Entry& CortexM4Timing::decode_into_table(uint32_t address, const CpuState& cpu) {
  uint8_t bytes[4] = {0, 0, 0, 0};
  uint32_t available = 4;
  if (!cpu.read_memory(address, bytes, 4)) {
    available = 2;
    if (!cpu.read_memory(address, bytes, 2)) throw TimingError("cannot read the instruction at " + hex(address));
  }
  Entry entry;
  try {
    entry.instruction = decoder_.decode(bytes, available, address);
  } catch (const TimingError& error) {
    throw TimingError(std::string("timing engine: ") + error.what());
  }
  entry.marked = marked_addresses_.count(address) != 0;
  entries_.push_back(std::move(entry));
  const uint32_t offset = address - static_cast<uint32_t>(board_.flash_origin);
  if (offset < board_.flash_bytes)
    flash_entry_[offset / 2] = &entries_.back();
  else
    other_entry_[address] = &entries_.back();
  return entries_.back();
}

const CortexM4Timing::Entry& CortexM4Timing::entry_at(uint32_t address, const CpuState& cpu) {
  if (const Entry* known = find_entry(address)) return *known;
  Entry& entry = decode_into_table(address, cpu);
  if (entry.instruction.timing_class == TimingClass::kIt) {
    // Capstone decodes one instruction at a time and cannot know an IT
    // block's conditions; they are static (nothing may branch into an IT
    // block), so they are stored with the covered instructions now.
    uint8_t conditions[4];
    int count = 0;
    it_block_conditions(entry.instruction.it_first_condition, entry.instruction.it_mask, conditions, count);
    uint32_t next = address + entry.instruction.size;
    for (int i = 0; i < count; ++i) {
      Entry* covered = find_entry(next);
      if (covered == nullptr) covered = &decode_into_table(next, cpu);
      covered->instruction.condition = conditions[i];
      next += covered->instruction.size;
    }
  }
  return entry;
}

int CortexM4Timing::refill_cycles(BranchTarget target) const {
  switch (target) {
    case BranchTarget::kImmediate: return rules_.refill_immediate_target;
    case BranchTarget::kRegister: return rules_.refill_register_target;
    case BranchTarget::kLoaded: return rules_.refill_loaded_target;
    case BranchTarget::kNone: break;
  }
  return 0;
}

void CortexM4Timing::settle_pending_branch(uint32_t next_address, const DecodedInstruction* next) {
  if (pending_refill_ < 0) return;
  if (pending_always_taken_ || next_address != pending_fallthrough_) {
    int refill = pending_refill_;
    // A 32-bit target that straddles a word needs a second fetch.
    if (next != nullptr && next->size == 4 && (next_address & 2u) != 0) refill += rules_.refill_unaligned_wide_target_extra;
    cycles_ += static_cast<uint64_t>(refill);
    ++statistics_.taken_branches;
    statistics_.refill_cycles += static_cast<uint64_t>(refill);
  }
  pending_refill_ = -1;
}

int CortexM4Timing::execute_cycles(const DecodedInstruction& instruction, const CpuState& cpu) {
  const bool behind_load = previous_pipelinable_load_;
  const bool address_dependency = (instruction.address_registers & previous_result_registers_) != 0;
  int cycles = rules_.single;
  switch (instruction.timing_class) {
    case TimingClass::kSingle:
    case TimingClass::kBranch:
      break;
    case TimingClass::kIt:
      cycles = rules_.it;
      break;
    case TimingClass::kDivide: {
      const uint32_t dividend = cpu.core_register(instruction.dividend_register);
      const uint32_t divisor = cpu.core_register(instruction.divisor_register);
      cycles = rules_.divide_cycles(magnitude(dividend, instruction.signed_divide),
                                    magnitude(divisor, instruction.signed_divide));
      statistics_.divide_cycles += static_cast<uint64_t>(cycles);
      break;
    }
    case TimingClass::kLoad: {
      const bool pipelined = behind_load && !instruction.writeback &&
                             (instruction.address_registers & previous_loaded_registers_) == 0;
      cycles = pipelined ? rules_.load_pipelined : rules_.load;
      statistics_.pipelined_transfers += pipelined ? 1 : 0;
      break;
    }
    case TimingClass::kStore:
      if (!instruction.register_offset && !instruction.writeback) {
        cycles = rules_.store_immediate_offset;
      } else {
        cycles = behind_load ? rules_.load_pipelined : rules_.store;
        statistics_.pipelined_transfers += behind_load ? 1 : 0;
      }
      break;
    case TimingClass::kLoadDouble:
    case TimingClass::kStoreDouble:
      cycles = rules_.load_store_double;
      break;
    case TimingClass::kLoadMultiple:
    case TimingClass::kStoreMultiple:
      cycles = rules_.load_store_multiple_base + instruction.transfer_count;
      break;
    case TimingClass::kTableBranch:
      cycles = rules_.load + rules_.table_branch_extra;
      break;
    case TimingClass::kBarrier:
      cycles = rules_.barrier;
      break;
    case TimingClass::kFpuSingle:
      cycles = instruction.fpu_move_pair ? rules_.fpu_move_pair : rules_.fpu_single;
      break;
    case TimingClass::kFpuMultiplyAccumulate:
      cycles = rules_.fpu_multiply_accumulate;
      break;
    case TimingClass::kFpuDivide:
      cycles = rules_.fpu_divide;
      break;
    case TimingClass::kFpuLoad:
    case TimingClass::kFpuStore:
      cycles = instruction.fpu_double ? rules_.fpu_load_store_double : rules_.fpu_load_store_single;
      break;
    case TimingClass::kFpuLoadMultiple:
    case TimingClass::kFpuStoreMultiple:
      cycles = rules_.fpu_load_store_multiple_base + instruction.transfer_count;
      break;
  }
  if (instruction.is_memory_access() && address_dependency) {
    cycles += rules_.address_dependency_stall;
    ++statistics_.address_dependency_stalls;
  }
  return cycles;
}

// Everything an instruction costs before it executes: the refill of a branch
// to it, the fetch of each new fetch unit it needs.
void CortexM4Timing::arrive_at(const Entry& entry, uint32_t address) {
  settle_pending_branch(address, &entry.instruction);
  if (entry.marked) marks_.push_back({address, cycles_, statistics_.instructions});
  ++statistics_.instructions;

  // Fetch: each new fetch unit the instruction needs may stall on flash.
  const uint32_t unit_bytes = flash_.fetch_unit_bytes();
  const uint32_t first_unit = address / unit_bytes, last_unit = (address + entry.instruction.size - 1) / unit_bytes;
  if (first_unit != fetch_unit_) {
    cycles_ += flash_.fetch_instruction(address, cycles_);
    fetch_unit_ = first_unit;
  }
  if (last_unit != fetch_unit_) {
    cycles_ += flash_.fetch_instruction(last_unit * unit_bytes, cycles_);
    fetch_unit_ = last_unit;
  }
  instruction_start_ = cycles_;
}

void CortexM4Timing::skip_failed_condition() {
  cycles_ += static_cast<uint64_t>(rules_.skipped);
  ++statistics_.skipped_conditionals;
  previous_pipelinable_load_ = false;
  previous_loaded_registers_ = previous_result_registers_ = 0;
}

// Only the last instruction of an IT block may branch, so an instruction of
// the block that was not reported before `next_address` failed its condition.
void CortexM4Timing::skip_unreported_it_instructions(uint32_t next_address) {
  while (it_block_next_ < it_block_size_) {
    const uint32_t address = it_block_addresses_[it_block_next_++];
    if (address == next_address) return;
    if (const Entry* skipped = find_entry(address)) {
      arrive_at(*skipped, address);
      skip_failed_condition();
    }
  }
}

void CortexM4Timing::on_instruction(uint32_t address, uint32_t size, const CpuState& cpu) {
  const Entry& entry = entry_at(address, cpu);
  const DecodedInstruction& instruction = entry.instruction;
  if (instruction.size != size)
    throw TimingError("timing engine: the emulator ran " + std::to_string(size) + " bytes at " + hex(address) +
                      " where Capstone decoded a " + std::to_string(instruction.size) + "-byte '" +
                      instruction.name + "'");
  skip_unreported_it_instructions(address);
  arrive_at(entry, address);

  // Branches (B<cond>, CBZ) are settled by where execution goes next; other
  // conditional instructions (IT blocks) by the flags.
  const bool is_branch = instruction.timing_class == TimingClass::kBranch;
  if (instruction.conditional() && !is_branch && !condition_passes(instruction.condition, cpu.apsr())) {
    skip_failed_condition();
    return;
  }
  if (instruction.timing_class == TimingClass::kIt) {
    uint8_t conditions[4];
    it_block_conditions(instruction.it_first_condition, instruction.it_mask, conditions, it_block_size_);
    it_block_next_ = 0;
    uint32_t next = address + size;
    for (int i = 0; i < it_block_size_; ++i) {
      it_block_addresses_[i] = next;
      const Entry* covered = find_entry(next);
      next += covered != nullptr ? covered->instruction.size : 2;
    }
  }

  cycles_ += static_cast<uint64_t>(execute_cycles(instruction, cpu));
  const bool barrier_refill = instruction.timing_class == TimingClass::kBarrier && instruction.name == "isb";
  if (instruction.branch_target != BranchTarget::kNone || barrier_refill) {
    pending_refill_ = barrier_refill ? rules_.refill_immediate_target : refill_cycles(instruction.branch_target);
    pending_always_taken_ = !is_branch || !instruction.conditional();
    pending_fallthrough_ = address + size;
  }
  previous_pipelinable_load_ = instruction.timing_class == TimingClass::kLoad && !instruction.writeback &&
                               instruction.branch_target == BranchTarget::kNone;
  previous_loaded_registers_ = instruction.loaded_registers;
  previous_result_registers_ = is_data_processing(instruction.timing_class) ? instruction.written_registers : 0;
}

void CortexM4Timing::on_memory_access(uint32_t address, uint32_t bytes, bool is_write) {
  if (!is_write && flash_.in_flash(address)) cycles_ += flash_.read_data(address, bytes, instruction_start_);
  if ((bytes == 2 || bytes == 4) && (address & (bytes - 1)) != 0) {
    cycles_ += static_cast<uint64_t>(rules_.unaligned_access_extra);
    ++statistics_.unaligned_accesses;
  }
}

void CortexM4Timing::on_run_end(uint32_t next_address) {
  skip_unreported_it_instructions(next_address);
  settle_pending_branch(next_address, nullptr);
}

}  // namespace tinyskip::mcu
