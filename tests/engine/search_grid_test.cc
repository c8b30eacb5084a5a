// Exhaustive grid search (engine/search/grid_search.h) on a synthetic problem.
#include <atomic>
#include <set>

#include <catch2/catch.hpp>

#include "engine/search/grid_search.h"
#include "tests/engine/search_synthetic_problem.h"

namespace tinyskip {
namespace {

using engine::DesignPoint;

// 3 layers with 3, 2 and 4 levels: 24 points.
test::SyntheticProblem small_problem() {
  return test::SyntheticProblem({3, 2, 4}, {0.004, 0.01, 0.001}, {20000, 50000, 8000}, {100, 300, 50});
}

// Grid order written out as nested loops, last layer innermost.
std::vector<DesignPoint> expected_order() {
  std::vector<DesignPoint> order;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 4; ++c) order.push_back({a, b, c});
  return order;
}

TEST_CASE("grid search visits every point once, last layer fastest, in batches") {
  test::SyntheticProblem problem = small_problem();
  engine::SearchOptions options;
  options.batch = 5;
  std::vector<std::pair<int64_t, int64_t>> reports;
  options.progress = [&](int64_t done, int64_t total) { reports.emplace_back(done, total); };

  const engine::SearchResult result = engine::grid_search(problem, options);

  const std::vector<DesignPoint> order = expected_order();
  CHECK(result.evaluated_in_order == order);
  CHECK(problem.requested == order);
  CHECK(result.evaluations == 24);
  CHECK(problem.evaluations() == 24);
  // 24 points in batches of 5: 5, 5, 5, 5, 4.
  CHECK(problem.batch_sizes == std::vector<size_t>{5, 5, 5, 5, 4});
  CHECK(reports == std::vector<std::pair<int64_t, int64_t>>{{5, 24}, {10, 24}, {15, 24}, {20, 24}, {24, 24}});
  CHECK_FALSE(result.stopped);
  for (int64_t i = 0; i < 24; ++i) CHECK(engine::grid_point(problem.space(), i) == order[static_cast<size_t>(i)]);
}

TEST_CASE("grid search front equals the naive front of all points") {
  test::SyntheticProblem problem = small_problem();
  // Make a few of the cheapest points infeasible (e.g. a flash floor).
  problem.infeasible = [](const DesignPoint& p) { return p[0] == 2 && p[1] == 1; };
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"error", "cycles"}, std::vector<std::string>{"error", "cycles", "flash"}}) {
    engine::SearchOptions options;
    options.objectives = names;
    const engine::SearchResult result = engine::grid_search(problem, options);

    const std::vector<DesignPoint> all = problem.all_points();
    std::vector<std::vector<double>> values;
    std::vector<bool> feasible;
    for (const DesignPoint& p : all) {
      const auto o = problem.objectives_of(p);
      values.push_back(names.size() == 2 ? std::vector<double>{o.error, o.cycles}
                                         : std::vector<double>{o.error, o.cycles, o.flash_bytes});
      feasible.push_back(o.feasible);
    }
    std::set<DesignPoint> expected;
    for (size_t index : test::naive_front(values, feasible)) expected.insert(all[index]);
    CHECK(std::set<DesignPoint>(result.front.begin(), result.front.end()) == expected);
    CHECK(result.front.size() == expected.size());
    REQUIRE(result.front_objectives.size() == result.front.size());
    for (size_t i = 0; i < result.front.size(); ++i)
      CHECK(result.front_objectives[i].cycles == problem.objectives_of(result.front[i]).cycles);
    // Baseline is the all-zero point.
    CHECK(result.baseline.cycles == problem.base_cycles);
    CHECK(result.hypervolume > 0);
  }
}

TEST_CASE("grid search refuses a grid larger than the budget and points to nsga2") {
  test::SyntheticProblem problem = small_problem();
  engine::SearchOptions options;
  options.budget = 23;
  CHECK_THROWS_WITH(engine::grid_search(problem, options), Catch::Contains("nsga2") && Catch::Contains("24"));
  CHECK(problem.requested.empty());
  options.budget = 24;
  CHECK(engine::grid_search(problem, options).evaluations == 24);
}

TEST_CASE("grid search stops between batches when the stop flag rises") {
  test::SyntheticProblem problem = small_problem();
  std::atomic<bool> stop{false};
  problem.after_batch = [&] { stop = true; };
  engine::SearchOptions options;
  options.batch = 7;
  options.stop = &stop;
  const engine::SearchResult result = engine::grid_search(problem, options);
  CHECK(result.stopped);
  CHECK(result.evaluations == 7);
  CHECK(problem.batch_sizes == std::vector<size_t>{7});
  const std::vector<DesignPoint> order = expected_order();
  CHECK(result.evaluated_in_order == std::vector<DesignPoint>(order.begin(), order.begin() + 7));
}

TEST_CASE("grid search rejects bad options") {
  test::SyntheticProblem problem = small_problem();
  engine::SearchOptions options;
  options.batch = 0;
  CHECK_THROWS_AS(engine::grid_search(problem, options), engine::SearchError);
  options.batch = 4;
  options.objectives = {"accuracy"};
  CHECK_THROWS_AS(engine::grid_search(problem, options), engine::SearchError);
  test::SyntheticProblem empty({}, {}, {});
  CHECK_THROWS_AS(engine::grid_search(empty, engine::SearchOptions{}), engine::SearchError);
}

}  // namespace
}  // namespace tinyskip
