// NSGA-II search (engine/search/nsga2_search.h) on synthetic problems with
// analytic objectives: exact budget, reproducibility, and closeness to the
// brute-force front.
#include <algorithm>
#include <atomic>
#include <set>

#include <catch2/catch.hpp>

#include "engine/search/greedy_start.h"
#include "engine/search/nsga2_search.h"
#include "engine/search/random_search.h"
#include "tests/engine/search_synthetic_problem.h"

namespace tinyskip {
namespace {

using engine::DesignPoint;

// 6 layers x 11 levels (1.77 million points): far too many for a grid.
test::SyntheticProblem large_problem() {
  return test::SyntheticProblem({11, 11, 11, 11, 11, 11}, {0.0004, 0.0002, 0.0008, 0.0001, 0.0003, 0.0005},
                                {20000, 30000, 10000, 15000, 5000, 25000}, {300, 100, 200, 400, 50, 150});
}

// 4 layers x 8 levels (4096 points): small enough to brute-force.
test::SyntheticProblem small_problem() {
  return test::SyntheticProblem({8, 8, 8, 8}, {0.0004, 0.0002, 0.0008, 0.0001}, {20000, 30000, 10000, 15000},
                                {300, 100, 200, 400});
}

engine::SearchOptions nsga2_options(int64_t budget, uint64_t seed) {
  engine::SearchOptions options;
  options.budget = budget;
  options.seed = seed;
  options.population = 24;
  options.batch = 16;
  return options;
}

// Normalised hypervolume of the true front, from every point of the space.
double true_hypervolume(const test::SyntheticProblem& problem, const std::vector<engine::Objective>& selected) {
  std::vector<engine::Objectives> all;
  for (const DesignPoint& point : problem.all_points()) all.push_back(problem.objectives_of(point));
  const engine::Objectives baseline = problem.objectives_of(DesignPoint(problem.space().layers.size(), 0));
  std::vector<std::vector<double>> values;
  std::vector<bool> feasible;
  for (const engine::Objectives& o : all) {
    values.push_back(engine::normalised_objective_vector(o, baseline, selected));
    feasible.push_back(o.feasible);
  }
  std::vector<std::vector<double>> front;
  for (size_t index : test::naive_front(values, feasible)) front.push_back(values[index]);
  return engine::hypervolume(front, engine::normalised_reference(engine::HypervolumeReference{}, selected));
}

TEST_CASE("nsga2 spends the budget exactly, in batches, on distinct points") {
  test::SyntheticProblem problem = large_problem();
  engine::SearchOptions options = nsga2_options(500, 7);
  int64_t last_done = 0;
  options.progress = [&](int64_t done, int64_t total) {
    CHECK(done > last_done);
    CHECK(total == 500);
    last_done = done;
  };
  const engine::SearchResult result = engine::nsga2_search(problem, options);
  CHECK(result.evaluations == 500);
  CHECK(problem.evaluations() == 500);
  CHECK(last_done == 500);
  CHECK(problem.requested.size() == 500);  // never asks twice for a point
  CHECK(result.evaluated_in_order == problem.requested);
  for (size_t size : problem.batch_sizes) CHECK(size <= 16);
  // Start population: the exact point first, then each layer alone at its top level.
  REQUIRE(result.evaluated_in_order.size() >= 7);
  CHECK(result.evaluated_in_order[0] == DesignPoint{0, 0, 0, 0, 0, 0});
  CHECK(result.evaluated_in_order[1] == DesignPoint{10, 0, 0, 0, 0, 0});
  CHECK(result.evaluated_in_order[6] == DesignPoint{0, 0, 0, 0, 0, 10});
  CHECK_FALSE(result.front.empty());
  CHECK(result.hypervolume > 0);
}

TEST_CASE("nsga2 is reproducible for a seed and differs across seeds") {
  test::SyntheticProblem first = large_problem();
  test::SyntheticProblem second = large_problem();
  test::SyntheticProblem other = large_problem();
  const engine::SearchResult a = engine::nsga2_search(first, nsga2_options(300, 42));
  const engine::SearchResult b = engine::nsga2_search(second, nsga2_options(300, 42));
  const engine::SearchResult c = engine::nsga2_search(other, nsga2_options(300, 43));
  CHECK(a.evaluated_in_order == b.evaluated_in_order);
  CHECK(a.front == b.front);
  CHECK(a.hypervolume == b.hypervolume);
  CHECK(first.batch_sizes == second.batch_sizes);
  CHECK(a.evaluated_in_order != c.evaluated_in_order);
}

TEST_CASE("nsga2 reaches at least 90% of the true front's hypervolume") {
  const std::vector<engine::Objective> selected = {engine::Objective::kError, engine::Objective::kCycles};
  test::SyntheticProblem problem = small_problem();
  const double best = true_hypervolume(problem, selected);
  REQUIRE(best > 0);
  for (uint64_t seed : {1, 2, 3}) {
    test::SyntheticProblem fresh = small_problem();
    const engine::SearchResult result = engine::nsga2_search(fresh, nsga2_options(400, seed));
    CHECK(result.evaluations == 400);
    CHECK(result.hypervolume >= 0.9 * best);
    CHECK(result.hypervolume <= best * (1 + 1e-12));
  }
}

// The 90 % bar above is one that 400 random points also clear in most
// seeds, so it cannot tell NSGA-II from sampling. This one can: on the large
// space at a budget of 300 (0.02 % of it), every NSGA-II seed must beat the
// mean of ten random searches with the same budget, and the mean of three
// NSGA-II seeds their best, on two and three objectives (measured: 2-D 5.64-5.78
// against a random mean of 5.22 and best of 5.39; 3-D 0.403-0.422 against
// 0.383 and 0.406). Random sampling in NSGA-II's place fails the second.
TEST_CASE("nsga2 beats random search at the same budget on a space too large to sample") {
  for (const std::vector<std::string>& objectives :
       {std::vector<std::string>{"error", "cycles"}, std::vector<std::string>{"error", "cycles", "flash"}}) {
    INFO(objectives.size() << " objectives");
    double best_random = 0, mean_random = 0;
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      test::SyntheticProblem fresh = large_problem();
      engine::SearchOptions options = nsga2_options(300, seed);
      options.objectives = objectives;
      const double hypervolume = engine::random_search(fresh, options).hypervolume;
      best_random = std::max(best_random, hypervolume);
      mean_random += hypervolume / 10;
    }
    double mean_nsga2 = 0;
    for (uint64_t seed : {1, 2, 3}) {
      test::SyntheticProblem fresh = large_problem();
      engine::SearchOptions options = nsga2_options(300, seed);
      options.objectives = objectives;
      options.greedy_start = false;  // the algorithm itself, not the sweep
      const double hypervolume = engine::nsga2_search(fresh, options).hypervolume;
      INFO("seed " << seed << ": nsga2 " << hypervolume << ", random mean " << mean_random);
      CHECK(hypervolume > mean_random);
      mean_nsga2 += hypervolume / 3;
    }
    INFO("nsga2 mean " << mean_nsga2 << ", best of 10 random " << best_random);
    CHECK(mean_nsga2 > best_random);
  }
}

TEST_CASE("nsga2 with three objectives and infeasible points keeps only feasible non-dominated points") {
  const std::vector<engine::Objective> selected = {engine::Objective::kError, engine::Objective::kCycles,
                                                   engine::Objective::kFlash};
  test::SyntheticProblem problem = small_problem();
  // A stand-in for a flash or latency constraint that cuts out a slab of the space.
  problem.infeasible = [](const DesignPoint& p) { return p[0] + p[3] >= 11; };
  engine::SearchOptions options = nsga2_options(400, 5);
  options.objectives = {"error", "cycles", "flash"};
  const engine::SearchResult result = engine::nsga2_search(problem, options);
  CHECK(result.evaluations == 400);
  // The front must be the naive front of exactly the evaluated points.
  std::vector<std::vector<double>> values;
  std::vector<bool> feasible;
  for (const DesignPoint& point : result.evaluated_in_order) {
    const engine::Objectives o = problem.objectives_of(point);
    values.push_back({o.error, o.cycles, o.flash_bytes});
    feasible.push_back(o.feasible);
  }
  std::set<DesignPoint> expected;
  for (size_t index : test::naive_front(values, feasible)) expected.insert(result.evaluated_in_order[index]);
  CHECK(std::set<DesignPoint>(result.front.begin(), result.front.end()) == expected);
  for (const DesignPoint& point : result.front) CHECK_FALSE(problem.infeasible(point));
  CHECK(result.hypervolume >= 0.9 * true_hypervolume(problem, selected));
}

TEST_CASE("nsga2 with a greedy start spends the sweep first and stays within budget") {
  test::SyntheticProblem problem = large_problem();
  engine::SearchOptions options = nsga2_options(200, 11);
  options.greedy_start = true;
  options.greedy_max_error_increase = 0.03;
  const engine::SearchResult result = engine::nsga2_search(problem, options);
  CHECK(result.evaluations == 200);
  CHECK(problem.evaluations() == 200);
  // The sweep comes first: the exact point, then layer 0 alone at levels 1..10, ...
  const int64_t sweep = engine::greedy_sweep_size(problem.space());
  CHECK(sweep == 61);  // 1 + 6 * (11 - 1)
  CHECK(result.evaluated_in_order[0] == DesignPoint{0, 0, 0, 0, 0, 0});
  CHECK(result.evaluated_in_order[1] == DesignPoint{1, 0, 0, 0, 0, 0});
  CHECK(result.evaluated_in_order[60] == DesignPoint{0, 0, 0, 0, 0, 10});

  options.budget = 60;  // too small for the sweep
  test::SyntheticProblem again = large_problem();
  CHECK_THROWS_WITH(engine::nsga2_search(again, options), Catch::Contains("greedy"));
}

TEST_CASE("nsga2 ends early when the whole space has been evaluated") {
  // 3 x 2 x 2 = 12 points, budget 100: it must stop after all 12.
  test::SyntheticProblem problem({3, 2, 2}, {0.001, 0.002, 0.003}, {100, 200, 300});
  const engine::SearchResult result = engine::nsga2_search(problem, nsga2_options(100, 3));
  CHECK(result.evaluations == 12);
  CHECK(std::set<DesignPoint>(result.evaluated_in_order.begin(), result.evaluated_in_order.end()).size() == 12);
}

TEST_CASE("nsga2 honours a budget smaller than the population and the stop flag") {
  // Budget 10 < population 24: only the first 10 start points are evaluated
  // (the exact point, the 6 single-layer extremes, then 3 random ones).
  test::SyntheticProblem small_budget = large_problem();
  const engine::SearchResult cut = engine::nsga2_search(small_budget, nsga2_options(10, 9));
  CHECK(cut.evaluations == 10);
  CHECK(small_budget.evaluations() == 10);
  CHECK(cut.evaluated_in_order[0] == DesignPoint{0, 0, 0, 0, 0, 0});

  // The start population of 24 goes out in batches of 16; raising the flag
  // after the first call stops before the second.
  test::SyntheticProblem stopped = large_problem();
  std::atomic<bool> stop{false};
  stopped.after_batch = [&] { stop = true; };
  engine::SearchOptions options = nsga2_options(500, 9);
  options.stop = &stop;
  const engine::SearchResult result = engine::nsga2_search(stopped, options);
  CHECK(result.stopped);
  CHECK(result.evaluations == 16);
  CHECK(stopped.batch_sizes == std::vector<size_t>{16});
}

TEST_CASE("nsga2 rejects bad options") {
  test::SyntheticProblem problem = small_problem();
  engine::SearchOptions options = nsga2_options(0, 1);
  CHECK_THROWS_WITH(engine::nsga2_search(problem, options), Catch::Contains("budget"));
  options.budget = 10;
  options.population = 3;
  CHECK_THROWS_WITH(engine::nsga2_search(problem, options), Catch::Contains("population"));
  options.population = 8;
  options.objectives = {"error"};
  CHECK_THROWS_WITH(engine::nsga2_search(problem, options), Catch::Contains("objectives"));
  CHECK(problem.requested.empty());
}

}  // namespace
}  // namespace tinyskip
