// Speed of timed emulation: a bare-metal check program (an ELF that
// `tinyskip codegen` + make produced, or any program with a tinyskip_done
// function) run in the Cortex-M4 emulator without an observer and with the
// cycle-level timing engine, in the same process. Prints emulated
// instructions per second for both and their ratio; the target is at
// least 20 million instructions per second with timing on.
//
//   bench_timing ELF BOARD_PROFILE [repetitions, default 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mcu_model/arm_emulator.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cortex_m4_timing.h"

namespace tinyskip::mcu {
namespace {

// Best of `repetitions` runs (the least disturbed by other work on the machine).
double best_seconds(const Elf32Image& image, const BoardProfile& board, bool timed, int repetitions,
                    uint64_t& instructions, uint64_t& cycles) {
  double best = 1e30;
  for (int i = 0; i < repetitions; ++i) {
    ArmEmulator emulator(image, emulated_memory(board));
    CortexM4Timing timing(board);
    const auto start = std::chrono::steady_clock::now();
    const EmulatorRun run = emulator.run_from_reset("tinyskip_done", 8'000'000'000ull, timed ? &timing : nullptr);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    instructions = run.instructions;
    cycles = timing.cycles();
  }
  return best;
}

}  // namespace
}  // namespace tinyskip::mcu

int main(int argc, char** argv) {
  using namespace tinyskip::mcu;
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_timing ELF BOARD_PROFILE [repetitions]\n");
    return 2;
  }
  const int repetitions = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
  try {
    const Elf32Image image = read_elf32_arm(argv[1]);
    const BoardProfile board = load_board_profile(argv[2]);
    uint64_t instructions = 0, cycles = 0;
    const double plain = best_seconds(image, board, false, repetitions, instructions, cycles);
    const double timed = best_seconds(image, board, true, repetitions, instructions, cycles);
    std::printf("%s on %s: %llu instructions, %llu cycles (CPI %.2f)\n", argv[1], board.name.c_str(),
                static_cast<unsigned long long>(instructions), static_cast<unsigned long long>(cycles),
                static_cast<double>(cycles) / static_cast<double>(instructions));
    std::printf("untimed: %.3f s, %.1f M instructions/s\n", plain, static_cast<double>(instructions) / plain / 1e6);
    std::printf("timed:   %.3f s, %.1f M instructions/s (%.2fx the untimed time)\n", timed,
                static_cast<double>(instructions) / timed / 1e6, timed / plain);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_timing: %s\n", error.what());
    return 1;
  }
  return 0;
}
