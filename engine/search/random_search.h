// Uniform random search: the all-zero baseline first (so the hypervolume
// normalises), then distinct points drawn uniformly from the grid until the
// budget is spent or the grid is exhausted. No algorithm earns its keep unless
// it beats this at the same budget (tinyskip's search-quality benchmark,
// tests/bench/bench_search_quality.cc).
#pragma once

#include "engine/search/problem.h"
#include "engine/search/search_options.h"

namespace tinyskip::engine {

// Uses options.budget (> 0), seed, batch, progress, stop and objectives.
SearchResult random_search(Problem& problem, const SearchOptions& options);

}  // namespace tinyskip::engine
