// Options and result shared by every search algorithm (grid, NSGA-II). The
// algorithms know nothing about CNNs: they only see a Problem (design space +
// batched evaluate()) and the objectives selected here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/search/problem.h"
#include "engine/search/pareto.h"

namespace tinyskip::engine {

struct SearchOptions {
  // Distinct points the search may evaluate. NSGA-II: required (> 0) and used
  // exactly unless the space runs out. Grid: the largest grid it accepts
  // (0 = no limit); a larger grid is refused with a hint to use nsga2.
  int64_t budget = 0;
  uint64_t seed = 1;      // NSGA-II: every random choice derives from it
  int population = 40;    // NSGA-II population size (>= 4)
  int batch = 64;         // points per Problem::evaluate call (>= 1)
  // Called after every evaluate() call with distinct points done so far and
  // the total the search plans for (budget, or grid size).
  std::function<void(int64_t done, int64_t budget)> progress;
  // Checked between batches; when it reads true the search stops and returns
  // what it has (SearchResult::stopped). May be null.
  std::atomic<bool>* stop = nullptr;
  // Minimised objectives for fronts, ranking and hypervolume; see pareto.h.
  std::vector<std::string> objectives = {"error", "cycles"};
  HypervolumeReference hypervolume_reference;

  // NSGA-II start population (see nsga2_search.h). greedy_start spends
  // 1 + sum(levels - 1) evaluations on a one-at-a-time sweep plus at most as
  // many again on its walk, all counted against the budget.
  bool greedy_start = false;
  double greedy_max_error_increase = 0.02;  // absolute error (0.02 = 2 accuracy points)
};

struct SearchResult {
  // Every distinct point the search evaluated, in the order it first asked
  // for it, with its objectives (parallel vectors).
  std::vector<DesignPoint> evaluated_in_order;
  std::vector<Objectives> evaluated_objectives;
  // Feasible non-dominated points on the selected objectives, in the order of
  // pareto_front() (ascending by objective vector).
  std::vector<DesignPoint> front;
  std::vector<Objectives> front_objectives;
  int64_t evaluations = 0;  // == evaluated_in_order.size()
  double seconds = 0;       // wall time of the search
  // normalised_hypervolume() of the front against the baseline (all-zero
  // point); NaN if the baseline was not evaluated (search stopped first) or
  // cannot normalise (non-positive cycles or flash).
  double hypervolume = 0;
  Objectives baseline;       // objectives of the all-zero point, if evaluated
  bool stopped = false;      // the stop flag ended the search early
};

}  // namespace tinyskip::engine
