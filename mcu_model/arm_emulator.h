// Runs a bare-metal Cortex-M4 ELF (such as the generated check program of
// engine/codegen/bare_metal.h) in the Unicorn CPU emulator: the loadable
// segments are written to emulated flash and RAM, the CPU starts from the
// reset vector like the real part, and the run stops when the PC reaches a
// given function or after an instruction limit. Afterwards globals can be read
// by symbol name. It checks that the code computes the right result on a
// Cortex-M4 instruction set. Timing is not its business: an
// ExecutionObserver (execution_observer.h), such as the Cortex-M4 timing
// engine, can watch a run instruction by instruction and then answers the
// DWT cycle counter.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mcu_model/elf32_image.h"
#include "mcu_model/execution_observer.h"

namespace tinyskip::mcu {

// The emulator could not be set up or the program faulted (unmapped access,
// invalid instruction); the message says what and where.
class EmulatorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MemoryRegion {
  std::string name;  // for messages
  uint32_t origin = 0;
  uint32_t bytes = 0;
};

// STM32F4-style memory map by default; the vector table is read at the flash
// origin.
struct EmulatedMemory {
  MemoryRegion flash{"flash", 0x08000000u, 512u * 1024u};
  MemoryRegion ram{"RAM", 0x20000000u, 96u * 1024u};
};

struct BoardProfile;
// The memory map of a board profile's part.
EmulatedMemory emulated_memory(const BoardProfile& board);

struct EmulatorRun {
  bool reached_stop = false;  // the PC reached the stop symbol (else the instruction limit ended the run)
  uint64_t instructions = 0;  // instructions executed from reset
  uint32_t pc = 0;            // where the run ended
};

class ArmEmulator {
 public:
  // Maps the memory and loads every segment of `image` at its load address;
  // EmulatorError when a segment lies outside flash and RAM or Unicorn cannot
  // provide a Cortex-M4.
  ArmEmulator(Elf32Image image, const EmulatedMemory& memory = {});
  ~ArmEmulator();
  ArmEmulator(const ArmEmulator&) = delete;
  ArmEmulator& operator=(const ArmEmulator&) = delete;

  // Runs from reset (SP and PC from the vector table) until the PC reaches
  // function `stop_symbol` or `instruction_limit` instructions have run.
  // The system control space (0xE0000000-0xE00FFFFF) is plain memory, so the
  // start-up code's CPACR write and the DWT set-up do not fault. DWT_CYCCNT
  // reads what `observer` says, or without one the number of instructions
  // executed so far. The observer sees every instruction and every access
  // to flash and RAM of this run.
  EmulatorRun run_from_reset(const std::string& stop_symbol, uint64_t instruction_limit,
                             ExecutionObserver* observer = nullptr);

  std::vector<uint8_t> read_memory(uint32_t address, uint32_t size) const;
  // The 32-bit little-endian value of global `symbol`; ElfError when the
  // symbol is missing, EmulatorError when it is smaller than 4 bytes.
  uint32_t read_u32(const std::string& symbol) const;
  int32_t read_i32(const std::string& symbol) const { return static_cast<int32_t>(read_u32(symbol)); }

  const Elf32Image& image() const { return image_; }

 private:
  struct Engine;
  Elf32Image image_;
  EmulatedMemory memory_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace tinyskip::mcu
