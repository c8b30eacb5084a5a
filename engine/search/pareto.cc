#include "engine/search/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <pagmo/utils/hypervolume.hpp>

namespace tinyskip::engine {
namespace {

// a <= b in every coordinate (a "weakly dominates" b; equal vectors included).
bool weakly_dominates(const std::vector<double>& a, const std::vector<double>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] > b[i]) return false;
  return true;
}

bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// Lexicographic sweep: after sorting, a point can only be dominated by a point
// before it, and only a point already kept needs checking (anything dominated
// by a dropped point is also dominated by the point that dropped it).
std::vector<size_t> sweep_front(const std::vector<std::vector<double>>& vectors, std::vector<size_t> order) {
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return vectors[a] < vectors[b]; });
  std::vector<size_t> front;
  if (!order.empty() && vectors[order[0]].size() == 2) {
    // 2-D: sorted by first objective, so a point survives iff its second
    // objective is strictly below every kept point's (O(n log n) overall).
    double best_second = std::numeric_limits<double>::infinity();
    for (size_t index : order) {
      if (vectors[index][1] < best_second) {
        front.push_back(index);
        best_second = vectors[index][1];
      }
    }
    return front;
  }
  for (size_t index : order) {
    const bool dominated = std::any_of(front.begin(), front.end(),
                                       [&](size_t kept) { return weakly_dominates(vectors[kept], vectors[index]); });
    if (!dominated) front.push_back(index);
  }
  return front;
}

double hypervolume_1d(const std::vector<std::vector<double>>& points, const std::vector<double>& reference) {
  double best = reference[0];
  for (const auto& point : points) best = std::min(best, point[0]);
  return reference[0] - best;
}

// Sort by the first coordinate; each point that lowers the running minimum of
// the second coordinate adds the horizontal slab between the old and new
// minimum, which extends from the point's first coordinate to the reference.
double hypervolume_2d(std::vector<std::vector<double>> points, const std::vector<double>& reference) {
  std::sort(points.begin(), points.end());
  double lowest_second = reference[1];
  double volume = 0;
  for (const auto& point : points) {
    if (point[1] >= lowest_second) continue;
    volume += (reference[0] - point[0]) * (lowest_second - point[1]);
    lowest_second = point[1];
  }
  return volume;
}

double baseline_divisor(double value, const char* what) {
  if (!(value > 0) || !std::isfinite(value))
    throw SearchError(std::string("cannot normalise objectives: baseline ") + what + " is " + std::to_string(value) +
                      " (must be positive and finite)");
  return value;
}

}  // namespace

std::vector<Objective> parse_objectives(const std::vector<std::string>& names) {
  if (names.empty()) throw SearchError("objective list is empty; use e.g. [\"error\", \"cycles\"]");
  std::vector<Objective> parsed;
  for (const std::string& name : names) {
    Objective objective;
    if (name == "error") {
      objective = Objective::kError;
    } else if (name == "cycles") {
      objective = Objective::kCycles;
    } else if (name == "flash" || name == "flash_bytes") {
      objective = Objective::kFlash;
    } else {
      throw SearchError("unknown objective '" + name + "' (expected error, cycles or flash)");
    }
    if (std::find(parsed.begin(), parsed.end(), objective) != parsed.end())
      throw SearchError("objective '" + name + "' is listed twice");
    parsed.push_back(objective);
  }
  return parsed;
}

std::string objective_name(Objective objective) {
  switch (objective) {
    case Objective::kError: return "error";
    case Objective::kCycles: return "cycles";
    case Objective::kFlash: return "flash";
  }
  return "unknown";
}

double objective_value(const Objectives& objectives, Objective objective) {
  switch (objective) {
    case Objective::kError: return objectives.error;
    case Objective::kCycles: return objectives.cycles;
    case Objective::kFlash: return objectives.flash_bytes;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> objective_vector(const Objectives& objectives, const std::vector<Objective>& selected) {
  std::vector<double> values;
  values.reserve(selected.size());
  for (Objective objective : selected) values.push_back(objective_value(objectives, objective));
  return values;
}

std::vector<size_t> pareto_front(const std::vector<Objectives>& points, const std::vector<Objective>& selected) {
  if (selected.empty()) throw SearchError("pareto_front needs at least one objective");
  std::vector<std::vector<double>> vectors(points.size());
  std::vector<size_t> feasible;
  for (size_t i = 0; i < points.size(); ++i) {
    if (!points[i].feasible) continue;
    vectors[i] = objective_vector(points[i], selected);
    if (!all_finite(vectors[i]))
      throw SearchError("point " + std::to_string(i) + " has a non-finite objective value; cannot rank it");
    feasible.push_back(i);
  }
  // stable_sort on ascending indices keeps the first of exact duplicates first.
  return sweep_front(vectors, std::move(feasible));
}

double hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference) {
  const size_t dimensions = reference.size();
  if (dimensions < 1 || dimensions > 3)
    throw SearchError("hypervolume supports 1 to 3 objectives, got " + std::to_string(dimensions));
  if (!all_finite(reference)) throw SearchError("hypervolume reference point has a non-finite coordinate");
  std::vector<std::vector<double>> inside;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& point = points[i];
    if (point.size() != dimensions)
      throw SearchError("hypervolume point " + std::to_string(i) + " has " + std::to_string(point.size()) +
                        " coordinates, the reference has " + std::to_string(dimensions));
    if (!all_finite(point)) throw SearchError("hypervolume point " + std::to_string(i) + " is not finite");
    bool strictly_below = true;
    for (size_t d = 0; d < dimensions; ++d) strictly_below = strictly_below && point[d] < reference[d];
    if (strictly_below) inside.push_back(point);
  }
  if (inside.empty()) return 0.0;
  if (dimensions == 1) return hypervolume_1d(inside, reference);
  if (dimensions == 2) return hypervolume_2d(std::move(inside), reference);
  return pagmo::hypervolume(inside, /*verify=*/true).compute(reference);
}

std::vector<double> normalised_objective_vector(const Objectives& objectives, const Objectives& baseline,
                                                const std::vector<Objective>& selected, double error_scale) {
  std::vector<double> values;
  values.reserve(selected.size());
  for (Objective objective : selected) {
    switch (objective) {
      case Objective::kError: values.push_back(error_scale * (objectives.error - baseline.error)); break;
      case Objective::kCycles: values.push_back(objectives.cycles / baseline_divisor(baseline.cycles, "cycles")); break;
      case Objective::kFlash:
        values.push_back(objectives.flash_bytes / baseline_divisor(baseline.flash_bytes, "flash bytes"));
        break;
    }
  }
  return values;
}

std::vector<double> normalised_reference(const HypervolumeReference& reference, const std::vector<Objective>& selected) {
  std::vector<double> values;
  values.reserve(selected.size());
  for (Objective objective : selected) {
    switch (objective) {
      case Objective::kError: values.push_back(reference.error_points); break;
      case Objective::kCycles: values.push_back(reference.cycles_fraction); break;
      case Objective::kFlash: values.push_back(reference.flash_fraction); break;
    }
  }
  return values;
}

double normalised_hypervolume(const std::vector<Objectives>& points, const Objectives& baseline,
                              const std::vector<Objective>& selected, const HypervolumeReference& reference) {
  std::vector<std::vector<double>> normalised;
  for (size_t index : pareto_front(points, selected))
    normalised.push_back(normalised_objective_vector(points[index], baseline, selected, reference.error_scale));
  return hypervolume(normalised, normalised_reference(reference, selected));
}

}  // namespace tinyskip::engine
