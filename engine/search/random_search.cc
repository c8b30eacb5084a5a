#include "engine/search/random_search.h"

#include <algorithm>

#include "engine/search/evaluation_log.h"
#include "engine/search/nsga2_operators.h"
#include "engine/search/search_error.h"

namespace tinyskip::engine {

SearchResult random_search(Problem& problem, const SearchOptions& options) {
  const std::vector<Objective> selected = parse_objectives(options.objectives);
  validate_design_space(problem.space());
  if (options.budget <= 0) throw SearchError("random search needs a budget > 0");
  const DesignSpace& space = problem.space();
  const int64_t budget = std::min(options.budget, space.grid_size());
  EvaluationLog log(problem, options, budget, budget);
  log.evaluate({DesignPoint(static_cast<size_t>(space.dimensions()), 0)});

  SearchRandom random(options.seed);
  std::vector<DesignPoint> batch;
  while (!log.budget_exhausted() && !log.stop_requested()) {
    // Draw until the batch holds distinct points not yet evaluated; a budget
    // at most the grid size always leaves some.
    batch.clear();
    const int64_t wanted = std::min<int64_t>(options.batch, log.remaining());
    while (static_cast<int64_t>(batch.size()) < wanted) {
      const DesignPoint point = random_point(space, random);
      if (!log.find(point) && std::find(batch.begin(), batch.end(), point) == batch.end()) batch.push_back(point);
    }
    log.evaluate(batch);
  }
  return log.make_result(selected, options.hypervolume_reference);
}

}  // namespace tinyskip::engine
