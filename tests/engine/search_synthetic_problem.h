// A synthetic Problem for the search tests: analytic objectives, so the true
// Pareto front of a small space can be found by brute force, plus a record of
// every evaluate() call so tests can check batching, order and budgets.
//   error  = base_error + sum_l error_weight[l] * level_l^2   (convex: deeper
//            skipping costs more and more accuracy)
//   cycles = base_cycles - sum_l cycle_saving[l] * level_l
//   flash  = base_flash - sum_l flash_saving[l] * level_l
//   feasible = infeasible predicate (if any) is false
// Plus a naive O(n^2) Pareto filter written independently of pareto.h.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "engine/search/problem.h"

namespace tinyskip::test {

using engine::DesignPoint;
using engine::Objectives;

class SyntheticProblem : public engine::Problem {
 public:
  SyntheticProblem(std::vector<int> levels, std::vector<double> error_weight, std::vector<double> cycle_saving,
                   std::vector<double> flash_saving = {})
      : error_weight_(std::move(error_weight)),
        cycle_saving_(std::move(cycle_saving)),
        flash_saving_(std::move(flash_saving)) {
    if (flash_saving_.empty()) flash_saving_.assign(levels.size(), 0.0);
    for (size_t l = 0; l < levels.size(); ++l) {
      engine::ApproximatedLayer layer;
      layer.op_index = static_cast<int>(l);
      layer.name = "layer" + std::to_string(l);
      for (int k = 0; k < levels[l]; ++k) layer.thresholds.push_back(0.001 * k);
      space_.layers.push_back(layer);
    }
  }

  double base_error = 0.125;
  double base_cycles = 1e6;
  double base_flash = 1e5;
  std::function<bool(const DesignPoint&)> infeasible;
  // Extra error added on top of the formula (to model layer interactions).
  std::function<double(const DesignPoint&)> interaction;
  // Called after every evaluate() call (e.g. to raise a stop flag).
  std::function<void()> after_batch;

  const engine::DesignSpace& space() const override { return space_; }

  Objectives objectives_of(const DesignPoint& point) const {
    Objectives result;
    result.error = base_error;
    result.cycles = base_cycles;
    result.flash_bytes = base_flash;
    for (size_t l = 0; l < point.size(); ++l) {
      const double level = point[l];
      result.error += error_weight_[l] * level * level;
      result.cycles -= cycle_saving_[l] * level;
      result.flash_bytes -= flash_saving_[l] * level;
    }
    if (interaction) result.error += interaction(point);
    result.feasible = !(infeasible && infeasible(point));
    return result;
  }

  std::vector<Objectives> evaluate(const std::vector<DesignPoint>& points) override {
    batch_sizes.push_back(points.size());
    std::vector<Objectives> results;
    for (const DesignPoint& point : points) {
      requested.push_back(point);
      distinct_.insert(point);
      results.push_back(objectives_of(point));
    }
    if (after_batch) after_batch();
    return results;
  }

  int64_t evaluations() const override { return static_cast<int64_t>(distinct_.size()); }

  // Every point of the grid, in nested-loop order (first layer outermost).
  std::vector<DesignPoint> all_points() const {
    std::vector<DesignPoint> points = {{}};
    for (const auto& layer : space_.layers) {
      std::vector<DesignPoint> longer;
      for (const DesignPoint& prefix : points)
        for (int k = 0; k < static_cast<int>(layer.thresholds.size()); ++k) {
          DesignPoint point = prefix;
          point.push_back(k);
          longer.push_back(point);
        }
      points = longer;
    }
    return points;
  }

  std::vector<DesignPoint> requested;  // every point passed to evaluate(), in order
  std::vector<size_t> batch_sizes;     // size of every evaluate() call

 private:
  engine::DesignSpace space_;
  std::vector<double> error_weight_;
  std::vector<double> cycle_saving_;
  std::vector<double> flash_saving_;
  std::set<DesignPoint> distinct_;
};

// Naive Pareto filter: point i is on the front iff it is feasible, no feasible
// point is <= in all of `values` and < in one, and no earlier feasible point
// has exactly the same values. O(n^2), independent of engine/search/pareto.
inline std::vector<size_t> naive_front(const std::vector<std::vector<double>>& values,
                                       const std::vector<bool>& feasible) {
  std::vector<size_t> front;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!feasible[i]) continue;
    bool keep = true;
    for (size_t j = 0; j < values.size() && keep; ++j) {
      if (j == i || !feasible[j]) continue;
      bool all_le = true;
      bool any_lt = false;
      for (size_t d = 0; d < values[i].size(); ++d) {
        all_le = all_le && values[j][d] <= values[i][d];
        any_lt = any_lt || values[j][d] < values[i][d];
      }
      const bool dominated = all_le && any_lt;
      const bool earlier_duplicate = all_le && !any_lt && j < i;
      keep = !dominated && !earlier_duplicate;
    }
    if (keep) front.push_back(i);
  }
  return front;
}

}  // namespace tinyskip::test
