// Reading a winners/<budget>.json file back (the code generator's input; the
// format is documented in results/README.md and written by result_files.h).
// Only what code generation needs is read, strictly: a wrong format tag, a
// missing key or a malformed mask is a ConfigError naming the file and key.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/report/score.h"

#include "engine/config/experiment_config.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct WinnerLayer {
  int op_index = -1;
  std::string name;
  double threshold = 0;
  int64_t macs = 0;
  int64_t skipped_macs = 0;
  sim::WeightMask mask;  // decoded, one entry per filter weight
  bool unpacked = true;  // false: kept on the exact library kernel ("not unpacked" level)
};

struct WinnerFile {
  std::filesystem::path file;
  std::string experiment, run_id, primary_board;
  std::filesystem::path model;
  std::string model_hash;  // FNV-1a 64 hex of the model file
  ScoreKind score = ScoreKind::kTop1;  // absent in older files: top1
  double budget = 0;                   // under budget_key(score), e.g. accuracy_loss_budget_pp
  double budget_measure = 0;           // under budget_measure_key(score), e.g. accuracy_loss_pp
  nlohmann::json point;  // as written, for the manifest
  std::vector<WinnerLayer> layers;

  sim::MaskSet masks() const;
};

WinnerFile read_winner_file(const std::filesystem::path& file);

// The run a winner belongs to: the resolved config in the run.json beside
// its winners/ directory. The config's "cmsis_nn" is taken out before the
// strict parse and left to the caller that uses it, so that a checkout that
// moved since the run can be replaced (codegen --cmsis-nn) instead of making
// the run unreadable. ConfigError when run.json is missing or is not a
// tinyskip run record.
struct WinnerRun {
  std::filesystem::path file;  // run.json
  ExperimentConfig config;     // without cmsis_nn
  nlohmann::json cmsis_nn;     // the config's "cmsis_nn" as written; null when it has none
};
WinnerRun read_winner_run(const WinnerFile& winner);

}  // namespace tinyskip::engine
