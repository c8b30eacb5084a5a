#include "engine/explore/experiment.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "engine/codegen/layer_kernel.h"
#include "engine/config/estimate_options.h"
#include "engine/config/layer_names.h"
#include "engine/config/split_inputs.h"
#include "engine/explore/early_stopping.h"
#include "engine/significance/significance.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"

namespace tinyskip::engine {
namespace fs = std::filesystem;

namespace {

// Keeps the evaluation order's random stream apart from the search's.
constexpr uint64_t kEvaluationOrderStream = 0x5EA2C40D3D1A7E11ULL;

// Runs the exact model on the calibration images once, capturing the input
// activations of every approximated layer, then scores each layer.
std::vector<LayerSkipOrder> skip_orders_of(const Experiment& experiment, int threads) {
  const sim::Simulator exact(experiment.graph);
  sim::RunOptions options;
  options.threads = threads;
  for (const ApproximatedLayer& layer : experiment.space.layers)
    options.capture.push_back(experiment.graph.ops[static_cast<size_t>(layer.op_index)].inputs[0]);
  const sim::RunOutput run = exact.run(*experiment.calibration, options);

  SignificanceOptions significance;
  significance.metric = experiment.config.approximate.metric == ApproximateConfig::Metric::kPaper
                            ? SignificanceMetric::kPaper
                            : SignificanceMetric::kMagnitude;
  significance.threads = threads;
  const SkipGranularity granularity =
      experiment.config.approximate.pair_mode ? SkipGranularity::kPair : SkipGranularity::kWeight;
  std::vector<LayerSkipOrder> orders;
  for (const ApproximatedLayer& layer : experiment.space.layers) {
    const int input = experiment.graph.ops[static_cast<size_t>(layer.op_index)].inputs[0];
    const LayerScores scores =
        compute_significance(experiment.graph, layer.op_index, run.captured.at(input), significance);
    orders.emplace_back(scores, granularity);
    spdlog::debug("significance of {} measured on {} images", layer.name, scores.images);
  }
  return orders;
}

// Top-1 accuracy needs labels on the splits it scores.
void check_score_data(const Experiment& experiment) {
  if (experiment.config.score != ScoreKind::kTop1) return;
  for (const auto& [name, inputs] : {std::pair{"search", &experiment.search}, std::pair{"report", &experiment.report}})
    if (!(*inputs)->labelled())
      throw sim::DataError(fmt::format(
          "{}: split '{}' ({}) has no labels, so top-1 accuracy cannot be scored; give it labels, or score "
          "design points label-free with \"score\": \"agreement\"",
          experiment.config.source, name, (*inputs)->source()));
}

}  // namespace

sim::MaskSet point_masks(const Experiment& experiment, const DesignPoint& point) {
  if (static_cast<int>(point.size()) != experiment.space.dimensions())
    throw std::invalid_argument(fmt::format("design point {} has {} levels, the space {} layers", point_key(point),
                                            point.size(), experiment.space.dimensions()));
  sim::MaskSet masks;
  for (size_t l = 0; l < point.size(); ++l) {
    const ApproximatedLayer& layer = experiment.space.layers[l];
    masks[layer.op_index] =
        experiment.skip_orders[l].mask_at(layer.thresholds.at(static_cast<size_t>(point[l])));
  }
  return masks;
}

std::set<int> unpackable_ops_of(const Experiment& experiment) {
  std::set<int> ops;
  for (const ApproximatedLayer& layer : experiment.space.layers)
    if (can_unpack(experiment.graph.ops[static_cast<size_t>(layer.op_index)].type))
      ops.insert(layer.op_index);
  return ops;
}

std::set<int> unpacked_ops_of(const Experiment& experiment, const DesignPoint& point) {
  const std::set<int> unpackable = unpackable_ops_of(experiment);
  std::set<int> ops;
  for (size_t l = 0; l < experiment.space.layers.size() && l < point.size(); ++l) {
    const ApproximatedLayer& layer = experiment.space.layers[l];
    if (unpackable.count(layer.op_index) && layer.unpacked_at(point[l])) ops.insert(layer.op_index);
  }
  return ops;
}

mcu::NetworkEstimate model_estimate(const Experiment& experiment, const sim::MaskSet& masks,
                                    const std::set<int>& unpacked_ops, const mcu::BoardProfile& board) {
  sim::MaskSet unpacked;
  for (int op : unpacked_ops)
    if (masks.count(op)) unpacked[op] = masks.at(op);
  return mcu::estimate_network(experiment.graph, unpacked, board, estimate_options(experiment.config));
}

Experiment load_experiment(const ExperimentConfig& config) {
  Experiment experiment;
  experiment.config = config;
  experiment.graph = sim::load_tflite(config.model.string());
  experiment.space = make_design_space(experiment.graph, config.approximate, config.source);
  for (const BoardRef& board : config.boards) {
    experiment.boards.push_back(mcu::load_board_profile(board.file.string()));
    if (board.name == config.primary_board) experiment.primary_board = static_cast<int>(experiment.boards.size()) - 1;
  }
  experiment.calibration = load_split(config, experiment.graph, config.splits.calibration, "calibration");
  experiment.search = load_split(config, experiment.graph, config.splits.search, "search");
  // Early stopping bounds a point's score from its first images only when
  // they are a random sample of the split; a count score does not depend on
  // the order, so nothing else changes.
  if (config.search.early_stopping.enabled && is_count_score(config.score))
    experiment.search = experiment.search->permuted(evaluation_order(experiment.search->size(),
                                                                     config.search.seed ^ kEvaluationOrderStream));
  experiment.report = load_split(config, experiment.graph, config.splits.report, "report");
  std::error_code missing;
  if (!config.data_dir.empty() && fs::is_regular_file(config.data_dir / sim::kCifar10TestFile, missing))
    experiment.test_all.emplace(experiment.graph,
                                sim::read_cifar10_file((config.data_dir / sim::kCifar10TestFile).string()),
                                config.pixel_scale);
  check_score_data(experiment);
  spdlog::info("splits: calibration {} samples, search {}, report {}", experiment.calibration->size(),
               experiment.search->size(), experiment.report->size());
  return experiment;
}

void measure_significance(Experiment& experiment, int threads) {
  const ExperimentConfig& config = experiment.config;
  const auto start = std::chrono::steady_clock::now();
  experiment.skip_orders = skip_orders_of(experiment, threads);
  for (size_t l = 0; l < experiment.space.layers.size(); ++l) {
    ApproximatedLayer& layer = experiment.space.layers[l];
    if (layer.skip_fractions.empty()) continue;
    layer.thresholds = thresholds_for_skip_fractions(experiment.skip_orders[l], layer.skip_fractions);
    spdlog::info("{}: skip fractions {} give thresholds {}", layer.name, fmt::join(layer.skip_fractions, ", "),
                 fmt::join(layer.thresholds, ", "));
  }
  if (config.approximate.not_unpacked_level)
    for (ApproximatedLayer& layer : experiment.space.layers) {
      // A layer that cannot be unpacked is on its exact kernel at every level.
      if (!can_unpack(experiment.graph.ops[static_cast<size_t>(layer.op_index)].type)) continue;
      layer.not_unpacked_level = true;
      layer.thresholds.insert(layer.thresholds.begin(), 0.0);
      if (!layer.skip_fractions.empty()) layer.skip_fractions.insert(layer.skip_fractions.begin(), 0.0);
    }
  spdlog::info("model {}: {} ops; approximating {} layers; design space of {} points", config.model.filename().string(),
               experiment.graph.ops.size(), experiment.space.dimensions(), experiment.space.grid_size());
  experiment.significance_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("significance measured in {:.1f} s", experiment.significance_seconds);
}

Experiment prepare_experiment(const ExperimentConfig& config, int threads) {
  Experiment experiment = load_experiment(config);
  measure_significance(experiment, threads);
  return experiment;
}

}  // namespace tinyskip::engine
