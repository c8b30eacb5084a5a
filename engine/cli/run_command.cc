// `tinyskip run CONFIG`: one exploration, as the experiment config describes.
// Ctrl-C stops after the current batch with every finished point saved;
// `--resume` continues without re-evaluating them.
#include <csignal>

#include <spdlog/spdlog.h>

#include "engine/cli/commands.h"
#include "engine/explore/exploration.h"

namespace tinyskip::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void request_stop(int) { g_stop.store(true); }

struct RunOptions {
  std::string config;
  engine::ExplorationOptions exploration;
};

}  // namespace

Command add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Explore an experiment (configs/<experiment>.json)");
  run->add_option("config", options->config, "Experiment config JSON")->required();
  run->add_flag("--resume", options->exploration.resume, "Continue an interrupted run (the latest, or --run-id)");
  run->add_option("--run-id", options->exploration.run_id, "Name of the run directory under results/<experiment>/");
  run->add_option("--threads", options->exploration.threads, "Worker threads (overrides the config)")
      ->check(CLI::NonNegativeNumber);
  return [options] {
    const engine::ExperimentConfig config = engine::load_experiment_config(options->config);
    options->exploration.stop = &g_stop;
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const engine::ExplorationSummary summary = engine::run_exploration(config, options->exploration);
    return summary.stopped ? 130 : 0;
  };
}

}  // namespace tinyskip::cli
