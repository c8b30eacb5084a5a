// `tinyskip measure`: the latency of generated code as a board would show it.
// For each target -- a `tinyskip codegen` output directory, or a winner file
// from which the requested variants are generated first -- it builds the
// bare-metal check program with the Makefile codegen wrote, runs it in the
// Cortex-M4 emulator under the timing engine (mcu_model/cortex_m4_timing.h)
// for every board profile, and reports the DWT cycle count of the inference
// (what `tinyskip_cycles` holds on the chip), split by op, with the check
// program's verdict that the output matches the simulator's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/measure/timed_program.h"

namespace tinyskip::engine {

struct MeasureRequest {
  std::vector<std::filesystem::path> targets;  // codegen output directories or winners/<budget>.json files
  // For winner-file targets: the codegen variants to generate and measure
  // side by side (codegen_job.h names).
  std::vector<std::string> variants = {"winner"};
  std::vector<std::filesystem::path> boards;  // board profiles; empty: the boards of the winner's run
  std::string opt_level = "-Os";
  std::filesystem::path work_dir;  // where winner variants are generated; empty: <run>/measure/
  // Passed to codegen (--cmsis-nn / --cmsis-core); empty: the run config's.
  std::filesystem::path cmsis_nn_root, cmsis_core_include;
  uint64_t instruction_limit = 4'000'000'000ull;
};

struct VariantMeasurement {
  std::filesystem::path dir;   // the codegen output directory
  std::string variant;         // from its manifest
  std::string model_name;
  int64_t macs = 0;            // nominal MACs of the model
  int64_t kept_macs = 0;
  std::string exact_kernels;   // what runs the exact layers: "runtime" or "cmsis-nn <release>"
  int64_t flash_bytes = -1;    // the manifest's measured total at the opt level; -1 if not measured
  std::vector<BoardTiming> boards;
};

// Throws CodegenError / ConfigError / mcu::ProfileError / mcu::EmulatorError
// / mcu::TimingError with messages naming the directory, file or board.
std::vector<VariantMeasurement> run_measure(const MeasureRequest& request);

nlohmann::ordered_json measurement_json(const std::vector<VariantMeasurement>& measurements,
                                        const std::string& opt_level);

}  // namespace tinyskip::engine
