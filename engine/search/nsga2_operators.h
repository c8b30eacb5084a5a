// Building blocks of our NSGA-II over integer level vectors: a portable random
// stream, variation operators, and constrained non-dominated ranking with
// crowding (via pagmo's fast_non_dominated_sorting and crowding_distance).
// Kept apart from the generation loop so each piece can be read and tested on
// its own.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "engine/search/problem.h"
#include "engine/search/pareto.h"

namespace tinyskip::engine {

// Random draws that are identical on every platform for a given seed:
// std::mt19937_64's output sequence is fixed by the standard, but the std
// distributions are implementation-defined, so the draws are done here.
class SearchRandom {
 public:
  explicit SearchRandom(uint64_t seed) : engine_(seed) {}
  // Uniform integer in [0, n), n >= 1 (rejection sampling, unbiased).
  uint64_t below(uint64_t n);
  // True with probability p.
  bool chance(double p);

 private:
  std::mt19937_64 engine_;
};

DesignPoint random_point(const DesignSpace& space, SearchRandom& random);

// Uniform crossover: each layer's level comes from either parent with equal
// probability; the second child takes the other parent's level. Thresholds of
// different layers act largely independently, so mixing per layer is natural.
void uniform_crossover(DesignPoint& first, DesignPoint& second, SearchRandom& random);

// Each layer mutates with `probability`: half the time one level up or down
// (a small move along the ordered threshold list, reflected at the ends),
// otherwise to a uniformly chosen different level (a jump). Layers with one
// level never change. Returns whether anything changed.
bool mutate(DesignPoint& point, const DesignSpace& space, double probability, SearchRandom& random);

// Constrained non-domination rank and crowding distance of every point.
// Feasible points are ranked among themselves first (rank 0 = their front);
// infeasible ones follow, ranked by non-domination among themselves (Deb's
// constraint-domination with a yes/no constraint: any feasible point beats any
// infeasible one). Crowding is per rank; the ends of a rank, and a rank of one
// point, get +infinity.
struct Ranking {
  std::vector<size_t> rank;
  std::vector<double> crowding;
};
Ranking rank_population(const std::vector<Objectives>& points, const std::vector<Objective>& selected);

// a beats b in NSGA-II's crowded comparison (lower rank, then larger crowding).
bool crowded_better(const Ranking& ranking, size_t a, size_t b);

// Indices of the best `count` points: by rank, then crowding descending, then
// index (a total order, so the choice never depends on sort stability).
std::vector<size_t> select_best(const Ranking& ranking, size_t count);

}  // namespace tinyskip::engine
