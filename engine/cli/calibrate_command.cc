// `tinyskip calibrate [--config C] [--out DIR] [--networks N] [--seed S]`:
// fits the analytic cycle model of every board of the config to the
// Cortex-M4 timing engine (engine/calibrate/calibration_job.h) and writes one
// coefficient file per board. See configs/mcu/README.md.
#include <memory>

#include <fmt/format.h>

#include "engine/calibrate/calibration_job.h"
#include "engine/cli/commands.h"
#include "engine/config/tinyskip_paths.h"

namespace tinyskip::cli {

Command add_calibrate_command(CLI::App& app) {
  auto request = std::make_shared<engine::CalibrationRequest>();
  request->config = engine::tinyskip_home() / "configs/resnet8_cifar10.json";
  request->out_dir = engine::tinyskip_home() / "configs/mcu";
  // Under results/ (not committed) rather than wherever the command runs.
  request->work_dir = engine::tinyskip_home() / "results/.calibration_work";
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "Fit the cost model's per-board kernel coefficients to the timing engine on generated layers");
  calibrate->add_option("--config", request->config,
                        "experiment config giving the boards, data, toolchain and CMSIS-NN checkout (default: "
                        "configs/resnet8_cifar10.json)");
  calibrate->add_option("--out", request->out_dir, "where the per-board coefficient files go (default: configs/mcu)");
  calibrate->add_option("--work-dir", request->work_dir, "generated programs (default: results/.calibration_work)");
  calibrate->add_option("--cache-dir", request->cache_dir, "timing cache; a re-run times nothing again (default: none)");
  calibrate->add_option("--networks", request->networks, "generated chain networks in the fit set (default: 16; plus half as many depthwise-separable ones)");
  calibrate->add_option("--seed", request->seed, "seed of the fit set (default: 1)");
  calibrate->add_option("--opt-levels", request->opt_levels,
                        "optimisation levels every program is built at, each fitted on its own (default: -Os -O2)")
      ->expected(1, 4);
  return [request] {
    const engine::CalibrationResult result = engine::run_calibration(*request);
    for (const auto& file : result.files) fmt::print("wrote {}\n", file.string());
    return 0;
  };
}

}  // namespace tinyskip::cli
