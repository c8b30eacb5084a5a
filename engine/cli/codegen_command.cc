// `tinyskip codegen WINNER --out DIR`: deployable C for a winning config (see
// engine/codegen/codegen_job.h for what is generated and measured).
#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "engine/codegen/codegen_job.h"

namespace tinyskip::cli {

Command add_codegen_command(CLI::App& app) {
  auto request = std::make_shared<engine::CodegenRequest>();
  auto no_flash = std::make_shared<bool>(false);
  auto variant = std::make_shared<std::string>("winner");
  CLI::App* codegen = app.add_subcommand(
      "codegen", "Generate the C code of a winning config (model, bare-metal check program, manifest)");
  codegen->add_option("winner", request->winner_file, "results/<experiment>/<run>/winners/<budget>.json")
      ->required()
      ->check(CLI::ExistingFile);
  codegen->add_option("--out", request->out_dir, "Output directory (created; an earlier codegen output is replaced)")
      ->required();
  codegen->add_option("--name", request->model_name, "C name of the model (default: the experiment name)");
  codegen->add_option("--variant", *variant,
                      "winner: as the winner; unpacked: its layers unpacked, nothing skipped (both with exact "
                      "layers on CMSIS-NN when a checkout is known); exact: tinyskip runtime kernels only; "
                      "cmsis-nn: the exact model on CMSIS-NN")
      ->check(CLI::IsMember({"winner", "unpacked", "exact", "cmsis-nn"}))
      ->capture_default_str();
  codegen->add_option("--cmsis-nn", request->cmsis_nn_root,
                      "CMSIS-NN checkout (Include/, Source/) for the exact layers; overrides the config's "
                      "cmsis_nn.path");
  codegen->add_option("--cmsis-core", request->cmsis_core_include,
                      "CMSIS-Core Include/ directory, for CMSIS-NN releases that need it; overrides "
                      "cmsis_nn.core_include");
  codegen->add_option("--check-images", request->check_images,
                      "Images the check program runs and compares: the first N of the run's calibration split (the latency reference input)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  codegen->add_option("--opt", request->opt_levels, "Optimisation levels to measure flash at")
      ->capture_default_str();
  codegen->add_flag("--no-flash", *no_flash, "Do not cross-compile to measure flash (no arm-none-eabi-gcc needed)");
  codegen->add_flag("--force", request->force, "Write into a non-empty directory that is not a codegen output");
  codegen->add_option("--threads", request->threads, "Compiler processes (0: all cores)");
  return [request, no_flash, variant] {
    request->measure_flash = !*no_flash;
    request->variant = engine::parse_codegen_variant(*variant);
    const engine::CodegenResult result = engine::run_codegen(*request);
    fmt::print("model_{}: {} files in {}\n", result.model_name, result.files, request->out_dir.string());
    fmt::print("exact layers: {}\n", result.exact_kernels);
    fmt::print("flash: estimated {} bytes", result.estimated_flash_bytes);
    for (const auto& [level, bytes] : result.measured_flash_bytes) fmt::print(", measured {} {} bytes", level, bytes);
    fmt::print(" (board has {})\nmanifest: {}\n", result.board_flash_bytes, result.manifest.string());
    return 0;
  };
}

}  // namespace tinyskip::cli
