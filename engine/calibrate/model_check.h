// How far the cost model is from the timing engine on a config's own model,
// which the calibration never saw (its fit set is generated layers,
// fit_set.h): what `tinyskip check-model` reports and ctest holds to the
// targets (configs/mcu/README.md, "How good the calibrated model is").
//
// Timed programs, on every board of the config:
//   - the exact model on the config's kernels (CMSIS-NN or the runtime) and,
//     with CMSIS-NN, the exact model on the runtime too;
//   - every level program of the measured latency table (all approximated
//     layers unpacked at one threshold level);
// and, from the measured latency table (fixed part + layer entries, the sum
// the additivity test holds to its own programs within 0.5 %), seeded random
// design points: the first `network_points` compared one by one, all
// `rank_points` ranked against the model (Spearman).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/explore/experiment.h"
#include "engine/explore/network_timer.h"
#include "mcu_model/kernel_features.h"

namespace tinyskip::engine {

struct CycleComparison {
  std::string program;  // "exact cmsis-nn", "exact runtime", "level 3", "point 2-0-4-..."
  int op_index = -1;    // -1: the whole network
  std::string kernel;   // the model's kernel type for an op ("unpacked.conv_2d"), else empty
  double measured = 0, model = 0;
  mcu::KernelFeatures features;  // an op's, as the calibrated model counts them

  double relative_error() const { return measured > 0 ? (model - measured) / measured : 0.0; }
};

struct ErrorSummary {
  int count = 0;
  double rms = 0, max_abs = 0;  // of relative errors
  std::string worst;            // what max_abs belongs to
};
ErrorSummary summarize_errors(const std::vector<CycleComparison>& comparisons);

struct BoardModelCheck {
  std::string board;
  std::vector<CycleComparison> networks;  // whole networks: timed programs, then table points
  std::vector<CycleComparison> layers;    // every op of every timed program
  int rank_points = 0;
  double spearman = 0;  // model against the table's sums over the rank points
};

struct ModelCheckOptions {
  NetworkTimer::Options timer;  // an empty cache_dir becomes work_dir/cache (programs are timed twice)
  int network_points = 10;
  int rank_points = 50;
  uint64_t seed = 1;
};

// Throws what NetworkTimer and LatencyTable throw.
std::vector<BoardModelCheck> check_cost_model(const Experiment& experiment, const ModelCheckOptions& options);

// Spearman's rank correlation (ties share their mean rank); 0 for fewer than
// two values or a constant series.
double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b);

nlohmann::ordered_json model_check_json(const std::vector<BoardModelCheck>& boards);

}  // namespace tinyskip::engine
