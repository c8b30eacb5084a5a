// The early-stopping bound and decision, on hand-worked numbers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/explore/early_stopping.h"

using namespace tinyskip::engine;

namespace {

StopRule rule(double confidence, std::optional<double> max_loss = std::nullopt) {
  EarlyStoppingConfig config;
  config.confidence = confidence;
  config.block_images = 100;
  Constraints constraints;
  constraints.max_accuracy_loss = max_loss;
  // The exact model: 700 of 1000 right (70 %).
  return StopRule(config, 1000, {"error", "cycles"}, Score::count(ScoreKind::kTop1, 700, 1000), constraints);
}

// A front point's error as the evaluator computes it, from its whole-split score.
double error_of(int errors) { return error_objective(Score::count(ScoreKind::kTop1, 1000 - errors, 1000)); }

Objectives point(double error, double cycles) {
  Objectives o;
  o.error = error;
  o.cycles = cycles;
  return o;
}

}  // namespace

TEST_CASE("early stopping: the lower bound on a point's error", "[engine]") {
  // Certain: 60 errors seen can only grow: 60 / 1000.
  CHECK(rule(1.0).error_lower_bound(60, 100) == Approx(0.06));
  // Serfling at 0.999 over 9 checks: d = 0.001 / 9, ln(1/d) = 9.10498;
  // width = sqrt((1 - 99/1000) * 9.10498 / 200) = 0.202530;
  // 0.6 - 0.202530 = 0.397470 -> 397.47 errors, so at least 398: 0.398.
  CHECK(rule(0.999).error_lower_bound(60, 100) == Approx(0.398));
  // Few errors: the certain bound is the larger.
  CHECK(rule(0.999).error_lower_bound(5, 100) == Approx(0.005));
  // Near the whole split the width shrinks to nothing: 300 errors in 900
  // give 1/3 - sqrt((1 - 899/1000) * 9.10498 / 1800) = 0.333333 - 0.022604
  // -> 310.73, so 311 errors.
  CHECK(rule(0.999).error_lower_bound(300, 900) == Approx(0.311));
}

TEST_CASE("early stopping: stop only when dominated or certainly infeasible", "[engine]") {
  const std::vector<Objectives> front = {point(error_of(300), 100.0), point(error_of(400), 80.0)};
  const StopRule certain = rule(1.0);
  // 350 errors in 500 (bound 0.35): slower than the 0.30 point, so dominated.
  CHECK(certain.should_stop(350, 500, point(0, 120.0), front));
  // Faster than every front point: never stopped, however bad.
  CHECK_FALSE(certain.should_stop(499, 500, point(0, 70.0), front));
  // Bound 0.30 at equal cycles is not strictly dominated.
  CHECK_FALSE(certain.should_stop(300, 500, point(0, 100.0), front));
  // Bound 0.301 at equal cycles is.
  CHECK(certain.should_stop(301, 500, point(0, 100.0), front));
  // The last block is never a reason to stop: the point is fully seen.
  CHECK_FALSE(certain.should_stop(999, 1000, point(0, 120.0), front));

  // The accuracy floor: 8 pp below 70 % is 62 %, so 380 errors allowed.
  const StopRule floor = rule(1.0, 8.0);
  CHECK_FALSE(floor.certainly_infeasible(380, 500));  // 62.0 % still possible
  CHECK(floor.certainly_infeasible(381, 500));        // at most 61.9 %
  CHECK(floor.should_stop(381, 500, point(0, 10.0), {}));

  // Disabled below a block of the split, and for fidelity scores.
  EarlyStoppingConfig config;
  CHECK_FALSE(StopRule(config, 400, {"error", "cycles"}, Score::count(ScoreKind::kTop1, 300, 400), {}).enabled());
  CHECK_FALSE(StopRule(config, 5000, {"error", "cycles"}, Score::fidelity(ScoreKind::kOutputMae, 0.1, 0, 0.2, 5000), {})
                  .enabled());
}

TEST_CASE("early stopping: the evaluation order is a seeded permutation", "[engine]") {
  const std::vector<int> a = evaluation_order(1000, 7), b = evaluation_order(1000, 7), c = evaluation_order(1000, 8);
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 1000; ++i) REQUIRE(sorted[static_cast<size_t>(i)] == i);
  // Not the identity, and well mixed: about half the first 500 are from the first half.
  int first_half = 0;
  for (int i = 0; i < 500; ++i) first_half += a[static_cast<size_t>(i)] < 500;
  CHECK(first_half > 200);
  CHECK(first_half < 300);
}
