#include "engine/explore/point_scorer.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/simulator.h"

namespace tinyskip::engine {
namespace {

sim::RunOutput simulate(const Experiment& experiment, const sim::MaskSet& masks, Split split, int threads) {
  const sim::Simulator simulator(experiment.graph, masks);
  sim::RunOptions options;
  options.threads = threads;
  return simulator.run(inputs_of(experiment, split), options);
}

}  // namespace

const sim::ModelInputs& inputs_of(const Experiment& experiment, Split split) {
  const std::optional<sim::ModelInputs>& inputs = split == Split::kSearch   ? experiment.search
                                                  : split == Split::kReport ? experiment.report
                                                                            : experiment.test_all;
  if (!inputs) throw std::logic_error(fmt::format("split {} has no inputs in this experiment", split_name(split)));
  return *inputs;
}

ExactReference measure_exact_reference(const Experiment& experiment, const CostSource& costs, int threads) {
  ExactReference exact;
  for (Split split : kAllSplits) {
    if (split == Split::kTestAll && !experiment.test_all) continue;
    const sim::RunOutput run = simulate(experiment, {}, split, threads);
    exact.outputs[split] = exact_outputs(experiment.graph, run);
    const Score score =
        score_run(experiment.config.score, experiment.graph, run, inputs_of(experiment, split), exact.outputs[split]);
    if (split == Split::kSearch) exact.search = score;
    if (split == Split::kReport) exact.report = score;
    if (split == Split::kTestAll) exact.test_all = score;
  }
  for (size_t b = 0; b < experiment.boards.size(); ++b) exact.boards.push_back(costs.exact_cost(static_cast<int>(b)));
  return exact;
}

PointScorer::PointScorer(const Experiment& experiment, const ExactReference& exact, const CostSource& costs,
                         int64_t network_macs)
    : experiment_(experiment),
      exact_(exact),
      costs_(costs),
      network_macs_(network_macs),
      search_cache_(experiment.graph, experiment.space, inputs_of(experiment, Split::kSearch),
                    experiment.config.activation_cache_mb << 20),
      stop_rule_(experiment.config.search.early_stopping, inputs_of(experiment, Split::kSearch).size(),
                 experiment.config.objectives, exact.search, experiment.config.constraints) {}

double PointScorer::threshold(int layer, int level) const {
  return experiment_.space.layers.at(static_cast<size_t>(layer)).thresholds.at(static_cast<size_t>(level));
}

Score PointScorer::score_on(const DesignPoint& point, Split split, int threads) {
  return score_with(point, masks(point), split, threads);
}

Score PointScorer::score_with(const DesignPoint& point, const sim::MaskSet& point_masks, Split split, int threads) {
  const sim::RunOutput run = split == Split::kSearch ? search_cache_.run(point, point_masks, threads)
                                                     : simulate(experiment_, point_masks, split, threads);
  if (split == Split::kSearch) images_evaluated_ += run.images, images_unstopped_ += run.images;
  return score_run(experiment_.config.score, experiment_.graph, run, inputs_of(experiment_, split),
                   exact_.outputs.at(split));
}

PointRecord PointScorer::score(const DesignPoint& point, int threads, const std::vector<Objectives>* front) {
  const sim::MaskSet point_masks = masks(point);
  PointRecord record;
  record.key = point_key(point);
  int64_t skipped_total = 0;
  for (int l = 0; l < experiment_.space.dimensions(); ++l) {
    const ApproximatedLayer& layer = experiment_.space.layers[static_cast<size_t>(l)];
    const double t = threshold(l, point[static_cast<size_t>(l)]);
    const sim::Op& op = experiment_.graph.ops[static_cast<size_t>(layer.op_index)];
    // Every weight is used macs / weights times per image (once per output pixel).
    const int64_t uses_per_weight =
        sim::macs_of(experiment_.graph, op) / experiment_.graph.input_of(op, 1).num_elements();
    const int64_t skipped = experiment_.skip_orders[static_cast<size_t>(l)].skipped_weights_at(t) * uses_per_weight;
    record.thresholds.push_back(t);
    record.skipped_macs.push_back(skipped);
    skipped_total += skipped;
  }
  record.macs_kept = network_macs_ - skipped_total;
  // Costs first: they decide, with the images seen, whether the point can stop.
  for (size_t b = 0; b < experiment_.boards.size(); ++b)
    record.boards.push_back(costs_.point_cost(point, point_masks, static_cast<int>(b)));
  record.latency_source = costs_.latency_source();
  const bool exact_point = std::all_of(point.begin(), point.end(), [](int level) { return level == 0; });
  if (front && stop_rule_.enabled() && !exact_point) {
    const BoardCost& primary = record.boards.at(static_cast<size_t>(experiment_.primary_board));
    Objectives costs;
    costs.cycles = primary.cycles;
    costs.flash_bytes = static_cast<double>(primary.flash_bytes);
    record.search = search_in_blocks(point, point_masks, costs, *front, threads, record.stopped_early);
  } else {
    record.search = score_with(point, point_masks, Split::kSearch, threads);
  }
  return record;
}

Score PointScorer::search_in_blocks(const DesignPoint& point, const sim::MaskSet& point_masks, const Objectives& costs,
                                    const std::vector<Objectives>& front, int threads, bool& stopped) {
  const sim::ModelInputs& inputs = inputs_of(experiment_, Split::kSearch);
  const sim::Simulator simulator(experiment_.graph, point_masks);
  const ScoreKind kind = experiment_.config.score;
  int seen = 0, matches = 0;
  stopped = false;
  while (seen < inputs.size() && !stopped) {
    const int count = std::min(stop_rule_.block_images(), inputs.size() - seen);
    const sim::RunOutput run = search_cache_.run(simulator, point, seen, count, threads);
    matches += count_matches(kind, experiment_.graph, run, inputs, exact_.outputs.at(Split::kSearch), seen);
    seen += count;
    stopped = seen < inputs.size() && stop_rule_.should_stop(seen - matches, seen, costs, front);
  }
  images_evaluated_ += seen;
  images_unstopped_ += inputs.size();
  // Unstopped, the same score as score_run's over the whole split.
  return Score::count(kind, matches, seen);
}

}  // namespace tinyskip::engine
