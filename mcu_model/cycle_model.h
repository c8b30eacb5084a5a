// Whole-network latency and flash estimate on a Cortex-M4 board: every op
// runs its exact baseline kernel (CMSIS-NN / TFLM reference, see
// kernel_costs.h) unless the MaskSet names it, in which case it runs an
// unpacked kernel generated with that mask (unpacked_cost.h; an all-zero
// mask is the exact unpacked kernel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mcu_model/board_profile.h"
#include "mcu_model/kernel_features.h"
#include "mcu_model/layer_estimate.h"
#include "mcu_model/unpacked_cost.h"
#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::mcu {

struct NetworkEstimate {
  std::vector<LayerEstimate> layers;  // in op order
  double total_cycles = 0;
  double milliseconds = 0;
  int64_t macs = 0;                // nominal
  int64_t kept_macs = 0;
  int64_t library_code_bytes = 0;  // shared kernel code, each function once
  // Model-dependent flash: library code + per-layer code and data. The TFLM
  // runtime and the rest of the application are not included.
  int64_t flash_bytes = 0;
  bool fits_flash = true;  // flash_bytes <= the board's flash

  double cycles_per_mac() const { return macs > 0 ? total_cycles / static_cast<double>(macs) : 0.0; }
};

struct EstimateOptions {
  // Where the layers outside the MaskSet run: CMSIS-NN (the default, what
  // TFLM runs) or tinyskip's runtime (engine/runtime/, what the code
  // generator emits without a CMSIS-NN checkout).
  ExactKernels exact_kernels = ExactKernels::kCmsisNn;
  // The compiler's optimisation level of the generated code (unpacked
  // kernels, the runtime) and of the CMSIS-NN library: a calibration holds
  // coefficients per level (calibration.h).
  std::string code_opt_level = kDefaultOptLevel;
  std::string library_opt_level = kDefaultOptLevel;
};

// EstimateError for a mask naming a missing op, an op that cannot be
// unpacked, or a mask of the wrong size; sim::ModelError for malformed ops.
// The board's calibration (calibration.h) prices every kernel type it has
// coefficients for, the analytic sequence model the rest.
NetworkEstimate estimate_network(const sim::Graph& graph, const sim::MaskSet& unpacked_layers,
                                 const BoardProfile& board, const EstimateOptions& options = {});

// Totals over layer estimates computed elsewhere (the search keeps baseline
// estimates and re-evaluates only its UnpackedLayerCost layers).
NetworkEstimate summarize_layers(std::vector<LayerEstimate> layers, const BoardProfile& board);

// A fixed-width table, one line per layer, then the totals.
std::string format_estimate(const NetworkEstimate& estimate, const BoardProfile& board);

}  // namespace tinyskip::mcu
