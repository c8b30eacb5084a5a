// The exploration Problem: what the search asks of an experiment's design
// points, assembled from parts with one job each. PointScorer scores a point
// (simulator accuracy, CostSource cycles and flash); ResultCache answers
// points scored before and puts every new record in points.csv at once (a
// resumed run preloads it); a BatchEvaluation strategy decides how a batch's
// new points are scored (one after the other, or several at once).
// Points of a batch are scored in prefix order (activation_cache.h), so that
// they share the most simulation work; the order does not depend on whether
// they do, nor on the strategy.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/explore/batch_evaluation.h"
#include "engine/explore/cost_source.h"
#include "engine/explore/experiment.h"
#include "engine/explore/point_scorer.h"
#include "engine/explore/result_cache.h"
#include "engine/results/run_store.h"
#include "engine/search/design_space.h"
#include "engine/search/pareto.h"
#include "engine/search/problem.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

class Evaluator final : public Problem {
 public:
  // `timer` (may be null) times whole winner programs (time_program).
  Evaluator(const Experiment& experiment, const ExactReference& exact, RunStore& store, const CostSource& costs,
            NetworkTimer* timer, int threads);

  const DesignSpace& space() const override { return experiment_.space; }
  std::vector<Objectives> evaluate(const std::vector<DesignPoint>& points) override;
  int64_t evaluations() const override { return static_cast<int64_t>(requested_.size()); }

  // Points of an earlier session of this run (points.csv), answered from here.
  void preload(const std::vector<PointRecord>& records) { results_.preload(records); }
  // Makes sure the point has a score on `split` (report / test_all),
  // scoring and re-appending it if needed; returns its record.
  const PointRecord& score_on(const DesignPoint& point, Split split);
  const PointRecord& record(const DesignPoint& point);
  // With measured latency: builds and times the point's own whole program
  // (what `tinyskip codegen` generates for it) and makes its cycles the
  // record's (latency_source "program"), re-appending it. The table sum it
  // replaces is within the additivity bound; the search chose on that.
  // Without: the record as it is.
  const PointRecord& time_program(const DesignPoint& point);

  sim::MaskSet masks(const DesignPoint& point) const { return scorer_.masks(point); }
  Objectives objectives(const PointRecord& record) const;
  // Work shared between points on the search split (activation_cache.h).
  ActivationCacheStats sharing() const { return scorer_.sharing(); }
  const char* batch_evaluation() const { return batch_->name(); }
  const PointScorer& scorer() const { return scorer_; }

 private:
  // What the search sees of a point: its objectives at the cost it was first
  // scored with. A point whose own program was timed for the winners (which
  // happens after the search) is put back at its table cycles, so that a
  // search resumed after that meets the same values as the first session.
  Objectives search_objectives(const DesignPoint& point, const PointRecord& record) const;

  const Experiment& experiment_;
  const ExactReference& exact_;
  const CostSource& costs_;
  NetworkTimer* timer_;
  int threads_;
  PointScorer scorer_;
  ResultCache results_;
  std::unique_ptr<BatchEvaluation> batch_;
  std::set<std::string> requested_;  // distinct points the search asked for
  std::vector<Objective> objectives_;  // the config's, for the front below
  // Fully evaluated feasible points of the batches so far, non-dominated:
  // what a point of the next batch may be stopped against.
  std::vector<Objectives> front_;
};

}  // namespace tinyskip::engine
