// One exploration run end to end: prepare the experiment, measure the exact
// reference, search the design space, re-score the front on the held-out
// report split, pick the winner of every accuracy-loss budget and write the
// run directory (engine/results/run_store.h).
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "engine/config/experiment_config.h"

namespace tinyskip::engine {

struct ExplorationOptions {
  std::string run_id;   // empty: a new timestamped run (or, with resume, the latest)
  bool resume = false;  // continue an interrupted run without re-evaluating its points
  int threads = 0;      // 0: the config's value (0 there: all cores)
  std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the current batch
};

struct ExplorationSummary {
  std::filesystem::path run_dir;
  int64_t evaluations = 0;
  int front_size = 0;
  bool stopped = false;
};

ExplorationSummary run_exploration(const ExperimentConfig& config, const ExplorationOptions& options);

}  // namespace tinyskip::engine
