// Building and timing one generated check program: the pieces that
// `tinyskip measure` (measure_job.h) and the exploration's measured latency
// table (explore/latency_table.h) share. The program is a codegen output
// directory's cortex_m4/ project; it is built with its own Makefile at one
// optimisation level, linked for a board's memory, and run from reset to
// tinyskip_done in the Cortex-M4 emulator under the timing engine, with the
// DWT count of every embedded image's inference split by op. The first
// image's is what the exploration scores (the latency reference input); the
// others show how much an input moves the cycles.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mcu_model/board_profile.h"
#include "mcu_model/cortex_m4_timing.h"
#include "mcu_model/elf32_image.h"

namespace tinyskip::engine {

// An op of the generated model, as its manifest lists it.
struct ProgramOp {
  int op_index = -1;
  std::string op;      // "CONV_2D"
  std::string kernel;  // "unpacked", "runtime", "cmsis-nn"
};

struct OpTiming {
  int op_index = -1;
  std::string op;
  std::string kernel;
  uint64_t cycles = 0;  // from the op function's entry to the next op's (call glue included)
};

// One image's inference.
struct InferenceTiming {
  uint64_t cycles = 0;         // DWT cycles of model_<name>_invoke (tinyskip_image_cycles[image])
  std::vector<OpTiming> ops;   // the ops given to time_check_program, in execution order
};

struct BoardTiming {
  std::string board;
  int64_t clock_hz = 0;
  bool fits = false;           // the program links into the board's flash and RAM; nothing below is set otherwise
  uint64_t cycles = 0;         // DWT cycles of the first image's inference
  double milliseconds = 0;
  uint64_t instructions = 0;   // whole emulated run, reset to tinyskip_done
  bool output_matches = false; // the check program's tinyskip_result == 0
  double emulation_seconds = 0;
  std::vector<OpTiming> ops;   // the first image's
  // Every image the program checks, in order (images[0] is cycles and ops
  // above). A program generated before per-image counts were kept holds the
  // first image only.
  std::vector<InferenceTiming> images;
  mcu::TimingStatistics timing;
  mcu::FlashStatistics flash;
};

// Builds the project in `dir` at `opt_level` and links it for `board`: the
// objects go to one build directory per level (levels must not mix, boards
// share them), each board gets its own linker script and ELF. nullopt when
// the program does not fit the board's flash or RAM. CodegenError naming the
// directory, level and board when make fails otherwise.
std::optional<std::filesystem::path> build_check_program(const std::filesystem::path& dir,
                                                         const std::string& model_name,
                                                         const std::string& opt_level,
                                                         const mcu::BoardProfile& board);

// Runs the built program on `board` under the timing engine. EmulatorError
// when it does not reach tinyskip_done within `instruction_limit`.
BoardTiming time_check_program(const mcu::Elf32Image& image, const mcu::BoardProfile& board,
                               const std::string& model_name, const std::vector<ProgramOp>& ops,
                               uint64_t instruction_limit);

}  // namespace tinyskip::engine
