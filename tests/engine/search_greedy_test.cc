// Sensitivity-guided greedy start (engine/search/greedy_start.h), traced by
// hand on a 2-layer, 3-level synthetic problem.
#include <catch2/catch.hpp>

#include "engine/search/greedy_start.h"
#include "tests/engine/search_synthetic_problem.h"

namespace tinyskip {
namespace {

using engine::DesignPoint;

// Base error 0.125, 1000 cycles. Layer 0 saves 100 cycles per level and adds
// error {0, 0, 1/32}; layer 1 saves 200 per level and adds {0, 1/128, 1/16}.
// With `clash`, layer 0 at level 2 together with layer 1 >= 1 adds another
// 1/64. All error values are dyadic, so sums are exact in binary.
test::SyntheticProblem walk_problem(bool clash) {
  test::SyntheticProblem problem({3, 3}, {0, 0}, {100, 200});
  problem.base_cycles = 1000;
  problem.interaction = [clash](const DesignPoint& p) {
    const double layer0[] = {0, 0, 0.03125};
    const double layer1[] = {0, 0.0078125, 0.0625};
    const bool both = clash && p[0] == 2 && p[1] >= 1;
    return layer0[p[0]] + layer1[p[1]] + (both ? 0.015625 : 0.0);
  };
  return problem;
}

engine::SearchOptions walk_options() {
  engine::SearchOptions options;
  options.greedy_max_error_increase = 0.046875;  // error limit 0.171875
  return options;
}

// Sweep: (0,0), then layer 0 alone at 1, 2, then layer 1 alone at 1, 2:
// 1 + (3-1) + (3-1) = 5 evaluations.
const std::vector<DesignPoint> kSweep = {{0, 0}, {1, 0}, {2, 0}, {0, 1}, {0, 2}};

TEST_CASE("greedy start: sweep cost and a walk with one rejected step, hand-traced") {
  // Walk (estimates from the sweep; layer 1 -> 2 is never tried: alone it adds
  // 1/16 > 3/64):
  //  at (0,0): L0->1 saves 100 for free -> best. (1,0) is a sweep point: free. Accept.
  //  at (1,0): L0->2 saves 100 for 1/32 (ratio 3200), L1->1 saves 200 for 1/128
  //            (ratio 25600) -> (1,1), error 0.1328125: accept (new eval 6).
  //  at (1,1): only L0->2 -> (2,1), error 0.125+1/32+1/128+1/64 = 0.1796875 >
  //            0.171875: reject (new eval 7), cap layer 0 at 1. No moves left.
  test::SyntheticProblem problem = walk_problem(/*clash=*/true);
  const engine::GreedyStartResult result = engine::greedy_start(problem, walk_options());
  CHECK(engine::greedy_sweep_size(problem.space()) == 5);
  CHECK(result.sweep_evaluations == 5);
  CHECK(result.walk_evaluations == 2);
  CHECK(problem.evaluations() == 7);
  CHECK(result.seeds == std::vector<DesignPoint>{{1, 0}, {1, 1}});
  std::vector<DesignPoint> expected = kSweep;
  expected.push_back({1, 1});
  expected.push_back({2, 1});
  CHECK(problem.requested == expected);
  for (const DesignPoint& seed : result.seeds) CHECK(problem.objectives_of(seed).feasible);
}

TEST_CASE("greedy start: without the interaction the last step is accepted") {
  // Same walk, but (2,1) has error 0.125 + 1/32 + 1/128 = 0.1640625 <= limit.
  test::SyntheticProblem problem = walk_problem(/*clash=*/false);
  const engine::GreedyStartResult result = engine::greedy_start(problem, walk_options());
  CHECK(result.seeds == std::vector<DesignPoint>{{1, 0}, {1, 1}, {2, 1}});
  CHECK(result.sweep_evaluations == 5);
  CHECK(result.walk_evaluations == 2);
  CHECK(problem.evaluations() == 7);
}

TEST_CASE("greedy start: an infeasible step is rejected and a free sweep point taken instead") {
  // (1,1) infeasible: at (1,0) the walk tries (1,1) (new eval 6), rejects it
  // and caps layer 1 at 0; then L0->2 lands on sweep point (2,0), error
  // 0.15625: accepted for free. Seeds (1,0), (2,0); one walk evaluation.
  test::SyntheticProblem problem = walk_problem(/*clash=*/false);
  problem.infeasible = [](const DesignPoint& p) { return p == DesignPoint{1, 1}; };
  const engine::GreedyStartResult result = engine::greedy_start(problem, walk_options());
  CHECK(result.seeds == std::vector<DesignPoint>{{1, 0}, {2, 0}});
  CHECK(result.walk_evaluations == 1);
  CHECK(problem.evaluations() == 6);
  for (const DesignPoint& seed : result.seeds) CHECK(problem.objectives_of(seed).feasible);
}

TEST_CASE("greedy start respects the budget") {
  test::SyntheticProblem problem = walk_problem(/*clash=*/true);
  engine::SearchOptions options = walk_options();
  options.budget = 4;  // the sweep alone needs 5
  CHECK_THROWS_WITH(engine::greedy_start(problem, options), Catch::Contains("greedy") && Catch::Contains("5"));
  CHECK(problem.requested.empty());
  options.budget = 6;  // sweep + one walk evaluation: (1,0) is free, (1,1) uses the last one
  const engine::GreedyStartResult result = engine::greedy_start(problem, options);
  CHECK(result.seeds == std::vector<DesignPoint>{{1, 0}, {1, 1}});
  CHECK(result.walk_evaluations == 1);
  CHECK(problem.evaluations() == 6);
  options.greedy_max_error_increase = -0.01;
  CHECK_THROWS_AS(engine::greedy_start(problem, options), engine::SearchError);
}

}  // namespace
}  // namespace tinyskip
