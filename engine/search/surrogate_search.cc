#include "engine/search/surrogate_search.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "engine/search/evaluation_log.h"
#include "engine/search/greedy_start.h"
#include "engine/search/pareto.h"
#include "engine/search/search_error.h"

namespace tinyskip::engine {
namespace {

// Upper bound on the surrogate front kept per layer: enough for any front a
// search of this budget can use, small enough to rank every round.
constexpr size_t kMaxSurrogateFront = 4000;

struct Prediction {
  DesignPoint point;
  double error = 0, cycles = 0, flash = 0;  // summed effects, baseline excluded
};

class Surrogate {
 public:
  Surrogate(const EvaluationLog& log, const Objectives& baseline) : space_(log.space()), baseline_(baseline) {
    effects_.resize(static_cast<size_t>(space_.dimensions()));
    for (int layer = 0; layer < space_.dimensions(); ++layer)
      for (int level = 0; level < space_.levels(layer); ++level) {
        DesignPoint alone(static_cast<size_t>(space_.dimensions()), 0);
        alone[static_cast<size_t>(layer)] = level;
        const Objectives* o = log.find(alone);
        if (!o || !o->feasible) continue;  // never combined
        effects_[static_cast<size_t>(layer)].push_back(
            {alone, o->error - baseline.error, o->cycles - baseline.cycles, o->flash_bytes - baseline.flash_bytes});
      }
  }

  // The predicted objectives of a point (error scaled by `scale`); nullopt
  // when one of its levels was left out.
  std::optional<Objectives> predict(const DesignPoint& point, double scale) const {
    Objectives o = baseline_;
    for (size_t layer = 0; layer < point.size(); ++layer) {
      const Prediction* effect = effect_of(layer, point[layer]);
      if (!effect) return std::nullopt;
      o.error += scale * effect->error;
      o.cycles += effect->cycles;
      o.flash_bytes += effect->flash;
    }
    o.feasible = true;
    return o;
  }

  // The prediction anchored at the evaluated point nearest to `point` (fewest
  // level steps): its real objectives plus the difference of the summed
  // effects. Interactions between layers that the sum misses are then only
  // those between the two points, not the whole way from the baseline.
  std::optional<Objectives> predict_near(const DesignPoint& point, double scale, const EvaluationLog& log) const {
    std::optional<Objectives> here = predict(point, scale);
    if (!here) return std::nullopt;
    const DesignPoint* nearest = nullptr;
    int best = 0;
    for (size_t i = 0; i < log.points().size(); ++i) {
      if (!log.objectives()[i].feasible) continue;
      int distance = 0;
      for (size_t d = 0; d < point.size(); ++d) distance += std::abs(point[d] - log.points()[i][d]);
      if (!nearest || distance < best) nearest = &log.points()[i], best = distance;
    }
    if (!nearest) return here;
    const std::optional<Objectives> there = predict(*nearest, scale);
    const Objectives& real = *log.find(*nearest);
    if (!there) return here;
    here->error = real.error + here->error - there->error;
    here->cycles = real.cycles + here->cycles - there->cycles;
    here->flash_bytes = real.flash_bytes + here->flash_bytes - there->flash_bytes;
    return here;
  }

  double summed_error(const DesignPoint& point) const {
    double sum = 0;
    for (size_t layer = 0; layer < point.size(); ++layer)
      if (const Prediction* effect = effect_of(layer, point[layer])) sum += effect->error;
    return sum;
  }

  // The surrogate's Pareto front over the grid, layer by layer.
  std::vector<DesignPoint> front(const std::vector<Objective>& selected) const {
    std::vector<Prediction> partial = {{DesignPoint(static_cast<size_t>(space_.dimensions()), 0)}};
    for (size_t layer = 0; layer < effects_.size(); ++layer) {
      std::vector<Prediction> next;
      for (const Prediction& p : partial)
        for (const Prediction& e : effects_[layer]) {
          Prediction sum = p;
          sum.point[layer] = e.point[layer];
          sum.error += e.error;
          sum.cycles += e.cycles;
          sum.flash += e.flash;
          next.push_back(std::move(sum));
        }
      std::vector<Objectives> values;
      for (const Prediction& p : next) values.push_back({p.error, p.cycles, p.flash, true});
      std::vector<size_t> kept = pareto_front(values, selected);
      if (kept.size() > kMaxSurrogateFront) {  // thin evenly along the front
        std::vector<size_t> thinned;
        for (size_t i = 0; i < kMaxSurrogateFront; ++i) thinned.push_back(kept[i * kept.size() / kMaxSurrogateFront]);
        kept = std::move(thinned);
      }
      partial.clear();
      for (size_t i : kept) partial.push_back(next[i]);
    }
    std::vector<DesignPoint> points;
    for (const Prediction& p : partial) points.push_back(p.point);
    return points;
  }

