// Timing tests on hand-written Thumb-2: a test's assembly is assembled and
// linked at test time with the real binutils (arm-none-eabi-as/-ld) into a
// bare-metal program, run from reset in the emulator under the Cortex-M4
// timing engine, and the cycles between two of its labels are compared with
// a count derived by hand from the rules (timing_rules.h,
// configs/mcu/cortex_m4_timing.json, flash_interface.h). LLVM's Cortex-M4
// scheduling model (llvm-mca) gives a second opinion on straight-line
// blocks.
//
// The program around a test's assembly: a vector table (initial SP, reset),
// the reset handler, which is the test's assembly, then the function `done`
// where the run stops. Sections a test may use: .text (flash, with the
// code), .ram_code (code linked and loaded in SRAM), .data and .bss (SRAM).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mcu_model/arm_emulator.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cortex_m4_timing.h"
#include "mcu_model/elf32_image.h"
#include "mcu_model/subprocess.h"
#include "mcu_test_support.h"
#include "tests/test_files.h"

namespace tinyskip::mcu::testing {

// --- boards ------------------------------------------------------------------

// Zero wait states and code_placement "sram": only the core's rules count.
inline BoardProfile core_rules_board() { return make_board(coefficient_json({})); }

// Code fetched from flash (code_placement "flash") with `wait_states` and
// the F401's interface otherwise (16-byte fetch units, 64 x 16 B I-cache,
// 8 x 16 B D-cache); `overrides` change any other profile field.
inline BoardProfile flash_board(int wait_states, bool prefetch, nlohmann::json overrides = nlohmann::json::object()) {
  overrides["flash_wait_states"] = wait_states;
  overrides["prefetch"] = prefetch;
  overrides["code_placement"] = "flash";
  return make_board(coefficient_json({}), overrides);
}

// --- assembling --------------------------------------------------------------

inline ProcessResult run_tool(const std::vector<std::string>& argv) {
  ProcessResult result = run_process(argv);
  INFO(argv[0] << ": " << result.start_error << result.err);
  REQUIRE(result.started);
  REQUIRE(result.exit_code == 0);
  return result;
}

// The program around `body` (see the file comment).
inline std::string program_source(const std::string& body) {
  return "  .syntax unified\n"
         "  .cpu cortex-m4\n"
         "  .fpu fpv4-sp-d16\n"
         "  .thumb\n"
         "  .section .vectors, \"a\"\n"
         "  .word __stack_top\n"
         "  .word reset\n"
         "  .text\n"
         "  .balign 64\n"  // a fetch-unit and cache-line boundary whatever the profile
         "  .global reset\n"
         "  .type reset, %function\n"
         "  .thumb_func\n"
         "reset:\n" +
         body +
         "\n  .text\n"
         "  .balign 4\n"
         "  .global done\n"
         "  .type done, %function\n"
         "  .thumb_func\n"
         "done:\n"
         "  b done\n"
         "  .ltorg\n";
}

// RAM and flash as on the smallest shipped part (F401), so that one script
// fits every profile; data and SRAM code are linked where they are loaded.
inline const char* kLinkerScript = R"(
MEMORY {
  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 512K
  RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 96K
}
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text*) *(.rodata*) } > FLASH
  .ram_code : { *(.ram_code*) } > RAM
  .data : { *(.data*) } > RAM
  .bss (NOLOAD) : { *(.bss*) *(COMMON) } > RAM
  __stack_top = ORIGIN(RAM) + LENGTH(RAM);
}
)";

inline Elf32Image assemble_program(const std::string& body) {
  const test::TempDir dir;
  test::write_text(dir.path() / "program.s", program_source(body));
  test::write_text(dir.path() / "program.ld", kLinkerScript);
  const std::string object = (dir.path() / "program.o").string(), elf = (dir.path() / "program.elf").string();
  run_tool({"arm-none-eabi-as", "-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mthumb", "-o", object,
            (dir.path() / "program.s").string()});
  run_tool({"arm-none-eabi-ld", "-T", (dir.path() / "program.ld").string(), "-o", elf, object});
  return read_elf32_arm(elf);
}

