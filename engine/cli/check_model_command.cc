// `tinyskip check-model --config C [--json F]`: the cost model (calibrated
// where the boards' coefficient files say so) against the timing engine on
// the config's own model (engine/calibrate/model_check.h): whole networks,
// per layer by kernel type, and the rank correlation over random points.
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "engine/calibrate/model_check.h"
#include "engine/cli/commands.h"
#include "engine/config/experiment_config.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/results/atomic_file.h"

namespace tinyskip::cli {
namespace {

struct CheckModelOptions {
  std::string config, json;
  engine::ModelCheckOptions check;
  int threads = 0;
};

void print_summary(const std::string& what, const engine::ErrorSummary& s) {
  fmt::print("  {:<28} n {:>4}  rms {:6.2f} %  max {:6.2f} %  ({})\n", what, s.count, 100 * s.rms, 100 * s.max_abs,
             s.worst);
}

int run_check_model(const CheckModelOptions& options) {
  const engine::ExperimentConfig config = engine::load_experiment_config(options.config);
  const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  const engine::Experiment experiment = engine::prepare_experiment(config, threads);
  engine::ModelCheckOptions check = options.check;
  if (check.timer.cache_dir.empty()) check.timer.cache_dir = config.latency.cache_dir_or(config.results_dir);
  const std::vector<engine::BoardModelCheck> boards = engine::check_cost_model(experiment, check);
  for (const engine::BoardModelCheck& board : boards) {
    fmt::print("{}: model against timing engine ({} coefficients)\n", board.board,
               experiment.boards.at(static_cast<size_t>(&board - boards.data())).coefficients.name);
    for (const engine::CycleComparison& c : board.networks)
      fmt::print("  {:<28} measured {:>12.0f}  model {:>12.0f}  {:+6.2f} %\n", c.program, c.measured, c.model,
                 100 * c.relative_error());
    print_summary("whole networks", engine::summarize_errors(board.networks));
    std::map<std::string, std::vector<engine::CycleComparison>> by_kernel;
    for (const engine::CycleComparison& c : board.layers) by_kernel[c.kernel].push_back(c);
    for (const auto& [kernel, comparisons] : by_kernel) print_summary(kernel, engine::summarize_errors(comparisons));
    fmt::print("  Spearman over {} random points: {:.4f}\n", board.rank_points, board.spearman);
  }
  if (!options.json.empty()) engine::write_file_atomically(options.json, engine::model_check_json(boards).dump(2) + "\n");
  return 0;
}

}  // namespace

Command add_check_model_command(CLI::App& app) {
  auto options = std::make_shared<CheckModelOptions>();
  // Under results/ (not committed) rather than wherever the command runs.
  options->check.timer.work_dir = engine::tinyskip_home() / "results/.check_model_work";
  CLI::App* check = app.add_subcommand(
      "check-model", "Compare the cost model with the timing engine on a config's model, on every board");
  check->add_option("--config", options->config, "experiment config")->required();
  check->add_option("--json", options->json, "also write the comparison here");
  check->add_option("--work-dir", options->check.timer.work_dir,
                    "generated programs (default: results/.check_model_work)");
  check->add_option("--cache-dir", options->check.timer.cache_dir,
                    "timing cache (default: the config's latency cache, so a run's programs are not timed again)");
  check->add_option("--points", options->check.rank_points, "random design points ranked (default: 50)");
  check->add_option("--network-points", options->check.network_points,
                    "random design points compared one by one (default: 10)");
  check->add_option("--seed", options->check.seed, "seed of the random points (default: 1)");
  check->add_option("--threads", options->threads, "significance threads (default: all cores)");
  return [options] { return run_check_model(*options); };
}

}  // namespace tinyskip::cli
