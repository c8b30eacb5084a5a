// Pareto filtering and hypervolume (engine/search/pareto.h) against naive
// independent implementations and hand-worked values.
#include <algorithm>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "engine/search/pareto.h"
#include "tests/engine/search_synthetic_problem.h"

namespace tinyskip {
namespace {

using engine::Objective;
using engine::Objectives;

// Random points on a coarse integer lattice so that ties and exact duplicates
// are frequent; about one in five is infeasible.
std::vector<Objectives> random_points(std::mt19937& generator, size_t count) {
  std::uniform_int_distribution<int> value(0, 6);
  std::uniform_int_distribution<int> coin(0, 4);
  std::vector<Objectives> points;
  for (size_t i = 0; i < count; ++i) {
    Objectives point;
    point.error = value(generator) * 0.01;
    point.cycles = 1000.0 + 100.0 * value(generator);
    point.flash_bytes = 5000.0 + 10.0 * value(generator);
    point.feasible = coin(generator) != 0;
    points.push_back(point);
  }
  // Explicit duplicates of earlier points, one feasible, one not.
  points.push_back(points[0]);
  points.push_back(points[1]);
  points.back().feasible = !points[1].feasible;
  return points;
}

std::vector<double> select(const Objectives& point, const std::vector<Objective>& selected) {
  std::vector<double> values;
  for (Objective objective : selected) {
    if (objective == Objective::kError) values.push_back(point.error);
    if (objective == Objective::kCycles) values.push_back(point.cycles);
    if (objective == Objective::kFlash) values.push_back(point.flash_bytes);
  }
  return values;
}

// Naive hypervolume: compress coordinates, then add every grid cell whose
// lower corner is weakly dominated by some point. Works in any dimension.
double naive_hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference) {
  const size_t dims = reference.size();
  std::vector<std::vector<double>> axes(dims);
  for (size_t d = 0; d < dims; ++d) {
    std::set<double> coordinates = {reference[d]};
    for (const auto& p : points)
      if (p[d] < reference[d]) coordinates.insert(p[d]);
    axes[d].assign(coordinates.begin(), coordinates.end());
  }
  double volume = 0;
  std::vector<size_t> cell(dims, 0);
  while (true) {
    bool in_range = true;
    for (size_t d = 0; d < dims; ++d) in_range = in_range && cell[d] + 1 < axes[d].size();
    if (in_range) {
      double cell_volume = 1;
      std::vector<double> corner(dims);
      for (size_t d = 0; d < dims; ++d) {
        corner[d] = axes[d][cell[d]];
        cell_volume *= axes[d][cell[d] + 1] - axes[d][cell[d]];
      }
      const bool covered = std::any_of(points.begin(), points.end(), [&](const std::vector<double>& p) {
        for (size_t d = 0; d < dims; ++d)
          if (p[d] > corner[d]) return false;
        return true;
      });
      if (covered) volume += cell_volume;
    }
    size_t d = 0;
    while (d < dims && ++cell[d] >= axes[d].size()) cell[d++] = 0;
    if (d == dims) break;
  }
  return volume;
}

TEST_CASE("pareto_front matches a naive O(n^2) filter on random sets with duplicates and infeasible points") {
  std::mt19937 generator(12345);
  const std::vector<std::vector<Objective>> selections = {
      {Objective::kError, Objective::kCycles},
      {Objective::kError, Objective::kCycles, Objective::kFlash},
      {Objective::kCycles, Objective::kFlash},
      {Objective::kError}};
  for (int trial = 0; trial < 40; ++trial) {
    const std::vector<Objectives> points = random_points(generator, 5 + static_cast<size_t>(trial) * 3);
    for (const auto& selected : selections) {
      std::vector<std::vector<double>> values;
      std::vector<bool> feasible;
      for (const Objectives& p : points) {
        values.push_back(select(p, selected));
        feasible.push_back(p.feasible);
      }
      const std::vector<size_t> expected = test::naive_front(values, feasible);
      const std::vector<size_t> front = engine::pareto_front(points, selected);
      CHECK(std::set<size_t>(front.begin(), front.end()) == std::set<size_t>(expected.begin(), expected.end()));
      CHECK(front.size() == expected.size());
      // Documented order: strictly ascending objective vectors.
      for (size_t i = 1; i < front.size(); ++i) CHECK(values[front[i - 1]] < values[front[i]]);
    }
  }
}

TEST_CASE("pareto_front keeps the first of exact duplicates and never an infeasible point") {
  Objectives good{0.1, 500, 10, true};
  Objectives better_but_infeasible{0.05, 400, 10, false};
  const std::vector<Objectives> points = {better_but_infeasible, good, good, good};
  const std::vector<size_t> front = engine::pareto_front(points, {Objective::kError, Objective::kCycles});
  REQUIRE(front == std::vector<size_t>{1});
}

TEST_CASE("pareto_front rejects non-finite objectives of feasible points") {
  Objectives bad{std::nan(""), 500, 10, true};
  CHECK_THROWS_AS(engine::pareto_front({bad}, {Objective::kError}), engine::SearchError);
  bad.feasible = false;  // infeasible points are never ranked, so they may be anything
  CHECK(engine::pareto_front({bad}, {Objective::kError}).empty());
}

TEST_CASE("2-D hypervolume, hand-worked") {
  // Points (1,5), (2,3), (4,1), a dominated (3,4), and (7,0) which is beyond
  // the reference x = 6 and adds nothing; reference (6,6).
  // Vertical strips of the dominated region:
  //   x in [1,2): covered from y = 5 up to 6 -> 1 * 1 = 1
  //   x in [2,4): covered from y = 3         -> 2 * 3 = 6
  //   x in [4,6): covered from y = 1         -> 2 * 5 = 10
  // total 17.
  const std::vector<std::vector<double>> points = {{1, 5}, {2, 3}, {4, 1}, {3, 4}, {7, 0}};
  CHECK(engine::hypervolume(points, {6, 6}) == 17.0);
  // A single point: one rectangle (6-2) * (6-3) = 12.
  CHECK(engine::hypervolume({{2, 3}}, {6, 6}) == 12.0);
  // A point on the reference boundary has zero area.
  CHECK(engine::hypervolume({{6, 1}}, {6, 6}) == 0.0);
  CHECK(engine::hypervolume({}, {6, 6}) == 0.0);
}

TEST_CASE("3-D hypervolume, hand-worked and against naive cell counting") {
  // One box [1,2]x[1,3]x[1,4]: 1 * 2 * 3 = 6.
  CHECK(engine::hypervolume({{1, 1, 1}}, {2, 3, 4}) == Approx(6.0));
  // (0,0,1) gives 2*2*1 = 4, (1,1,0) gives 1*1*2 = 2, their overlap
  // [1,2]^3 is 1: union 4 + 2 - 1 = 5.
  CHECK(engine::hypervolume({{0, 0, 1}, {1, 1, 0}}, {2, 2, 2}) == Approx(5.0));

  std::mt19937 generator(777);
  std::uniform_int_distribution<int> value(0, 9);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::vector<double>> points;
    for (int i = 0; i < 12; ++i)
      points.push_back({value(generator) * 0.5, value(generator) * 1.0, value(generator) * 0.25});
    const std::vector<double> reference = {4.0, 8.0, 2.0};
    CHECK(engine::hypervolume(points, reference) == Approx(naive_hypervolume(points, reference)));
  }
  for (int trial = 0; trial < 10; ++trial) {  // and the 2-D sweep against the same naive count
    std::vector<std::vector<double>> points;
    for (int i = 0; i < 15; ++i) points.push_back({value(generator) * 1.0, value(generator) * 0.5});
    CHECK(engine::hypervolume(points, {8.0, 4.0}) == Approx(naive_hypervolume(points, {8.0, 4.0})));
  }
}

