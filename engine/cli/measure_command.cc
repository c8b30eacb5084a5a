// `tinyskip measure TARGET... [--variant V ...] [--board PROFILE ...]`:
// cycle-level latency of generated code on each board (engine/measure).
#include <fmt/format.h>

#include "engine/cli/commands.h"
#include "engine/measure/measure_job.h"
#include "engine/results/atomic_file.h"

namespace tinyskip::cli {
namespace {

std::string thousands(uint64_t value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void print_summary(const std::vector<engine::VariantMeasurement>& measurements, const std::string& opt_level) {
  fmt::print("{:<10} {:<18} {:<15} {:>14} {:>10} {:>8} {:>12}  {}\n", "variant", "exact kernels", "board",
             "cycles", "ms", "cyc/MAC", "flash " + opt_level, "output");
  for (const engine::VariantMeasurement& m : measurements)
    for (const engine::BoardTiming& b : m.boards)
      if (!b.fits)
        fmt::print("{:<10} {:<18} {:<15} {:>14} {:>10} {:>8} {:>12}  {}\n", m.variant, m.exact_kernels, b.board, "-",
                   "-", "-", m.flash_bytes >= 0 ? thousands(static_cast<uint64_t>(m.flash_bytes)) + " B" : "-",
                   "does not fit the board");
      else
        fmt::print("{:<10} {:<18} {:<15} {:>14} {:>10.2f} {:>8.2f} {:>12}  {}\n", m.variant, m.exact_kernels, b.board,
                 thousands(b.cycles), b.milliseconds,
                 m.macs > 0 ? static_cast<double>(b.cycles) / static_cast<double>(m.macs) : 0.0,
                 m.flash_bytes >= 0 ? thousands(static_cast<uint64_t>(m.flash_bytes)) + " B" : "-",
                 b.output_matches ? "matches simulator" : "DIFFERS FROM SIMULATOR");
}

void print_ops(const engine::VariantMeasurement& m, const engine::BoardTiming& b) {
  fmt::print("\n{} ({}) on {}: {} cycles\n", m.dir.string(), m.variant, b.board, thousands(b.cycles));
  fmt::print("  {:>3} {:<18} {:<10} {:>12} {:>9} {:>6}\n", "op", "type", "kernel", "cycles", "ms", "share");
  for (const engine::OpTiming& op : b.ops)
    fmt::print("  {:>3} {:<18} {:<10} {:>12} {:>9.3f} {:>5.1f}%\n", op.op_index, op.op, op.kernel,
               thousands(op.cycles), static_cast<double>(op.cycles) * 1000.0 / static_cast<double>(b.clock_hz),
               b.cycles > 0 ? 100.0 * static_cast<double>(op.cycles) / static_cast<double>(b.cycles) : 0.0);
}

}  // namespace

Command add_measure_command(CLI::App& app) {
  auto request = std::make_shared<engine::MeasureRequest>();
  auto json_file = std::make_shared<std::string>();
  auto per_op = std::make_shared<bool>(false);
  auto targets = std::make_shared<std::vector<std::string>>();
  auto boards = std::make_shared<std::vector<std::string>>();
  auto variants = std::make_shared<std::vector<std::string>>();
  auto work_dir = std::make_shared<std::string>();
  CLI::App* measure = app.add_subcommand(
      "measure", "Cycle-level Cortex-M4 latency of generated code (timed emulation), per op and per board");
  measure->add_option("targets", *targets, "codegen output directories or winners/<budget>.json files")
      ->required()
      ->check(CLI::ExistingPath);
  measure->add_option("--variant", *variants,
                      "For a winner file: variants to generate and measure side by side (repeatable; default winner)");
  measure->add_option("--board", *boards, "Board profile (repeatable; default: the boards of the winner's run)")
      ->check(CLI::ExistingFile);
  measure->add_option("--opt", request->opt_level, "Optimisation level of the build")->capture_default_str();
  measure->add_option("--work", *work_dir, "Where winner variants are generated (default <run>/measure/)");
  measure->add_option("--cmsis-nn", request->cmsis_nn_root,
                      "CMSIS-NN checkout for generated variants (default: the run config's cmsis_nn.path)");
  measure->add_option("--cmsis-core", request->cmsis_core_include,
                      "CMSIS-Core Include directory (default: the run config's cmsis_nn.core_include)");
  measure->add_option("--json", *json_file, "Also write the measurements as JSON to this file");
  measure->add_flag("--per-op", *per_op, "Print the cycles of every op on every board");
  return [=] {
    for (const std::string& target : *targets) request->targets.emplace_back(target);
    for (const std::string& board : *boards) request->boards.emplace_back(board);
    if (!variants->empty()) request->variants = *variants;
    request->work_dir = *work_dir;
    const std::vector<engine::VariantMeasurement> measurements = engine::run_measure(*request);
    print_summary(measurements, request->opt_level);
    if (*per_op)
      for (const engine::VariantMeasurement& m : measurements)
        for (const engine::BoardTiming& b : m.boards)
          if (b.fits) print_ops(m, b);
    if (!json_file->empty())
      engine::write_file_atomically(*json_file, engine::measurement_json(measurements, request->opt_level).dump(2) + "\n");
    bool all_match = true;
    for (const engine::VariantMeasurement& m : measurements)
      for (const engine::BoardTiming& b : m.boards) all_match = all_match && (!b.fits || b.output_matches);
    return all_match ? 0 : 1;
  };
}

}  // namespace tinyskip::cli
