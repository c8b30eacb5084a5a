#include "engine/search/greedy_start.h"

#include <cmath>
#include <optional>
#include <string>

#include "engine/search/search_error.h"

namespace tinyskip::engine {
namespace {

DesignPoint single_layer_point(const DesignSpace& space, int layer, int level) {
  DesignPoint point(static_cast<size_t>(space.dimensions()), 0);
  point[static_cast<size_t>(layer)] = level;
  return point;
}

// "Raise `layer` to `level`", with its estimate from the one-at-a-time sweep.
struct Move {
  int layer = 0;
  int level = 0;
  double cycles_saved = 0;
  double error_added = 0;
};

// Strict order of the walk's preference (see greedy_start.h).
bool better_move(const Move& a, const Move& b) {
  const bool a_free = a.error_added <= 0;
  const bool b_free = b.error_added <= 0;
  if (a_free != b_free) return a_free;
  if (!a_free) {
    const double ratio_a = a.cycles_saved / a.error_added;
    const double ratio_b = b.cycles_saved / b.error_added;
    if (ratio_a != ratio_b) return ratio_a > ratio_b;
  }
  if (a.cycles_saved != b.cycles_saved) return a.cycles_saved > b.cycles_saved;
  if (a.layer != b.layer) return a.layer < b.layer;
  return a.level < b.level;
}

class GreedyWalk {
 public:
  GreedyWalk(EvaluationLog& log, double max_error_increase)
      : log_(log),
        space_(log.space()),
        baseline_(*log.find(DesignPoint(static_cast<size_t>(space_.dimensions()), 0))),
        error_limit_(baseline_.error + max_error_increase),
        current_(static_cast<size_t>(space_.dimensions()), 0) {
    for (int d = 0; d < space_.dimensions(); ++d) cap_.push_back(space_.levels(d) - 1);
  }

  // Runs the walk; returns the accepted points.
  std::vector<DesignPoint> run() {
    std::vector<DesignPoint> seeds;
    while (std::optional<Move> move = best_move()) {
      DesignPoint candidate = current_;
      candidate[static_cast<size_t>(move->layer)] = move->level;
      log_.evaluate({candidate});
      const Objectives* result = log_.find(candidate);
      if (result == nullptr) break;  // budget used up or stop raised
      if (acceptable(*result)) {
        current_ = candidate;
        seeds.push_back(candidate);
      } else {
        cap_[static_cast<size_t>(move->layer)] = move->level - 1;
      }
    }
    return seeds;
  }

 private:
  const Objectives& alone(int layer, int level) const {
    return level == 0 ? baseline_ : *log_.find(single_layer_point(space_, layer, level));
  }

  bool acceptable(const Objectives& objectives) const {
    return objectives.feasible && objectives.error <= error_limit_;
  }

  std::optional<Move> best_move() const {
    std::optional<Move> best;
    for (int layer = 0; layer < space_.dimensions(); ++layer) {
      const int from = current_[static_cast<size_t>(layer)];
      const Objectives& now = alone(layer, from);
      for (int level = from + 1; level <= cap_[static_cast<size_t>(layer)]; ++level) {
        const Objectives& then = alone(layer, level);
        const Move move{layer, level, now.cycles - then.cycles, then.error - now.error};
        if (!acceptable(then) || !(move.cycles_saved > 0)) continue;
        if (!best || better_move(move, *best)) best = move;
      }
    }
    return best;
  }

  EvaluationLog& log_;
  const DesignSpace& space_;
  Objectives baseline_;
  double error_limit_;
  DesignPoint current_;
  std::vector<int> cap_;  // highest level each layer may still try
};


}  // namespace

std::vector<DesignPoint> greedy_sweep_points(const DesignSpace& space) {
  std::vector<DesignPoint> points = {DesignPoint(static_cast<size_t>(space.dimensions()), 0)};
  for (int layer = 0; layer < space.dimensions(); ++layer)
    for (int level = 1; level < space.levels(layer); ++level) points.push_back(single_layer_point(space, layer, level));
  return points;
}

int64_t greedy_sweep_size(const DesignSpace& space) {
  int64_t size = 1;
  for (int d = 0; d < space.dimensions(); ++d) size += space.levels(d) - 1;
  return size;
}

GreedyStartResult greedy_start(EvaluationLog& log, double max_error_increase) {
  if (!std::isfinite(max_error_increase) || max_error_increase < 0)
    throw SearchError("greedy start: max error increase must be a finite value >= 0, got " +
                      std::to_string(max_error_increase));
  const std::vector<DesignPoint> sweep = greedy_sweep_points(log.space());
  int64_t missing = 0;
  for (const DesignPoint& point : sweep) missing += log.find(point) == nullptr ? 1 : 0;
  if (missing > log.remaining())
    throw SearchError("budget too small for the greedy start: its one-at-a-time sweep needs " +
                      std::to_string(missing) + " more evaluations, " + std::to_string(log.remaining()) +
                      " remain");

  GreedyStartResult result;
  result.sweep_evaluations = log.evaluate(sweep);
  if (log.stopped()) return result;
  const int64_t before_walk = log.size();
  result.seeds = GreedyWalk(log, max_error_increase).run();
  result.walk_evaluations = log.size() - before_walk;
  return result;
}

GreedyStartResult greedy_start(Problem& problem, const SearchOptions& options) {
  // Without a budget, report progress against the walk's worst case.
  const int64_t planned = options.budget > 0 ? options.budget : 2 * greedy_sweep_size(problem.space()) - 1;
  EvaluationLog log(problem, options, options.budget, planned);
  return greedy_start(log, options.greedy_max_error_increase);
}

}  // namespace tinyskip::engine
