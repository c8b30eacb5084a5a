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

// What to generate from the winner: the winner itself, or one of the
// references it is compared with (same model, same output layout). Which
// kernel each layer gets follows from the variant and from whether a
// CMSIS-NN checkout is known (layer_kernel.h).
enum class CodegenVariant {
  kWinner,    // approximated layers unpacked with the winner's skip masks; exact layers on CMSIS-NN if known
  kUnpacked,  // the same layers unpacked, nothing skipped; exact layers likewise
  kExact,     // no unpacking: tinyskip's runtime kernels everywhere (the dependency-free baseline)
  kCmsisNn,   // no unpacking: every layer CMSIS-NN has on CMSIS-NN (the baseline users ship)
};
// "winner", "unpacked", "exact", "cmsis-nn"; anything else throws CodegenError.
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
  // --cmsis-nn / --cmsis-core: override the run config's "cmsis_nn" path /
  // core_include; empty: the config's.
  std::filesystem::path cmsis_nn_root, cmsis_core_include;
  int check_images = 1;  // the first N latency reference images (calibration split) the check program embeds
  std::filesystem::path template_dir, runtime_dir, toolchain_file;  // empty: codegen_paths.h defaults
};

struct CodegenResult {
  std::filesystem::path manifest;
  int files = 0;
  std::string model_name;
  std::string exact_kernels;  // "CMSIS-NN V.19.1.0 (<path>)" or "tinyskip runtime kernels"
  int64_t estimated_flash_bytes = 0;
  // opt level -> whole model: generated files, runtime and the CMSIS-NN it links
  std::vector<std::pair<std::string, int64_t>> measured_flash_bytes;
  int64_t board_flash_bytes = 0;
};

// Throws ConfigError (winner or run files), CodegenError (a bad variant,
// CMSIS-NN setting or image count, naming the flag or config key),
// sim::ModelError, mcu::ToolchainError with messages naming the file or tool
// at fault. Files of
// an earlier codegen run in out_dir (listed in its manifest) are replaced; the
// manifest is written last, so it only exists for a complete output.
CodegenResult run_codegen(const CodegenRequest& request);

}  // namespace tinyskip::engine
