#include "engine/search/nsga2_operators.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>

#include <pagmo/utils/multi_objective.hpp>

namespace tinyskip::engine {
namespace {

// Non-domination ranks of a subset of the points, written into `rank` with
// `first_rank` added. pagmo's sorting needs at least two points.
size_t rank_subset(const std::vector<std::vector<double>>& vectors, const std::vector<size_t>& subset,
                   size_t first_rank, std::vector<size_t>& rank) {
  if (subset.empty()) return 0;
  if (subset.size() == 1) {
    rank[subset[0]] = first_rank;
    return 1;
  }
  std::vector<pagmo::vector_double> fitness;
  fitness.reserve(subset.size());
  for (size_t index : subset) fitness.push_back(vectors[index]);
  const auto sorting = pagmo::fast_non_dominated_sorting(fitness);
  const auto& subset_rank = std::get<3>(sorting);
  for (size_t i = 0; i < subset.size(); ++i) rank[subset[i]] = first_rank + static_cast<size_t>(subset_rank[i]);
  return std::get<0>(sorting).size();
}

// Crowding distance of one rank's members. pagmo divides by each objective's
// spread, which is 0/0 when all members tie on an objective; that objective
// then says nothing about crowding, so its NaN contribution counts as 0.
void crowd_rank(const std::vector<std::vector<double>>& vectors, const std::vector<size_t>& members,
                std::vector<double>& crowding) {
  if (members.size() < 2) {
    for (size_t index : members) crowding[index] = std::numeric_limits<double>::infinity();
    return;
  }
  std::vector<pagmo::vector_double> front;
  front.reserve(members.size());
  for (size_t index : members) front.push_back(vectors[index]);
  const pagmo::vector_double distances = pagmo::crowding_distance(front);
  for (size_t i = 0; i < members.size(); ++i) crowding[members[i]] = std::isnan(distances[i]) ? 0.0 : distances[i];
}

}  // namespace

uint64_t SearchRandom::below(uint64_t n) {
  // Reject the lowest (2^64 mod n) outputs so every residue is equally likely.
  const uint64_t rejected = (0 - n) % n;
  uint64_t draw = engine_();
  while (draw < rejected) draw = engine_();
  return draw % n;
}

bool SearchRandom::chance(double p) {
  // 53 random bits -> a double uniform in [0, 1).
  const double uniform = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  return uniform < p;
}

DesignPoint random_point(const DesignSpace& space, SearchRandom& random) {
  DesignPoint point(static_cast<size_t>(space.dimensions()));
  for (int d = 0; d < space.dimensions(); ++d)
    point[static_cast<size_t>(d)] = static_cast<int>(random.below(static_cast<uint64_t>(space.levels(d))));
  return point;
}

void uniform_crossover(DesignPoint& first, DesignPoint& second, SearchRandom& random) {
  for (size_t d = 0; d < first.size(); ++d)
    if (random.chance(0.5)) std::swap(first[d], second[d]);
}

bool mutate(DesignPoint& point, const DesignSpace& space, double probability, SearchRandom& random) {
  bool changed = false;
  for (int d = 0; d < space.dimensions(); ++d) {
    const int levels = space.levels(d);
    if (levels < 2 || !random.chance(probability)) continue;
    int& level = point[static_cast<size_t>(d)];
    if (random.chance(0.5)) {
      const bool up = random.chance(0.5);
      level = up ? (level + 1 < levels ? level + 1 : level - 1) : (level > 0 ? level - 1 : level + 1);
    } else {
      // A uniformly chosen level other than the current one.
      const int other = static_cast<int>(random.below(static_cast<uint64_t>(levels - 1)));
      level = other >= level ? other + 1 : other;
    }
    changed = true;
  }
  return changed;
}

Ranking rank_population(const std::vector<Objectives>& points, const std::vector<Objective>& selected) {
  std::vector<std::vector<double>> vectors;
  vectors.reserve(points.size());
  std::vector<size_t> feasible;
  std::vector<size_t> infeasible;
  for (size_t i = 0; i < points.size(); ++i) {
    vectors.push_back(objective_vector(points[i], selected));
    (points[i].feasible ? feasible : infeasible).push_back(i);
  }
  Ranking ranking{std::vector<size_t>(points.size(), 0), std::vector<double>(points.size(), 0.0)};
  const size_t feasible_ranks = rank_subset(vectors, feasible, 0, ranking.rank);
  const size_t all_ranks = feasible_ranks + rank_subset(vectors, infeasible, feasible_ranks, ranking.rank);

  std::vector<std::vector<size_t>> members(all_ranks);
  for (size_t i = 0; i < points.size(); ++i) members[ranking.rank[i]].push_back(i);
  for (const auto& rank_members : members) crowd_rank(vectors, rank_members, ranking.crowding);
  return ranking;
}

bool crowded_better(const Ranking& ranking, size_t a, size_t b) {
  if (ranking.rank[a] != ranking.rank[b]) return ranking.rank[a] < ranking.rank[b];
  return ranking.crowding[a] > ranking.crowding[b];
}

std::vector<size_t> select_best(const Ranking& ranking, size_t count) {
  std::vector<size_t> order(ranking.rank.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (crowded_better(ranking, a, b)) return true;
    if (crowded_better(ranking, b, a)) return false;
    return a < b;
  });
  order.resize(std::min(count, order.size()));
  return order;
}

}  // namespace tinyskip::engine
