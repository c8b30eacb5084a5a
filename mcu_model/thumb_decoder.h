// Decodes one Thumb-2 (ARMv7E-M) instruction with Capstone into what the
// Cortex-M4 timing rules need: its class (timing_rules.h), the core
// registers it reads for addressing, loads and writes, how it changes the
// flow of control, and a few encoding facts (writeback, register offset,
// PC-relative literal). Nothing here knows cycle counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "mcu_model/timing_rules.h"

namespace tinyskip::mcu {

// An instruction the timing engine cannot decode or classify; the message
// names the address, the bytes and, when Capstone knew it, the instruction.
class TimingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How an instruction that writes the PC obtains its target (the refill cost
// of a taken branch differs: timing_rules.h).
enum class BranchTarget : uint8_t {
  kNone,       // does not write the PC
  kImmediate,  // B, BL, CBZ, CBNZ: the target is in the encoding
  kRegister,   // BX, BLX, MOV PC, ADD PC: from a register
  kLoaded,     // LDR PC, POP {..., PC}, LDM with PC, TBB/TBH: from memory
};

// ARM condition codes as encoded; kAlways for unconditional instructions.
constexpr uint8_t kConditionAlways = 14;

struct DecodedInstruction {
  uint32_t address = 0;
  uint8_t size = 0;  // 2 or 4 bytes
  TimingClass timing_class = TimingClass::kSingle;
  BranchTarget branch_target = BranchTarget::kNone;
  // The condition of a Bcc (the timing engine sets it for instructions in an
  // IT block, which Capstone cannot know when decoding one instruction).
  uint8_t condition = kConditionAlways;
  bool writeback = false;        // base register updated (pre/post-index, LDM!)
  bool register_offset = false;  // [Rn, Rm] addressing
  bool pc_relative = false;      // literal load [PC, #imm]
  bool fpu_double = false;       // VLDR/VSTR of a D register
  bool fpu_move_pair = false;    // VMOV between two core and two S / one D register
  uint8_t transfer_count = 0;    // registers moved by LDM/STM/PUSH/POP (core) or VLDM/VSTM/VPUSH/VPOP (S registers)
  uint16_t address_registers = 0;  // core registers (bit n = Rn) used to form the address
  uint16_t loaded_registers = 0;   // core registers a load writes with memory data
  uint16_t written_registers = 0;  // every core register written (results, writeback, LR of BL)
  int8_t dividend_register = -1, divisor_register = -1;  // SDIV/UDIV operands (core register numbers)
  bool signed_divide = false;
  uint8_t it_first_condition = 0, it_mask = 0;  // IT: firstcond and mask fields of the encoding
  std::string name;  // Capstone's instruction name ("ldr", "smlad"), for messages and statistics

  bool is_memory_access() const;
  bool conditional() const { return condition != kConditionAlways; }
};

class ThumbDecoder {
 public:
  explicit ThumbDecoder(const TimingRules& rules);
  ~ThumbDecoder();
  ThumbDecoder(const ThumbDecoder&) = delete;
  ThumbDecoder& operator=(const ThumbDecoder&) = delete;

  // Decodes the instruction at `address` from `bytes` (at least 2, up to 4
  // available). TimingError when the bytes are no valid Thumb instruction or
  // its name is in no class of the timing rules.
  DecodedInstruction decode(const uint8_t* bytes, size_t available, uint32_t address) const;

 private:
  struct Capstone;
  const TimingRules& rules_;
  std::unique_ptr<Capstone> capstone_;
};

// The conditions of the (up to four) instructions an IT instruction covers,
// in order; `count` receives how many there are.
void it_block_conditions(uint8_t first_condition, uint8_t mask, uint8_t conditions[4], int& count);

// Whether condition code `condition` passes for the APSR flags in `apsr`
// (N, Z, C, V in bits 31..28).
bool condition_passes(uint8_t condition, uint32_t apsr);

}  // namespace tinyskip::mcu
