// `tinyskip emulate ELF [--board PROFILE]`: runs the bare-metal check program
// that `tinyskip codegen` generates (cortex_m4/, built with its Makefile) in
// the instruction-level Cortex-M4 emulator and reports whether the generated
// model reproduced the simulator's output for every embedded test image; with
// a board profile the run is timed cycle by cycle (mcu_model/cortex_m4_timing.h)
// and the DWT count of the inference is printed.
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "mcu_model/arm_emulator.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cortex_m4_timing.h"

namespace tinyskip::cli {

Command add_emulate_command(CLI::App& app) {
  auto elf = std::make_shared<std::string>();
  auto board_file = std::make_shared<std::string>();
  auto limit = std::make_shared<uint64_t>(4'000'000'000ull);
  CLI::App* emulate = app.add_subcommand(
      "emulate", "Run a generated bare-metal check program (ELF) in the Cortex-M4 emulator");
  emulate->add_option("elf", *elf, "cortex_m4/build/model_<name>_<board>.elf")->required()->check(CLI::ExistingFile);
  emulate->add_option("--board", *board_file, "Board profile (configs/mcu/*.json): time the run cycle by cycle")
      ->check(CLI::ExistingFile);
  emulate->add_option("--limit", *limit, "Stop after this many instructions")->capture_default_str();
  return [elf, board_file, limit] {
    std::optional<mcu::BoardProfile> board;
    if (!board_file->empty()) board = mcu::load_board_profile(*board_file);
    mcu::ArmEmulator emulator(mcu::read_elf32_arm(*elf), board ? mcu::emulated_memory(*board) : mcu::EmulatedMemory{});
    std::optional<mcu::CortexM4Timing> timing;
    if (board) timing.emplace(*board);
    const auto start = std::chrono::steady_clock::now();
    const mcu::EmulatorRun run = emulator.run_from_reset("tinyskip_done", *limit, timing ? &*timing : nullptr);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!run.reached_stop) {
      fmt::print("{}: did not reach tinyskip_done within {} instructions (pc 0x{:08x})\n", *elf, run.instructions,
                 run.pc);
      return 2;
    }
    const int32_t result = emulator.read_i32("tinyskip_result");
    const char* meaning = result == 0 ? "output matches the simulator" : result == 1 ? "OUTPUT DIFFERS from the simulator"
                                                                                    : "the model returned an error";
    fmt::print("{}: {} ({} instructions executed, {:.1f} M/s)\n", *elf, meaning, run.instructions,
               run.instructions / seconds / 1e6);
    // Check programs embedding several images count the ones that failed
    // (programs generated before that have one image and no counters).
    const auto& symbols = emulator.image().symbols;
    if (symbols.count("tinyskip_mismatches") != 0 && symbols.count("tinyskip_images") != 0)
      fmt::print("{}: {} of {} images differ or failed{}\n", *elf, emulator.read_i32("tinyskip_mismatches"),
                 emulator.read_i32("tinyskip_images"),
                 result == 0 ? "" : fmt::format(" (first: image {})", emulator.read_i32("tinyskip_first_mismatch")));
    if (timing) {
      const uint32_t cycles = emulator.read_u32("tinyskip_cycles");
      fmt::print("{}: inference {} cycles = {:.2f} ms at {} MHz (whole run {} cycles)\n", board->name, cycles,
                 board->milliseconds(cycles), board->clock_hz / 1000000, timing->cycles());
    }
    return result == 0 ? 0 : 1;
  };
}

}  // namespace tinyskip::cli
