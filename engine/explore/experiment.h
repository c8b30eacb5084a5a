// Everything an exploration needs, loaded and derived once from its config:
// the model graph, the image splits, the board profiles, the design space and
// the per-layer skip orders (significance measured on the calibration split).
#pragma once

#include <optional>
#include <set>
#include <vector>

#include "engine/config/experiment_config.h"
#include "engine/search/design_space.h"
#include "engine/significance/skip_masks.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cycle_model.h"
#include "sim/data/model_inputs.h"
#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct Experiment {
  ExperimentConfig config;
  sim::Graph graph;
  DesignSpace space;
  std::vector<mcu::BoardProfile> boards;  // config order
  int primary_board = 0;                  // index into boards
  std::optional<sim::ModelInputs> calibration, search, report;  // always set once prepared
  // Every image of data_dir/test_batch.bin, for comparison with papers; only
  // with a CIFAR-10 data_dir.
  std::optional<sim::ModelInputs> test_all;
  std::vector<LayerSkipOrder> skip_orders;  // one per space layer
  double significance_seconds = 0;
};

// The skip masks of a design point: each approximated layer's skip order cut
// at the threshold of the point's level for it. std::invalid_argument when
// the point does not have one level per layer.
sim::MaskSet point_masks(const Experiment& experiment, const DesignPoint& point);

// The approximated layers some design point generates as unpacked kernels
// (can_unpack, engine/codegen/layer_kernel.h); the others stay on their exact
// kernel with the skipped weights zeroed. codegen asks can_unpack itself.
std::set<int> unpackable_ops_of(const Experiment& experiment);
// The layers `point` unpacks: unpackable_ops_of but those at their "not
// unpacked" level. Read by the cost model, the flash and latency tables and
// the timed programs, and written to the winner files codegen reads.
std::set<int> unpacked_ops_of(const Experiment& experiment, const DesignPoint& point);

// The cost model's answer for the code the generator emits for these masks
// with `unpacked_ops` unpacked (unpacked_ops_of a point), the other layers on
// the config's exact library.
mcu::NetworkEstimate model_estimate(const Experiment& experiment, const sim::MaskSet& masks,
                                    const std::set<int>& unpacked_ops, const mcu::BoardProfile& board);

// Loads model, data and boards, builds the design space and measures
// significance. Throws ConfigError / sim::ModelError / sim::DataError.
Experiment prepare_experiment(const ExperimentConfig& config, int threads);

// prepare_experiment in two steps, for a caller that opens its run directory
// in between: load_experiment reads model, data and boards and builds the
// design space (its layers are final, their levels not yet);
// measure_significance adds the skip orders and what follows from them
// (thresholds of skip-fraction levels, the "not unpacked" level).
Experiment load_experiment(const ExperimentConfig& config);
void measure_significance(Experiment& experiment, int threads);

}  // namespace tinyskip::engine
