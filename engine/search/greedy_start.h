// Sensitivity-guided greedy start: cheap, decent seed points for NSGA-II.
//
// 1. Sweep: measure every layer alone at every level (all other layers at
//    level 0). That is the all-zero baseline plus one point per (layer,
//    level >= 1): 1 + sum_l (levels_l - 1) evaluations on a fresh log.
// 2. Walk: from the baseline, repeatedly pick the move "raise layer l from
//    its current level to level k" with the best estimated ratio
//        cycles saved / error added
//    where both are read from the sweep (layer l alone at k versus alone at
//    its current level), i.e. assuming layers add up. Free savings (no error
//    added) rank first; ties go to more cycles saved, then the lower layer,
//    then the lower level. Moves whose sweep point is infeasible, over the
//    error limit or saves nothing are never tried. The chosen combined point
//    is evaluated for real: if it is feasible and its error is within
//    baseline.error + max_error_increase it is accepted (and becomes a seed),
//    otherwise layer l is capped below k. Every step raises a level or lowers
//    a cap, so the walk takes at most sum_l (levels_l - 1) steps, each at most
//    one new evaluation (a step onto a sweep point is free).
// Both phases stop early when the budget is used up or the stop flag rises.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/search/problem.h"
#include "engine/search/evaluation_log.h"
#include "engine/search/search_options.h"

namespace tinyskip::engine {

struct GreedyStartResult {
  // Accepted walk points, in walk order (each more aggressive than the last);
  // all feasible and within the error limit.
  std::vector<DesignPoint> seeds;
  int64_t sweep_evaluations = 0;  // new points the sweep evaluated
  int64_t walk_evaluations = 0;   // new points the walk evaluated
};

// Runs on an existing log (so NSGA-II can count it against its budget).
// Throws SearchError if the log's remaining budget cannot cover the sweep or
// max_error_increase is negative or not finite.
GreedyStartResult greedy_start(EvaluationLog& log, double max_error_increase);

// Stand-alone form: uses options.budget (0 = unlimited), batch, progress,
// stop and greedy_max_error_increase.
GreedyStartResult greedy_start(Problem& problem, const SearchOptions& options);

// The sweep's points: the all-zero baseline, then each layer alone at each
// level >= 1 (layer-major).
std::vector<DesignPoint> greedy_sweep_points(const DesignSpace& space);
// Number of points the sweep needs: 1 + sum_l (levels_l - 1).
int64_t greedy_sweep_size(const DesignSpace& space);

}  // namespace tinyskip::engine
