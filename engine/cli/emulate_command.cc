// `tinyskip emulate ELF`: runs the bare-metal check program that `tinyskip
// codegen` generates (cortex_m4/, built with its Makefile) in the
// instruction-level Cortex-M4 emulator and reports whether the generated
// model reproduced the simulator's output for the embedded test image.
#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "mcu_model/arm_emulator.h"

namespace tinyskip::cli {

Command add_emulate_command(CLI::App& app) {
  auto elf = std::make_shared<std::string>();
  auto limit = std::make_shared<uint64_t>(4'000'000'000ull);
  CLI::App* emulate = app.add_subcommand(
      "emulate", "Run a generated bare-metal check program (ELF) in the Cortex-M4 emulator");
  emulate->add_option("elf", *elf, "cortex_m4/build/model_<name>_<board>.elf")->required()->check(CLI::ExistingFile);
  emulate->add_option("--limit", *limit, "Stop after this many instructions")->capture_default_str();
  return [elf, limit] {
    mcu::ArmEmulator emulator(mcu::read_elf32_arm(*elf));
    const mcu::EmulatorRun run = emulator.run_from_reset("tinyskip_done", *limit);
    if (!run.reached_stop) {
      fmt::print("{}: did not reach tinyskip_done within {} instructions (pc 0x{:08x})\n", *elf, run.instructions,
                 run.pc);
      return 2;
    }
    const int32_t result = emulator.read_i32("tinyskip_result");
    const char* meaning = result == 0 ? "output matches the simulator" : result == 1 ? "OUTPUT DIFFERS from the simulator"
                                                                                    : "the model returned an error";
    fmt::print("{}: {} ({} instructions executed)\n", *elf, meaning, run.instructions);
    return result == 0 ? 0 : 1;
  };
}

}  // namespace tinyskip::cli
