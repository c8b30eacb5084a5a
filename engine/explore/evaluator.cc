#include "engine/explore/evaluator.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "mcu_model/cycle_model.h"
#include "sim/simulator.h"

namespace tinyskip::engine {
namespace {

const sim::ModelInputs& inputs_of(const Experiment& experiment, Split split) {
  const std::optional<sim::ModelInputs>& inputs = split == Split::kSearch   ? experiment.search
                                                  : split == Split::kReport ? experiment.report
                                                                            : experiment.test_all;
  if (!inputs) throw std::logic_error(fmt::format("split {} has no inputs in this experiment", split_name(split)));
  return *inputs;
}

sim::RunOutput simulate(const Experiment& experiment, const sim::MaskSet& masks, Split split, int threads) {
  const sim::Simulator simulator(experiment.graph, masks);
  sim::RunOptions options;
  options.threads = threads;
  return simulator.run(inputs_of(experiment, split), options);
}

BoardCost model_cost(const Experiment& experiment, const sim::MaskSet& masks, const mcu::BoardProfile& board) {
  const mcu::NetworkEstimate estimate = model_estimate(experiment, masks, board);
  return {estimate.total_cycles, estimate.milliseconds, estimate.flash_bytes};
}

void set_measured_cycles(BoardCost& cost, uint64_t cycles, const mcu::BoardProfile& board) {
  cost.cycles = static_cast<double>(cycles);
  cost.ms = board.milliseconds(cost.cycles);
}

}  // namespace

ExactReference measure_exact_reference(const Experiment& experiment, int threads, const MeasuredCosts& measured) {
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
  for (size_t b = 0; b < experiment.boards.size(); ++b) {
    exact.boards.push_back(model_cost(experiment, {}, experiment.boards[b]));
    if (measured.flash) exact.boards.back().flash_bytes = measured.flash->exact_bytes();
    if (measured.latency)
      set_measured_cycles(exact.boards.back(), measured.latency->exact_cycles(static_cast<int>(b)), experiment.boards[b]);
  }
  return exact;
}

Evaluator::Evaluator(const Experiment& experiment, const ExactReference& exact, RunStore& store, int threads,
                     const MeasuredCosts& measured)
    : experiment_(experiment),
      exact_(exact),
      store_(store),
      threads_(threads),
      measured_(measured),
      search_cache_(experiment.graph, experiment.space, inputs_of(experiment, Split::kSearch),
                    experiment.config.activation_cache_mb << 20) {}

double Evaluator::threshold(int layer, int level) const {
  return experiment_.space.layers.at(static_cast<size_t>(layer)).thresholds.at(static_cast<size_t>(level));
}

sim::MaskSet Evaluator::masks(const DesignPoint& point) const { return point_masks(experiment_, point); }

Score Evaluator::score_of(const DesignPoint& point, const sim::MaskSet& masks, Split split) {
  const sim::RunOutput run =
      split == Split::kSearch ? search_cache_.run(point, masks, threads_) : simulate(experiment_, masks, split, threads_);
  return score_run(experiment_.config.score, experiment_.graph, run, inputs_of(experiment_, split),
                   exact_.outputs.at(split));
}

PointRecord Evaluator::evaluate_point(const DesignPoint& point) {
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
  record.macs_kept = store_.schema().network_macs - skipped_total;
  record.search = score_of(point, point_masks, Split::kSearch);
  for (size_t b = 0; b < experiment_.boards.size(); ++b) {
    record.boards.push_back(model_cost(experiment_, point_masks, experiment_.boards[b]));
    if (measured_.flash) record.boards.back().flash_bytes = measured_.flash->point_bytes(point);
    if (measured_.latency)
      set_measured_cycles(record.boards.back(), measured_.latency->point_cycles(static_cast<int>(b), point),
                          experiment_.boards[b]);
  }
  record.latency_source = measured_.latency ? kLatencyFromTable : kLatencyFromModel;
  return record;
}

Objectives Evaluator::objectives(const PointRecord& record) const {
  const BoardCost& cost = record.boards.at(static_cast<size_t>(experiment_.primary_board));
  Objectives objectives;
  objectives.error = error_objective(*record.search);
  objectives.cycles = cost.cycles;
  objectives.flash_bytes = static_cast<double>(cost.flash_bytes);
  const Constraints& constraints = experiment_.config.constraints;
  if (constraints.max_accuracy_loss && !within_budget(exact_.search, *record.search, *constraints.max_accuracy_loss))
    objectives.feasible = false;
  if (constraints.flash_budget_bytes && cost.flash_bytes > *constraints.flash_budget_bytes)
    objectives.feasible = false;
  if (constraints.latency_budget_ms && cost.ms > *constraints.latency_budget_ms) objectives.feasible = false;
  if (constraints.fit_board_flash &&
      cost.flash_bytes > experiment_.boards[static_cast<size_t>(experiment_.primary_board)].flash_bytes)
    objectives.feasible = false;
  return objectives;
}

void Evaluator::preload(const std::vector<PointRecord>& records) {
  for (const PointRecord& record : records) records_[record.key] = record;
}

const PointRecord& Evaluator::record(const DesignPoint& point) {
  const std::string key = point_key(point);
  auto it = records_.find(key);
  if (it == records_.end()) {
    PointRecord fresh = evaluate_point(point);
    store_.append(fresh);  // finished work is on disk before anything else happens
    it = records_.emplace(key, std::move(fresh)).first;
  }
  return it->second;
}

std::vector<Objectives> Evaluator::evaluate(const std::vector<DesignPoint>& points) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return prefix_order_less(experiment_.space, points[a], points[b]);
  });
  std::vector<Objectives> result(points.size());
  for (size_t i : order) {
    requested_.insert(point_key(points[i]));
    result[i] = objectives(record(points[i]));
  }
  return result;
}

const PointRecord& Evaluator::time_program(const DesignPoint& point) {
  record(point);
  PointRecord& stored = records_.at(point_key(point));
  if (!measured_.latency || !measured_.timer || stored.latency_source == kLatencyFromProgram) return stored;
  const std::vector<NetworkCycles> timed =
      measured_.timer->time(masks(point), unpacked_ops_of(experiment_), "point_" + point_key(point));
  for (size_t b = 0; b < experiment_.boards.size(); ++b)
    set_measured_cycles(stored.boards[b], timed[b].cycles, experiment_.boards[b]);
  stored.latency_source = kLatencyFromProgram;
  store_.append(stored);
  return stored;
}

const PointRecord& Evaluator::score_on(const DesignPoint& point, Split split) {
  record(point);
  PointRecord& stored = records_.at(point_key(point));
  if (stored.score(split) || !exact_.outputs.count(split)) return stored;  // scored, or no such split
  stored.score(split) = score_of(point, masks(point), split);
  store_.append(stored);  // the later row for the key wins on load
  return stored;
}

}  // namespace tinyskip::engine
