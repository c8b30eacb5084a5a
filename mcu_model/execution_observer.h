// What the emulator (arm_emulator.h) tells whoever watches a run: every
// instruction before it executes, every memory access, and the question
// "what does the cycle counter read now". The Cortex-M4 timing engine
// (cortex_m4_timing.h) is one such observer; keeping it behind this
// interface leaves the emulator free of timing rules and lets the rules be
// tested on hand-made instruction streams without an emulator.
#pragma once

#include <cstdint>

namespace tinyskip::mcu {

// The CPU state an observer may read while an instruction is about to run.
class CpuState {
 public:
  virtual ~CpuState() = default;
  virtual uint32_t core_register(int number) const = 0;  // R0..R15
  virtual uint32_t apsr() const = 0;                      // N, Z, C, V in bits 31..28
  // Copies `bytes` of memory at `address` (code to decode); false when
  // unmapped.
  virtual bool read_memory(uint32_t address, uint8_t* out, uint32_t bytes) const = 0;
};

class ExecutionObserver {
 public:
  virtual ~ExecutionObserver() = default;
  // The instruction of `size` bytes at `address` is about to execute
  // (including a conditional branch that will not be taken). An instruction
  // of an IT block that fails its condition may not be reported (Unicorn
  // does not): an observer that charges it infers it from the IT instruction
  // and the next address reported.
  virtual void on_instruction(uint32_t address, uint32_t size, const CpuState& cpu) = 0;
  // A data access by the current instruction (a load or store of `bytes`
  // at `address`; an LDM/STM reports one access per word).
  virtual void on_memory_access(uint32_t address, uint32_t bytes, bool is_write) = 0;
  // The value DWT_CYCCNT reads during the current instruction.
  virtual uint32_t cycle_counter() const = 0;
  // The run ended (the stop address or the instruction limit was reached);
  // the last instruction can be settled.
  virtual void on_run_end(uint32_t next_address) = 0;
};

}  // namespace tinyskip::mcu
