#include "engine/calibrate/model_check.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "engine/calibrate/calibration_job.h"
#include "engine/config/estimate_options.h"
#include "engine/explore/latency_table.h"
#include "mcu_model/kernel_features.h"

namespace tinyskip::engine {
namespace {

// Times one program and compares it with the model, whole and per op (with
// the op's features, which say why the model prices it as it does).
void compare_program(const Experiment& experiment, NetworkTimer& timer, const std::string& name,
                     const sim::MaskSet& masks, const std::set<int>& unpacked_ops,
                     std::vector<BoardModelCheck>& checks) {
  std::string label = name;
  std::replace(label.begin(), label.end(), ' ', '_');
  const std::vector<NetworkCycles> timed = timer.time(masks, unpacked_ops, label);
  const mcu::ExactKernels kernels = estimate_options(experiment.config).exact_kernels;
  for (size_t b = 0; b < experiment.boards.size(); ++b) {
    const mcu::NetworkEstimate estimate = model_estimate(experiment, masks, unpacked_ops, experiment.boards[b]);
    const std::vector<mcu::KernelFeatures> features =
        network_features(experiment.graph, masks, unpacked_ops, experiment.boards[b], kernels);
    BoardModelCheck& check = checks[b];
    check.networks.push_back({name, -1, "", static_cast<double>(timed[b].cycles), estimate.total_cycles, {}});
    for (const auto& [op, cycles] : timed[b].op_cycles) {
      const mcu::KernelFeatures& op_features = features.at(static_cast<size_t>(op));
      check.layers.push_back({name, op, op_features.kernel, static_cast<double>(cycles),
                              estimate.layers.at(static_cast<size_t>(op)).cycles, op_features});
    }
  }
}

std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double mean = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) rank[order[k]] = mean;
    i = j + 1;
  }
  return rank;
}

std::string point_name(const DesignPoint& point) {
  std::string name = "point ";
  for (size_t l = 0; l < point.size(); ++l) name.append(l ? "-" : "").append(std::to_string(point[l]));
  return name;
}

nlohmann::ordered_json summary_json(const ErrorSummary& summary) {
  return {{"count", summary.count}, {"rms_relative_error", summary.rms},
          {"max_abs_relative_error", summary.max_abs}, {"worst", summary.worst}};
}

}  // namespace

ErrorSummary summarize_errors(const std::vector<CycleComparison>& comparisons) {
  ErrorSummary summary;
  double squares = 0;
  for (const CycleComparison& c : comparisons) {
    const double error = c.relative_error();
    squares += error * error;
    ++summary.count;
    if (std::abs(error) >= summary.max_abs) {
      summary.max_abs = std::abs(error);
      summary.worst = c.op_index < 0 ? c.program : fmt::format("{} op {} ({})", c.program, c.op_index, c.kernel);
    }
  }
  if (summary.count > 0) summary.rms = std::sqrt(squares / summary.count);
  return summary;
}

double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2) return 0.0;
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double mean = (static_cast<double>(a.size()) + 1.0) / 2.0;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

std::vector<BoardModelCheck> check_cost_model(const Experiment& experiment, const ModelCheckOptions& options) {
  NetworkTimer::Options timer_options = options.timer;
  if (timer_options.cache_dir.empty()) timer_options.cache_dir = timer_options.work_dir / "cache";
  std::vector<BoardModelCheck> checks(experiment.boards.size());
  for (size_t b = 0; b < checks.size(); ++b) checks[b].board = experiment.boards[b].name;

  NetworkTimer timer(experiment, timer_options);
  const std::string kernels = experiment.config.cmsis_nn ? "cmsis-nn" : "runtime";
  compare_program(experiment, timer, "exact " + kernels, {}, {}, checks);
  if (experiment.config.cmsis_nn) {
    Experiment on_runtime = experiment;
    on_runtime.config.cmsis_nn.reset();
    NetworkTimer runtime_timer(on_runtime, timer_options);
    compare_program(on_runtime, runtime_timer, "exact runtime", {}, {}, checks);
  }
  const DesignSpace& space = experiment.space;
  for (size_t level = 0; level < LatencyTable::level_programs(space); ++level) {
    const DesignPoint level_point = LatencyTable::level_program_point(space, level);
    compare_program(experiment, timer, fmt::format("level {}", level), point_masks(experiment, level_point),
                    unpacked_ops_of(experiment, level_point), checks);
  }

  // The table's programs are the ones just timed: all from the cache.
  const LatencyTable table = LatencyTable::measure(experiment, timer);
  std::mt19937_64 rng(options.seed);
  std::vector<std::vector<double>> measured(checks.size()), model(checks.size());
  for (int p = 0; p < std::max(options.rank_points, options.network_points); ++p) {
    DesignPoint point(space.layers.size());
    for (size_t l = 0; l < point.size(); ++l)
      point[l] = std::uniform_int_distribution<int>(0, static_cast<int>(space.layers[l].thresholds.size()) - 1)(rng);
    const sim::MaskSet masks = point_masks(experiment, point);
    for (size_t b = 0; b < checks.size(); ++b) {
      const double table_cycles = static_cast<double>(table.point_cycles(static_cast<int>(b), point));
      const double model_cycles = model_estimate(experiment, masks, unpacked_ops_of(experiment, point), experiment.boards[b]).total_cycles;
      if (p < options.network_points) checks[b].networks.push_back({point_name(point), -1, "", table_cycles, model_cycles, {}});
      if (p < options.rank_points) {
        measured[b].push_back(table_cycles);
        model[b].push_back(model_cycles);
      }
    }
  }
  for (size_t b = 0; b < checks.size(); ++b) {
    checks[b].rank_points = static_cast<int>(measured[b].size());
    checks[b].spearman = spearman_correlation(measured[b], model[b]);
  }
  return checks;
}

nlohmann::ordered_json model_check_json(const std::vector<BoardModelCheck>& boards) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const BoardModelCheck& board : boards) {
    nlohmann::ordered_json networks = nlohmann::ordered_json::array();
    for (const CycleComparison& c : board.networks)
      networks.push_back({{"program", c.program}, {"measured", c.measured}, {"model", c.model},
                          {"relative_error", c.relative_error()}});
    nlohmann::ordered_json each_layer = nlohmann::ordered_json::array();
    std::map<std::string, std::vector<CycleComparison>> by_kernel;
    for (const CycleComparison& c : board.layers) {
      by_kernel[c.kernel].push_back(c);
      nlohmann::ordered_json features = nlohmann::ordered_json::object();
      for (size_t i = 0; i < c.features.names.size(); ++i) features[c.features.names[i]] = c.features.values[i];
      each_layer.push_back({{"program", c.program}, {"op", c.op_index}, {"kernel", c.kernel},
                            {"measured", c.measured}, {"model", c.model}, {"relative_error", c.relative_error()},
                            {"features", features}});
    }
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& [kernel, comparisons] : by_kernel) layers[kernel] = summary_json(summarize_errors(comparisons));
    out.push_back({{"board", board.board},
                   {"networks", networks},
                   {"network_error", summary_json(summarize_errors(board.networks))},
                   {"layer_error", summary_json(summarize_errors(board.layers))},
                   {"layer_error_by_kernel", layers},
                   {"layers", each_layer},
                   {"rank_points", board.rank_points},
                   {"spearman", board.spearman}});
  }
  return out;
}

}  // namespace tinyskip::engine
