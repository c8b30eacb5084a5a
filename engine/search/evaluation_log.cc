#include "engine/search/evaluation_log.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <unordered_set>

#include "engine/search/search_error.h"

namespace tinyskip::engine {

size_t DesignPointHash::operator()(const DesignPoint& point) const {
  // FNV-1a over the levels: cheap, and levels are small integers.
  uint64_t hash = 1469598103934665603ULL;
  for (int level : point) {
    hash ^= static_cast<uint64_t>(static_cast<uint32_t>(level));
    hash *= 1099511628211ULL;
  }
  return static_cast<size_t>(hash);
}

void validate_design_space(const DesignSpace& space) {
  if (space.dimensions() < 1) throw SearchError("design space has no approximated layers; nothing to search");
  for (int d = 0; d < space.dimensions(); ++d)
    if (space.levels(d) < 1)
      throw SearchError("design space layer " + std::to_string(d) + " ('" +
                        space.layers[static_cast<size_t>(d)].name + "') has no threshold levels");
}

EvaluationLog::EvaluationLog(Problem& problem, const SearchOptions& options, int64_t budget, int64_t progress_total)
    : problem_(problem),
      space_(problem.space()),
      batch_(options.batch),
      budget_(budget),
      progress_total_(progress_total),
      progress_(options.progress),
      stop_(options.stop),
      start_(std::chrono::steady_clock::now()) {
  validate_design_space(space_);
  if (batch_ < 1) throw SearchError("search batch size must be >= 1, got " + std::to_string(batch_));
  if (budget_ < 0) throw SearchError("search budget must be >= 0, got " + std::to_string(budget_));
}

int64_t EvaluationLog::remaining() const {
  if (budget_ == 0) return std::numeric_limits<int64_t>::max();
  return budget_ > size() ? budget_ - size() : 0;
}

bool EvaluationLog::stop_requested() {
  if (stop_ != nullptr && stop_->load()) stopped_ = true;
  return stopped_;
}

const Objectives* EvaluationLog::find(const DesignPoint& point) const {
  const auto found = index_.find(point);
  return found == index_.end() ? nullptr : &objectives_[found->second];
}

void EvaluationLog::check_point(const DesignPoint& point) const {
  bool valid = static_cast<int>(point.size()) == space_.dimensions();
  for (int d = 0; valid && d < space_.dimensions(); ++d) {
    const int level = point[static_cast<size_t>(d)];
    valid = level >= 0 && level < space_.levels(d);
  }
  if (!valid) throw SearchError("design point '" + point_key(point) + "' is outside the design space");
}

int64_t EvaluationLog::evaluate(const std::vector<DesignPoint>& points) {
  // Collect the new, distinct points first so each batch is full.
  std::vector<DesignPoint> fresh;
  std::unordered_set<DesignPoint, DesignPointHash> queued;
  for (const DesignPoint& point : points) {
    check_point(point);
    if (index_.count(point) != 0 || !queued.insert(point).second) continue;
    if (static_cast<int64_t>(fresh.size()) >= remaining()) break;
    fresh.push_back(point);
  }
  const int64_t before = size();
  for (size_t begin = 0; begin < fresh.size(); begin += static_cast<size_t>(batch_)) {
    if (stop_requested()) break;
    const size_t end = std::min(fresh.size(), begin + static_cast<size_t>(batch_));
    evaluate_batch(std::vector<DesignPoint>(fresh.begin() + static_cast<std::ptrdiff_t>(begin),
                                            fresh.begin() + static_cast<std::ptrdiff_t>(end)));
    if (progress_) progress_(size(), progress_total_);
  }
  return size() - before;
}

void EvaluationLog::evaluate_batch(const std::vector<DesignPoint>& batch) {
  const std::vector<Objectives> results = problem_.evaluate(batch);
  if (results.size() != batch.size())
    throw SearchError("Problem::evaluate returned " + std::to_string(results.size()) + " results for " +
                      std::to_string(batch.size()) + " points");
  for (size_t i = 0; i < batch.size(); ++i) {
    index_.emplace(batch[i], points_.size());
    points_.push_back(batch[i]);
    objectives_.push_back(results[i]);
  }
}

SearchResult EvaluationLog::make_result(const std::vector<Objective>& selected,
                                        const HypervolumeReference& reference) const {
  SearchResult result;
  result.evaluated_in_order = points_;
  result.evaluated_objectives = objectives_;
  for (size_t index : pareto_front(objectives_, selected)) {
    result.front.push_back(points_[index]);
    result.front_objectives.push_back(objectives_[index]);
  }
  result.evaluations = size();
  result.stopped = stopped_;
  const Objectives* baseline = find(DesignPoint(static_cast<size_t>(space_.dimensions()), 0));
  if (baseline != nullptr) {
    result.baseline = *baseline;
    try {
      result.hypervolume = normalised_hypervolume(objectives_, *baseline, selected, reference);
    } catch (const SearchError&) {
      // A baseline with no cycles or flash cannot normalise; the front and the
      // evaluated points are still valid, only this summary number is not.
      result.hypervolume = std::numeric_limits<double>::quiet_NaN();
    }
  } else {
    result.hypervolume = std::numeric_limits<double>::quiet_NaN();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return result;
}

}  // namespace tinyskip::engine
