// The surrogate search against the exhaustive front and against random
// search at the same budget, on synthetic problems whose true front is known
// by brute force: additive effects plus a layer interaction the sum misses.
#include <catch2/catch.hpp>

#include <set>

#include "engine/search/pareto.h"
#include "engine/search/random_search.h"
#include "engine/search/surrogate_search.h"
#include "tests/engine/search_synthetic_problem.h"

using namespace tinyskip;

namespace {

test::SyntheticProblem interacting_problem() {
  test::SyntheticProblem problem({6, 6, 6, 6, 6}, {0.0004, 0.001, 0.0002, 0.0025, 0.0007},
                                 {900, 2500, 400, 3000, 1200});
  // Deep skipping in two layers at once costs more than each alone says.
  problem.interaction = [](const engine::DesignPoint& p) { return 0.0003 * p[1] * p[3] + 0.0001 * p[0] * p[4]; };
  return problem;
}

double true_hypervolume(const test::SyntheticProblem& problem, const engine::Objectives& baseline,
                        const std::vector<engine::Objective>& selected) {
  std::vector<engine::Objectives> all;
  for (const engine::DesignPoint& p : problem.all_points()) all.push_back(problem.objectives_of(p));
  return engine::normalised_hypervolume(all, baseline, selected);
}

}  // namespace

TEST_CASE("surrogate search: 99 % of the true front's hypervolume with 5 % of the grid, above random search") {
  test::SyntheticProblem problem = interacting_problem();
  const std::vector<engine::Objective> selected = engine::parse_objectives({"error", "cycles"});
  const engine::Objectives baseline = problem.objectives_of(engine::DesignPoint(5, 0));
  const double full = true_hypervolume(problem, baseline, selected);
  engine::SearchOptions options;
  options.budget = 7776 / 20;  // 5 %
  options.batch = 8;
  const engine::SearchResult result = engine::surrogate_search(problem, options);
  CHECK(result.evaluations <= options.budget);
  CHECK(problem.evaluations() == result.evaluations);  // distinct points only
  const double ratio = result.hypervolume / full;
  CHECK(ratio >= 0.99);

  double best_random = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    test::SyntheticProblem fresh = interacting_problem();
    options.seed = seed;
    best_random = std::max(best_random, engine::random_search(fresh, options).hypervolume / full);
  }
  INFO("surrogate " << ratio << ", best of 10 random " << best_random);
  CHECK(ratio > best_random + 0.02);

  // No random choice: the same points again.
  test::SyntheticProblem again = interacting_problem();
  CHECK(engine::surrogate_search(again, options).evaluated_in_order == result.evaluated_in_order);
}

TEST_CASE("surrogate search leaves out levels whose sweep point is infeasible and stays in budget") {
  test::SyntheticProblem problem = interacting_problem();
  problem.infeasible = [](const engine::DesignPoint& p) { return p[3] >= 4; };
  engine::SearchOptions options;
  options.budget = 60;
  const engine::SearchResult result = engine::surrogate_search(problem, options);
  CHECK(result.evaluations == 60);
  // Only the sweep ever tries layer 3 at level 4 or 5 (alone: two points).
  int infeasible_tried = 0;
  for (const engine::DesignPoint& p : result.evaluated_in_order) infeasible_tried += p[3] >= 4;
  CHECK(infeasible_tried == 2);
  for (const engine::Objectives& o : result.front_objectives) CHECK(o.feasible);
}
