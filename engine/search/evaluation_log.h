// Bookkeeping shared by every search algorithm: which distinct points have
// been evaluated and in what order, their objectives, the budget, batching,
// progress reports and the stop flag. All algorithms go through it, so a
// budget means the same thing everywhere: the number of distinct points this
// search asked the Problem for. (For a fresh Problem that equals the growth of
// Problem::evaluations(); a Problem that already holds cached results, e.g.
// when resuming, answers those for free, and the search still replays the same
// deterministic sequence and ends at the same place.)
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "engine/search/problem.h"
#include "engine/search/pareto.h"
#include "engine/search/search_options.h"

namespace tinyskip::engine {

struct DesignPointHash {
  size_t operator()(const DesignPoint& point) const;
};

// Throws SearchError unless the space has >= 1 layer and every layer >= 1 level.
void validate_design_space(const DesignSpace& space);

class EvaluationLog {
 public:
  // budget 0 = unlimited. progress_total is what the progress callback reports
  // as the planned total (the budget, or the grid size).
  EvaluationLog(Problem& problem, const SearchOptions& options, int64_t budget, int64_t progress_total);

  const DesignSpace& space() const { return space_; }

  // Evaluates the points of `points` that were never evaluated before, in
  // order of first appearance, `batch` per Problem::evaluate call. Stops early
  // when the budget is used up or the stop flag is raised before a batch; the
  // points left out are simply not in the log. Returns how many new points it
  // evaluated. Throws SearchError on a point outside the design space or a
  // Problem that returns the wrong number of results.
  int64_t evaluate(const std::vector<DesignPoint>& points);

  // Objectives of an evaluated point, or null.
  const Objectives* find(const DesignPoint& point) const;

  int64_t size() const { return static_cast<int64_t>(points_.size()); }
  // Budget left (INT64_MAX when unlimited).
  int64_t remaining() const;
  bool budget_exhausted() const { return remaining() == 0; }
  // The stop flag was seen raised (evaluate() then does no more work).
  bool stopped() const { return stopped_; }
  bool stop_requested();

  const std::vector<DesignPoint>& points() const { return points_; }
  const std::vector<Objectives>& objectives() const { return objectives_; }

  // Front, hypervolume against the all-zero point, timing, in one result.
  SearchResult make_result(const std::vector<Objective>& selected, const HypervolumeReference& reference) const;

 private:
  void check_point(const DesignPoint& point) const;
  void evaluate_batch(const std::vector<DesignPoint>& batch);

  Problem& problem_;
  const DesignSpace& space_;
  int batch_;
  int64_t budget_;
  int64_t progress_total_;
  std::function<void(int64_t, int64_t)> progress_;
  std::atomic<bool>* stop_;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point start_;
  std::vector<DesignPoint> points_;
  std::vector<Objectives> objectives_;
  std::unordered_map<DesignPoint, size_t, DesignPointHash> index_;
};

}  // namespace tinyskip::engine