TEST_CASE("normalised hypervolume: accuracy points and baseline fractions, hand-worked") {
  // Baseline error 0.10, 1000 cycles. (0.11, 800) -> (1 pp, 0.8),
  // (0.13, 500) -> (3 pp, 0.5); reference (10 pp, 1.0).
  // Horizontal slabs: y in [0.8,1.0) from x = 1: 9 * 0.2 = 1.8;
  //                   y in [0.5,0.8) from x = 3: 7 * 0.3 = 2.1; total 3.9.
  // An infeasible (0.10, 100) would add a lot, but is not on the front.
  const Objectives baseline{0.10, 1000, 2000, true};
  const std::vector<Objectives> points = {
      baseline, {0.11, 800, 2000, true}, {0.13, 500, 2000, true}, {0.10, 100, 2000, false}};
  const std::vector<Objective> selected = {Objective::kError, Objective::kCycles};
  CHECK(engine::normalised_hypervolume(points, baseline, selected) == Approx(3.9));
  // A tighter error reference of 2 pp keeps only the first point: (2-1) * 0.2.
  engine::HypervolumeReference tight;
  tight.error_points = 2;
  CHECK(engine::normalised_hypervolume(points, baseline, selected, tight) == Approx(0.2));
  const std::vector<double> normalised =
      engine::normalised_objective_vector({0.13, 500, 1500, true}, baseline,
                                          {Objective::kError, Objective::kCycles, Objective::kFlash});
  CHECK(normalised[0] == Approx(3.0));
  CHECK(normalised[1] == Approx(0.5));
  CHECK(normalised[2] == Approx(0.75));
  CHECK_THROWS_AS(engine::normalised_objective_vector(points[1], {0.1, 0, 1, true}, selected), engine::SearchError);

  // A fidelity score's error is already in its unit (here -SNR in dB): scale
  // 1. Baseline -120 dB (identical outputs); points at 40 and 20 dB are 80 and
  // 100 dB below it; with the reference at 110 dB (a 10 dB budget):
  // (110 - 80) * (1 - 0.8) + (110 - 100) * (0.8 - 0.5) = 6 + 3 = 9.
  const Objectives snr_baseline{-120, 1000, 2000, true};
  const std::vector<Objectives> snr_points = {snr_baseline, {-40, 800, 2000, true}, {-20, 500, 2000, true}};
  engine::HypervolumeReference snr;
  snr.error_scale = 1.0;
  snr.error_points = 110;
  CHECK(engine::normalised_hypervolume(snr_points, snr_baseline, selected, snr) == Approx(9.0));
  CHECK(engine::normalised_hypervolume(snr_points, snr_baseline, selected) == 0.0);  // scale 100: all beyond 10
}

TEST_CASE("parse_objectives accepts the documented names and rejects bad lists") {
  CHECK(engine::parse_objectives({"error", "cycles", "flash"}) ==
        std::vector<Objective>{Objective::kError, Objective::kCycles, Objective::kFlash});
  CHECK(engine::parse_objectives({"flash_bytes"}) == std::vector<Objective>{Objective::kFlash});
  CHECK_THROWS_AS(engine::parse_objectives({}), engine::SearchError);
  CHECK_THROWS_WITH(engine::parse_objectives({"latency"}), Catch::Contains("latency"));
  CHECK_THROWS_WITH(engine::parse_objectives({"error", "error"}), Catch::Contains("twice"));
}

}  // namespace
}  // namespace tinyskip
