#include "engine/search/nsga2_search.h"

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/search/evaluation_log.h"
#include "engine/search/greedy_start.h"
#include "engine/search/nsga2_operators.h"
#include "engine/search/search_error.h"

namespace tinyskip::engine {
namespace {

constexpr double kCrossoverProbability = 0.9;
// How often an offspring that repeats an evaluated point is mutated again
// before it is let through as a (free) repeat.
constexpr int kNoveltyRetries = 10;
// Generations in a row without a new point before the search gives up.
constexpr int kMaxStaleGenerations = 100;

using PointSet = std::unordered_set<DesignPoint, DesignPointHash>;

void validate_options(const SearchOptions& options, const std::vector<Objective>& selected) {
  if (options.budget <= 0)
    throw SearchError("nsga2 search needs a budget > 0 (distinct points to evaluate), got " +
                      std::to_string(options.budget));
  if (options.population < 4)
    throw SearchError("nsga2 population must be >= 4, got " + std::to_string(options.population));
  if (selected.size() < 2 || selected.size() > 3)
    throw SearchError("nsga2 search needs 2 or 3 objectives, got " + std::to_string(selected.size()));
}

// `count` of `points`, spread evenly from the first to the last.
std::vector<DesignPoint> evenly_spaced(const std::vector<DesignPoint>& points, size_t count) {
  if (count >= points.size()) return points;
  if (count == 0) return {};
  if (count == 1) return {points.back()};
  std::vector<DesignPoint> picked;
  for (size_t i = 0; i < count; ++i) picked.push_back(points[i * (points.size() - 1) / (count - 1)]);
  return picked;
}

// Appends `point` unless already present or the population is full.
void add_distinct(std::vector<DesignPoint>& population, PointSet& members, const DesignPoint& point, size_t limit) {
  if (population.size() < limit && members.insert(point).second) population.push_back(point);
}

std::vector<DesignPoint> start_population(EvaluationLog& log, const SearchOptions& options, SearchRandom& random) {
  const DesignSpace& space = log.space();
  const auto limit = static_cast<size_t>(options.population);
  std::vector<DesignPoint> greedy_seeds;
  if (options.greedy_start) greedy_seeds = greedy_start(log, options.greedy_max_error_increase).seeds;

  std::vector<DesignPoint> population;
  PointSet members;
  const DesignPoint exact(static_cast<size_t>(space.dimensions()), 0);
  add_distinct(population, members, exact, limit);
  for (int layer = 0; layer < space.dimensions(); ++layer) {
    DesignPoint aggressive = exact;
    aggressive[static_cast<size_t>(layer)] = space.levels(layer) - 1;
    add_distinct(population, members, aggressive, limit);
  }
  for (const DesignPoint& seed : evenly_spaced(greedy_seeds, limit - population.size()))
    add_distinct(population, members, seed, limit);
  // Random fill; the try limit only matters for spaces smaller than the population.
  for (size_t tries = 0; population.size() < limit && tries < 20 * limit; ++tries)
    add_distinct(population, members, random_point(space, random), limit);
  return population;
}

class Nsga2 {
 public:
  Nsga2(Problem& problem, const SearchOptions& options, std::vector<Objective> selected)
      : options_(options),
        selected_(std::move(selected)),
        log_(problem, options, options.budget, options.budget),
        random_(options.seed),
        mutation_probability_(1.0 / log_.space().dimensions()) {}

  SearchResult run() {
    std::vector<DesignPoint> start = start_population(log_, options_, random_);
    log_.evaluate(start);
    keep_evaluated(start);
    population_ = std::move(start);
    int stale_generations = 0;
    while (!finished() && stale_generations < kMaxStaleGenerations) {
      const int64_t before = log_.size();
      next_generation();
      stale_generations = log_.size() > before ? 0 : stale_generations + 1;
    }
    return log_.make_result(selected_, options_.hypervolume_reference);
  }

 private:
  bool finished() {
    return log_.budget_exhausted() || log_.stop_requested() || log_.size() >= log_.space().grid_size() ||
           population_.empty();
  }

  // Drops points the log could not evaluate (budget or stop).
  void keep_evaluated(std::vector<DesignPoint>& points) const {
    std::erase_if(points, [&](const DesignPoint& point) { return log_.find(point) == nullptr; });
  }

  std::vector<Objectives> objectives_of(const std::vector<DesignPoint>& points) const {
    std::vector<Objectives> objectives;
    objectives.reserve(points.size());
    for (const DesignPoint& point : points) objectives.push_back(*log_.find(point));
    return objectives;
  }

  size_t tournament(const Ranking& ranking) {
    const size_t a = random_.below(population_.size());
    const size_t b = random_.below(population_.size());
    return crowded_better(ranking, b, a) ? b : a;
  }

  // Mutates a child that repeats an evaluated or already generated point
  // until it is new (or the retries run out).
  void make_novel(DesignPoint& child, const PointSet& generated) {
    for (int retry = 0; retry < kNoveltyRetries; ++retry) {
      if (log_.find(child) == nullptr && generated.count(child) == 0) return;
      mutate(child, log_.space(), mutation_probability_, random_);
    }
  }

  std::vector<DesignPoint> offspring() {
    const Ranking ranking = rank_population(objectives_of(population_), selected_);
    std::vector<DesignPoint> children;
    PointSet generated;
    while (children.size() < population_.size()) {
      DesignPoint first = population_[tournament(ranking)];
      DesignPoint second = population_[tournament(ranking)];
      if (random_.chance(kCrossoverProbability)) uniform_crossover(first, second, random_);
      for (DesignPoint* child : {&first, &second}) {
        if (children.size() == population_.size()) break;
        mutate(*child, log_.space(), mutation_probability_, random_);
        make_novel(*child, generated);
        generated.insert(*child);
        children.push_back(std::move(*child));
      }
    }
    return children;
  }

  void next_generation() {
    std::vector<DesignPoint> children = offspring();
    log_.evaluate(children);
    keep_evaluated(children);

    // Parents first, then children; a point already present is not repeated.
    std::vector<DesignPoint> pool;
    PointSet members;
    const size_t unlimited = population_.size() + children.size();
    for (const DesignPoint& point : population_) add_distinct(pool, members, point, unlimited);
    for (const DesignPoint& point : children) add_distinct(pool, members, point, unlimited);

    const Ranking ranking = rank_population(objectives_of(pool), selected_);
    std::vector<DesignPoint> survivors;
    for (size_t index : select_best(ranking, static_cast<size_t>(options_.population)))
      survivors.push_back(pool[index]);
    population_ = std::move(survivors);
  }

  const SearchOptions& options_;
  std::vector<Objective> selected_;
  EvaluationLog log_;
  SearchRandom random_;
  double mutation_probability_;
  std::vector<DesignPoint> population_;
};

}  // namespace

SearchResult nsga2_search(Problem& problem, const SearchOptions& options) {
  std::vector<Objective> selected = parse_objectives(options.objectives);
  validate_options(options, selected);
  return Nsga2(problem, options, std::move(selected)).run();
}

}  // namespace tinyskip::engine
