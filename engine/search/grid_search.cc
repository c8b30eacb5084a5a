#include "engine/search/grid_search.h"

#include <limits>
#include <string>
#include <vector>

#include "engine/search/evaluation_log.h"
#include "engine/search/search_error.h"

namespace tinyskip::engine {
namespace {

// Odometer step in grid order: bump the last layer, carrying leftwards.
// Returns false after the last point (all layers at their top level).
bool advance(const DesignSpace& space, DesignPoint& point) {
  for (int d = space.dimensions() - 1; d >= 0; --d) {
    int& level = point[static_cast<size_t>(d)];
    if (++level < space.levels(d)) return true;
    level = 0;
  }
  return false;
}

int64_t checked_grid_size(const DesignSpace& space, int64_t budget) {
  const int64_t size = space.grid_size();
  if (size == std::numeric_limits<int64_t>::max())
    throw SearchError("the grid of " + std::to_string(space.dimensions()) +
                      " approximated layers is too large to enumerate; use the nsga2 search");
  if (budget > 0 && size > budget)
    throw SearchError("grid search needs " + std::to_string(size) + " evaluations, more than the budget of " +
                      std::to_string(budget) + "; use the nsga2 search for a design space this large " +
                      "(or raise the budget)");
  return size;
}

}  // namespace

DesignPoint grid_point(const DesignSpace& space, int64_t index) {
  validate_design_space(space);
  if (index < 0 || index >= space.grid_size())
    throw SearchError("grid index " + std::to_string(index) + " is outside a grid of " +
                      std::to_string(space.grid_size()) + " points");
  DesignPoint point(static_cast<size_t>(space.dimensions()), 0);
  for (int d = space.dimensions() - 1; d >= 0; --d) {
    point[static_cast<size_t>(d)] = static_cast<int>(index % space.levels(d));
    index /= space.levels(d);
  }
  return point;
}

SearchResult grid_search(Problem& problem, const SearchOptions& options) {
  const std::vector<Objective> selected = parse_objectives(options.objectives);
  validate_design_space(problem.space());
  const int64_t size = checked_grid_size(problem.space(), options.budget);
  EvaluationLog log(problem, options, /*budget=*/0, /*progress_total=*/size);

  // Generate one batch at a time so memory stays at one batch of pending points.
  DesignPoint point(static_cast<size_t>(log.space().dimensions()), 0);
  bool more = true;
  std::vector<DesignPoint> batch;
  while (more && !log.stop_requested()) {
    batch.clear();
    while (more && static_cast<int>(batch.size()) < options.batch) {
      batch.push_back(point);
      more = advance(log.space(), point);
    }
    log.evaluate(batch);
  }
  return log.make_result(selected, options.hypervolume_reference);
}

}  // namespace tinyskip::engine