 private:
  const Prediction* effect_of(size_t layer, int level) const {
    for (const Prediction& e : effects_[layer])
      if (e.point[layer] == level) return &e;
    return nullptr;
  }

  const DesignSpace& space_;
  Objectives baseline_;
  std::vector<std::vector<Prediction>> effects_;  // per layer, the levels kept
};

// Least-squares factor between the summed single-layer error effects and the
// real error increase of the evaluated points (1 when nothing to fit).
double error_scale(const EvaluationLog& log, const Surrogate& surrogate, const Objectives& baseline) {
  double products = 0, squares = 0;
  for (size_t i = 0; i < log.points().size(); ++i) {
    if (!log.objectives()[i].feasible) continue;
    const double predicted = surrogate.summed_error(log.points()[i]);
    products += predicted * (log.objectives()[i].error - baseline.error);
    squares += predicted * predicted;
  }
  return squares > 0 ? std::clamp(products / squares, 0.25, 8.0) : 1.0;
}

}  // namespace

SearchResult surrogate_search(Problem& problem, const SearchOptions& options) {
  const std::vector<Objective> selected = parse_objectives(options.objectives);
  validate_design_space(problem.space());
  if (options.budget <= 0) throw SearchError("surrogate search needs a budget > 0");
  const DesignSpace& space = problem.space();
  const int64_t budget = std::min(options.budget, space.grid_size());
  EvaluationLog log(problem, options, budget, budget);
  log.evaluate(greedy_sweep_points(space));
  const DesignPoint zero(static_cast<size_t>(space.dimensions()), 0);
  const Objectives* baseline_found = log.find(zero);
  if (!baseline_found) return log.make_result(selected, options.hypervolume_reference);
  const Objectives baseline = *baseline_found;
  const Surrogate surrogate(log, baseline);
  const std::vector<DesignPoint> surrogate_front = surrogate.front(selected);
  const std::vector<double> reference = normalised_reference(options.hypervolume_reference, selected);
  const auto normalised = [&](const Objectives& o) {
    return normalised_objective_vector(o, baseline, selected, options.hypervolume_reference.error_scale);
  };

  while (!log.budget_exhausted() && !log.stop_requested()) {
    const double scale = error_scale(log, surrogate, baseline);
    // The real front so far, and its hypervolume.
    std::vector<std::vector<double>> front;
    std::vector<DesignPoint> front_points;
    for (size_t i : pareto_front(log.objectives(), selected)) {
      front.push_back(normalised(log.objectives()[i]));
      front_points.push_back(log.points()[i]);
    }
    const double current = hypervolume(front, reference);
    // Candidates: the surrogate front and the real front's neighbours.
    std::set<DesignPoint> candidates;
    for (const DesignPoint& p : surrogate_front)
      if (!log.find(p)) candidates.insert(p);
    for (const DesignPoint& p : front_points)
      for (int d = 0; d < space.dimensions(); ++d)
        for (int step : {-1, 1}) {
          DesignPoint n = p;
          n[static_cast<size_t>(d)] += step;
          if (n[static_cast<size_t>(d)] >= 0 && n[static_cast<size_t>(d)] < space.levels(d) && !log.find(n))
            candidates.insert(n);
        }
    std::vector<std::pair<double, DesignPoint>> ranked;
    for (const DesignPoint& p : candidates) {
      const std::optional<Objectives> predicted = surrogate.predict_near(p, scale, log);
      if (!predicted) continue;
      std::vector<std::vector<double>> with = front;
      with.push_back(normalised(*predicted));
      ranked.emplace_back(hypervolume(with, reference) - current, p);
    }
    if (ranked.empty()) break;
    // Highest predicted gain first; ties in point order (deterministic).
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<DesignPoint> batch;
    for (size_t i = 0; i < ranked.size() && static_cast<int>(batch.size()) < options.batch; ++i)
      batch.push_back(ranked[i].second);
    if (log.evaluate(batch) == 0) break;
  }
  return log.make_result(selected, options.hypervolume_reference);
}

}  // namespace tinyskip::engine
