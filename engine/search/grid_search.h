// Exhaustive grid search: every combination of threshold levels, evaluated in
// batches. The order is lexicographic with the LAST layer varying fastest
// (0-0-0, 0-0-1, ..., 0-1-0, ...): consecutive points then share the longest
// possible prefix of layer settings, so an evaluator that caches the
// activations of unchanged leading layers recomputes only the tail. This is
// the method's own exploration (the paper's grid); beyond 2-3 approximated
// layers it explodes and nsga2_search is the tool.
#pragma once

#include <cstdint>

#include "engine/search/problem.h"
#include "engine/search/search_options.h"

namespace tinyskip::engine {

// Uses options.budget (0 = no limit), batch, progress, stop, objectives and
// hypervolume_reference; seed and population are ignored. Throws SearchError
// if the grid has more points than the budget (or cannot be counted), telling
// the user to use nsga2. Stopped early, the result holds the points done.
SearchResult grid_search(Problem& problem, const SearchOptions& options);

// The point at position `index` (0-based) of the grid order above.
DesignPoint grid_point(const DesignSpace& space, int64_t index);

}  // namespace tinyskip::engine
