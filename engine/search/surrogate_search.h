// Surrogate-guided search from per-layer sensitivities.
//
// 1. Sweep (the greedy start's): the all-zero baseline and every layer alone
//    at every level, which measures each layer's effect on every objective.
// 2. Surrogate: a point's objectives predicted as the baseline's plus the sum
//    of its layers' effects (cycles and flash are close to additive by
//    construction; error is not quite, so its sum is scaled by a factor fitted
//    by least squares to the points evaluated so far). The surrogate's own
//    Pareto front over the whole grid follows layer by layer: the front of a
//    sum is within the sums of the partial fronts, so pruning after each layer
//    keeps it exact without enumerating the grid.
// 3. Rounds of `batch` evaluations: candidates are the surrogate front and the
//    one-level neighbours of the real front; each is ranked by the
//    hypervolume its prediction would add to the real front, and the best
//    unevaluated ones are evaluated. Levels whose sweep point is infeasible
//    are left out. Ends at the budget, or when no candidate is left.
// Deterministic: no random choice (options.seed is not used).
#pragma once

#include "engine/search/problem.h"
#include "engine/search/search_options.h"

namespace tinyskip::engine {

// Uses options.budget (> 0, at least the sweep), batch, progress, stop,
// objectives and hypervolume_reference.
SearchResult surrogate_search(Problem& problem, const SearchOptions& options);

}  // namespace tinyskip::engine
