// `tinyskip codegen`: from a winners/<budget>.json of a finished run to a
// directory a Cortex-M4 project can use -- the whole network as C
// (model_source.h), a bare-metal check program (bare_metal.h) and a
// manifest.json saying what was generated: per-layer kept and skipped MACs,
// constants, the cycle model's estimate and the flash the cross-compiler
// actually produced for every file at each optimisation level.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tinyskip::engine {

// What to generate from the winner: the winner itself, or one of the two
// references it is compared with (same model, same output layout).
enum class CodegenVariant {
  kWinner,    // approximated layers unpacked with the winner's skip masks
  kUnpacked,  // the same layers unpacked, nothing skipped
  kExact,     // no unpacking: runtime (CMSIS-NN algorithm) kernels everywhere
};
// "winner", "unpacked", "exact"; anything else throws CodegenError.
CodegenVariant parse_codegen_variant(const std::string& name);
const char* codegen_variant_name(CodegenVariant variant);

struct CodegenRequest {
  std::filesystem::path winner_file;
  std::filesystem::path out_dir;
  std::string model_name;  // C identifier; empty: derived from the experiment name
  CodegenVariant variant = CodegenVariant::kWinner;
  bool measure_flash = true;
  std::vector<std::string> opt_levels = {"-Os", "-O2"};
  bool force = false;  // write into a non-empty directory that is not an earlier codegen output
  int threads = 0;     // 0: all hardware threads
  std::filesystem::path template_dir, runtime_dir, toolchain_file;  // empty: codegen_paths.h defaults
};

struct CodegenResult {
  std::filesystem::path manifest;
  int files = 0;
  std::string model_name;
  int64_t estimated_flash_bytes = 0;
  std::vector<std::pair<std::string, int64_t>> measured_flash_bytes;  // opt level -> whole model + runtime
  int64_t board_flash_bytes = 0;
};

// Throws ConfigError (winner or run files), CodegenError, sim::ModelError,
// mcu::ToolchainError with messages naming the file or tool at fault. Files of
// an earlier codegen run in out_dir (listed in its manifest) are replaced; the
// manifest is written last, so it only exists for a complete output.
CodegenResult run_codegen(const CodegenRequest& request);

}  // namespace tinyskip::engine
