#include "engine/explore/evaluator.h"

#include <algorithm>
#include <numeric>

#include "engine/search/pareto.h"

namespace tinyskip::engine {
namespace {

std::unique_ptr<BatchEvaluation> make_batch_evaluation(const ExperimentConfig& config, int threads) {
  if (config.batch_evaluation == ExperimentConfig::BatchEvaluation::kThreads)
    return std::make_unique<ThreadedEvaluation>(threads);
  return std::make_unique<SerialEvaluation>(threads);
}

}  // namespace

Evaluator::Evaluator(const Experiment& experiment, const ExactReference& exact, RunStore& store,
                     const CostSource& costs, NetworkTimer* timer, int threads)
    : experiment_(experiment),
      exact_(exact),
      costs_(costs),
      timer_(timer),
      threads_(threads),
      scorer_(experiment, exact, costs, store.schema().network_macs),
      results_(store),
      batch_(make_batch_evaluation(experiment.config, threads)),
      objectives_(parse_objectives(experiment.config.objectives)) {}

Objectives Evaluator::objectives(const PointRecord& record) const {
  const BoardCost& cost = record.boards.at(static_cast<size_t>(experiment_.primary_board));
  Objectives objectives;
  // A stopped point goes in at its error's lower bound, which the stop rule
  // found dominated or infeasible (early_stopping.h).
  const StopRule& rule = scorer_.stop_rule();
  const int errors = record.search->samples - record.search->matches;
  objectives.error = record.stopped_early ? rule.error_lower_bound(errors, record.search->samples)
                                          : error_objective(*record.search);
  objectives.cycles = cost.cycles;
  objectives.flash_bytes = static_cast<double>(cost.flash_bytes);
  const Constraints& constraints = experiment_.config.constraints;
  if (record.stopped_early ? rule.certainly_infeasible(errors, record.search->samples)
                           : constraints.max_accuracy_loss &&
                                 !within_budget(exact_.search, *record.search, *constraints.max_accuracy_loss))
    objectives.feasible = false;
  if (constraints.flash_budget_bytes && cost.flash_bytes > *constraints.flash_budget_bytes)
    objectives.feasible = false;
  if (constraints.latency_budget_ms && cost.ms > *constraints.latency_budget_ms) objectives.feasible = false;
  if (constraints.fit_board_flash &&
      cost.flash_bytes > experiment_.boards[static_cast<size_t>(experiment_.primary_board)].flash_bytes)
    objectives.feasible = false;
  return objectives;
}

Objectives Evaluator::search_objectives(const DesignPoint& point, const PointRecord& record) const {
  if (record.latency_source != kLatencyFromProgram) return objectives(record);
  PointRecord as_scored = record;
  const sim::MaskSet point_masks = masks(point);
  for (size_t b = 0; b < as_scored.boards.size(); ++b)
    as_scored.boards[b] = costs_.point_cost(point, point_masks, static_cast<int>(b));
  return objectives(as_scored);
}

const PointRecord& Evaluator::record(const DesignPoint& point) {
  if (const PointRecord* known = results_.find(point_key(point))) return *known;
  return results_.put(scorer_.score(point, threads_));
}

std::vector<Objectives> Evaluator::evaluate(const std::vector<DesignPoint>& points) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t{0});
  const PrefixOrder prefix_order(experiment_.space);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return prefix_order(points[a], points[b]); });
  // The batch's points without a record, once each, in prefix order.
  std::vector<DesignPoint> fresh;
  std::set<std::string> seen;
  for (size_t i : order) {
    const std::string key = point_key(points[i]);
    requested_.insert(key);
    if (!results_.find(key) && seen.insert(key).second) fresh.push_back(points[i]);
  }
  // Every point of the batch may stop against the front as it was when the
  // batch began, whichever strategy scores them and in whatever order.
  batch_->run(
      fresh, [&](const DesignPoint& point, int threads) { return scorer_.score(point, threads, &front_); },
      [&](size_t, PointRecord&& record) { results_.put(std::move(record)); });
  std::vector<Objectives> result;
  result.reserve(points.size());
  for (const DesignPoint& point : points) {
    const PointRecord& record = *results_.find(point_key(point));
    result.push_back(search_objectives(point, record));
    if (!record.stopped_early && result.back().feasible) front_.push_back(result.back());
  }
  // Only the non-dominated ones can stop a point; keep the list short.
  std::vector<Objectives> kept;
  for (size_t i : pareto_front(front_, objectives_)) kept.push_back(front_[i]);
  front_ = std::move(kept);
  return result;
}

const PointRecord& Evaluator::time_program(const DesignPoint& point) {
  PointRecord stored = record(point);
  if (!timer_ || stored.latency_source == kLatencyFromModel || stored.latency_source == kLatencyFromProgram)
    return record(point);
  const std::vector<NetworkCycles> timed =
      timer_->time(masks(point), unpacked_ops_of(experiment_, point), "point_" + point_key(point));
  for (size_t b = 0; b < experiment_.boards.size(); ++b)
    set_measured_cycles(stored.boards[b], timed[b].cycles, experiment_.boards[b]);
  stored.latency_source = kLatencyFromProgram;
  return results_.put(std::move(stored));
}

const PointRecord& Evaluator::score_on(const DesignPoint& point, Split split) {
  PointRecord stored = record(point);
  if (stored.score(split) || !exact_.outputs.count(split)) return record(point);  // scored, or no such split
  stored.score(split) = scorer_.score_on(point, split, threads_);
  return results_.put(std::move(stored));  // the later row for the key wins on load
}

}  // namespace tinyskip::engine
