// Multi-objective search with an evaluation budget: NSGA-II (Deb et al. 2002)
// over integer threshold levels.
//
// Why our own generation loop rather than pagmo::nsga2: pagmo's population
// evaluates one point at a time through problem::fitness(), so it cannot hand
// our Problem a batch to order and cache, and its budget is counted in
// generations, not in distinct points. So the loop is written here, on
// pagmo's utilities (fast_non_dominated_sorting, crowding_distance,
// hypervolume), with our own integer operators (nsga2_operators.h):
// - Each generation's offspring are evaluated together, `batch` per
//   Problem::evaluate call, after deduplication.
// - Budget = distinct points evaluated by this search (EvaluationLog), and it
//   is spent exactly: offspring equal to an already evaluated point are
//   mutated again (a few tries) so that generations keep finding new points,
//   and in the last generation only the first `remaining` new offspring are
//   evaluated. The search ends early only if every grid point has been
//   evaluated, the stop flag rises, or 100 generations in a row find no new
//   point.
// - Determinism: every random choice comes from one SearchRandom seeded with
//   options.seed (which plays the role of both pagmo's algorithm seed and its
//   population seed), draws are platform independent, and all orderings are
//   total (ties broken by index). Same seed and problem -> the same sequence of
//   evaluated points and the same front.
// - Feasibility is a constraint, not a penalty: constraint-domination (any
//   feasible point beats any infeasible one; see rank_population), so no
//   penalty weight needs tuning and infeasible points never reach the front.
//
// Start population, in priority order (deduplicated, cut at `population`):
// the all-zero point (exact; also the hypervolume baseline), each layer alone
// at its top level (the most aggressive single-layer points), then, if
// options.greedy_start, the greedy seeds (greedy_start.h; evenly spaced if
// more than fit), then uniformly random points.
//
// Variation: binary crowded tournament, uniform crossover with probability
// 0.9, per-layer mutation with probability 1 / layers; survivors are the best
// `population` distinct points of parents + offspring.
#pragma once

#include "engine/search/problem.h"
#include "engine/search/search_options.h"

namespace tinyskip::engine {

// Uses every field of SearchOptions. Needs budget > 0, population >= 4,
// batch >= 1 and 2 or 3 objectives; throws SearchError otherwise (and if the
// greedy start's sweep does not fit in the budget).
SearchResult nsga2_search(Problem& problem, const SearchOptions& options);

}  // namespace tinyskip::engine