// --- timed runs --------------------------------------------------------------

// One run of an assembled program under the timing engine, with a mark on
// every given label.
class TimedRun {
 public:
  TimedRun(const std::string& body, const BoardProfile& board, const std::vector<std::string>& labels = {"start", "end"})
      : board_(std::make_unique<BoardProfile>(board)), timing_(std::make_unique<CortexM4Timing>(*board_)) {
    Elf32Image image = assemble_program(body);
    for (const std::string& label : labels) timing_->mark(image.symbol(label).address);
    emulator_ = std::make_unique<ArmEmulator>(std::move(image), emulated_memory(*board_));
    const EmulatorRun run = emulator_->run_from_reset("done", 1'000'000, timing_.get());
    REQUIRE(run.reached_stop);
  }

  uint32_t address(const std::string& label) const { return emulator_->image().symbol(label).address; }

  // The cycle of every arrival at `label`, in order.
  std::vector<uint64_t> arrivals(const std::string& label) const {
    std::vector<uint64_t> cycles;
    for (const TimingMark& mark : timing_->marks())
      if (mark.address == address(label)) cycles.push_back(mark.cycle);
    return cycles;
  }

  // Cycles from the `occurrence`-th arrival at `from` to the next arrival at `to`.
  uint64_t cycles(const std::string& from = "start", const std::string& to = "end", size_t occurrence = 0) const {
    const std::vector<uint64_t> starts = arrivals(from), ends = arrivals(to);
    REQUIRE(occurrence < starts.size());
    for (uint64_t end : ends)
      if (end >= starts[occurrence] && (from != to || end > starts[occurrence])) return end - starts[occurrence];
    FAIL("execution never reached '" << to << "' after '" << from << "'");
    return 0;
  }

  uint32_t read_u32(const std::string& symbol) const { return emulator_->read_u32(symbol); }
  const CortexM4Timing& timing() const { return *timing_; }

 private:
  std::unique_ptr<BoardProfile> board_;  // the engine keeps a reference: owned here
  std::unique_ptr<CortexM4Timing> timing_;
  std::unique_ptr<ArmEmulator> emulator_;
};

// Cycles from `start` to `end` of `body` on `board`.
inline uint64_t cycles_from_start_to_end(const std::string& body, const BoardProfile& board) {
  return TimedRun(body, board).cycles();
}

// --- second opinion ----------------------------------------------------------

// llvm-mca's count for one pass over a straight-line `block` on its
// Cortex-M4 model, comparable with the engine's, or nothing when llvm-mca is
// not installed. llvm-mca's "Total Cycles" run from the dispatch of the
// first instruction to the write-back of the last, one more than the cycles
// the block occupies the execute stage (N single-cycle instructions report
// N + 1; the test "timing llvm-mca: the block overhead is one cycle" holds this),
// so the count returned is Total Cycles - 1.
inline std::optional<int64_t> llvm_mca_cycles(const std::string& block) {
  const test::TempDir dir;
  test::write_text(dir.path() / "block.s", "  .syntax unified\n  .thumb\n" + block + "\n");
  const ProcessResult result = run_process({"llvm-mca", "-mtriple=thumbv7em-none-eabi", "-mcpu=cortex-m4",
                                            "-iterations=1", (dir.path() / "block.s").string()});
  if (!result.started) return std::nullopt;
  INFO("llvm-mca: " << result.err);
  REQUIRE(result.exit_code == 0);
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    const std::string key = "Total Cycles:";
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size())) - 1;
  }
  FAIL("llvm-mca printed no 'Total Cycles' line:\n" << result.out);
  return std::nullopt;
}

}  // namespace tinyskip::mcu::testing
