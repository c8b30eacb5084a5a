// Scoring one design point, and nothing else: its masks from the skip
// orders, its skipped multiply-accumulates, its score on a split from the
// bit-exact simulator against the exact model's outputs, and its cost on
// every board from a CostSource. It keeps no results (ResultCache does) and
// never writes files; on the search split, points share simulation work
// (ActivationCache). Safe to call from several threads at once.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <vector>

#include "engine/explore/activation_cache.h"
#include "engine/explore/cost_source.h"
#include "engine/explore/early_stopping.h"
#include "engine/explore/experiment.h"
#include "engine/explore/scoring.h"
#include "engine/report/score.h"
#include "engine/results/point_record.h"
#include "engine/search/design_space.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// The exact model (no approximation, the config's exact kernels everywhere):
// the accuracy and cost every loss and saving is measured against.
struct ExactReference {
  Score search, report;
  std::optional<Score> test_all;  // with a CIFAR-10 data_dir only
  // The exact model's outputs on each split scored: what agreement and
  // output fidelity compare a design point's with.
  std::map<Split, ExactOutputs> outputs;
  std::vector<BoardCost> boards;  // per board, config order
};

ExactReference measure_exact_reference(const Experiment& experiment, const CostSource& costs, int threads);

class PointScorer {
 public:
  // network_macs: the whole model's, per image (the run schema's).
  PointScorer(const Experiment& experiment, const ExactReference& exact, const CostSource& costs,
              int64_t network_macs);

  // A fresh record: scored on the search split, costed on every board. With
  // `front` (fully evaluated feasible points) the evaluation may stop early
  // (early_stopping.h); the exact point never does.
  PointRecord score(const DesignPoint& point, int threads, const std::vector<Objectives>* front = nullptr);
  // The point's score on any split the experiment has.
  Score score_on(const DesignPoint& point, Split split, int threads);

  sim::MaskSet masks(const DesignPoint& point) const { return point_masks(experiment_, point); }
  double threshold(int layer, int level) const;
  ActivationCacheStats sharing() const { return search_cache_.stats(); }
  const StopRule& stop_rule() const { return stop_rule_; }
  // Search-split images simulated by score(), and what full evaluations would have simulated.
  int64_t images_evaluated() const { return images_evaluated_; }
  int64_t images_unstopped() const { return images_unstopped_; }

 private:
  Score score_with(const DesignPoint& point, const sim::MaskSet& point_masks, Split split, int threads);
  // The search score in blocks, until the stop rule says so; sets stopped.
  Score search_in_blocks(const DesignPoint& point, const sim::MaskSet& point_masks, const Objectives& costs,
                         const std::vector<Objectives>& front, int threads, bool& stopped);

  const Experiment& experiment_;
  const ExactReference& exact_;
  const CostSource& costs_;
  int64_t network_macs_;
  ActivationCache search_cache_;
  StopRule stop_rule_;
  std::atomic<int64_t> images_evaluated_{0}, images_unstopped_{0};
};

// The split's inputs (std::logic_error when the experiment has none).
const sim::ModelInputs& inputs_of(const Experiment& experiment, Split split);

}  // namespace tinyskip::engine
