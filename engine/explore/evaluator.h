// The exploration Problem: scores design points of an Experiment. A point's
// masks come from the skip orders; its accuracy from the bit-exact simulator
// on the search split; its cycles and flash on every board from the measured
// tables (the compiled code, timed and sized) or, without them, from the
// Cortex-M4 cost model (approximated layers as unpacked kernels, the rest as
// CMSIS-NN).
// Points of a batch are scored in prefix order (activation_cache.h), so that
// they share the most simulation work; the order does not depend on whether
// they do. Every finished point is appended to the run's points.csv at once, and
// points already there (a resumed run) are answered without re-evaluation.
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "engine/explore/activation_cache.h"
#include "engine/explore/experiment.h"
#include "engine/explore/flash_table.h"
#include "engine/explore/latency_table.h"
#include "engine/explore/network_timer.h"
#include "engine/explore/scoring.h"
#include "engine/report/score.h"
#include "engine/results/run_store.h"
#include "engine/search/design_space.h"
#include "engine/search/problem.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// The exact model (no approximation, CMSIS-NN kernels everywhere): the
// accuracy and cost every loss and saving is measured against.
struct ExactReference {
  Score search, report;
  std::optional<Score> test_all;  // with a CIFAR-10 data_dir only
  // The exact model's outputs on each split scored: what agreement and
  // output fidelity compare a design point's with.
  std::map<Split, ExactOutputs> outputs;
  std::vector<BoardCost> boards;  // per board, config order
};

// What is measured rather than estimated; a null member falls back to the
// cost model. With `latency`, `timer` times whole winner programs.
struct MeasuredCosts {
  const FlashTable* flash = nullptr;      // every board's flash: the cross-compiler's (one toolchain)
  const LatencyTable* latency = nullptr;  // cycles: the timing engine's, table-summed
  NetworkTimer* timer = nullptr;
};

ExactReference measure_exact_reference(const Experiment& experiment, int threads, const MeasuredCosts& measured);

class Evaluator final : public Problem {
 public:
  Evaluator(const Experiment& experiment, const ExactReference& exact, RunStore& store, int threads,
            const MeasuredCosts& measured);

  const DesignSpace& space() const override { return experiment_.space; }
  std::vector<Objectives> evaluate(const std::vector<DesignPoint>& points) override;
  int64_t evaluations() const override { return static_cast<int64_t>(requested_.size()); }

  // Points of an earlier session of this run (points.csv), answered from here.
  void preload(const std::vector<PointRecord>& records);
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

  // Work shared between points on the search split (activation_cache.h).
  const ActivationCacheStats& sharing() const { return search_cache_.stats(); }

  sim::MaskSet masks(const DesignPoint& point) const;
  Objectives objectives(const PointRecord& record) const;
  double threshold(int layer, int level) const;

 private:
  PointRecord evaluate_point(const DesignPoint& point);
  Score score_of(const DesignPoint& point, const sim::MaskSet& masks, Split split);

  const Experiment& experiment_;
  const ExactReference& exact_;
  RunStore& store_;
  int threads_;
  MeasuredCosts measured_;
  ActivationCache search_cache_;
  std::map<std::string, PointRecord> records_;  // by point key
  std::set<std::string> requested_;             // distinct points the search asked for
};

}  // namespace tinyskip::engine
