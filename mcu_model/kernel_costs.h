// Cycle costs of the exact baseline kernels: what TFLite Micro runs with
// CMSIS-NN for each supported op (the CMSIS-NN s8 kernels for convolutions,
// fully connected, pooling, add and softmax; TFLM's reference kernels for
// quantize, dequantize and reshape). Each function counts how often each
// named code sequence of its kernel runs, following the kernel's loop
// structure, and prices the sequences with the board's coefficient set; one
// op per file. Every estimate includes the per-op interpreter overhead.
#pragma once

#include <cstdint>

#include "mcu_model/board_profile.h"
#include "mcu_model/cycle_model.h"
#include "mcu_model/kernel_features.h"
#include "mcu_model/layer_estimate.h"
#include "mcu_model/layer_geometry.h"
#include "sim/graph.h"

namespace tinyskip::mcu {

// Dispatches on op.type; EstimateError for an op the model has no kernel for.
// With a calibration for the kernel type `kernels` runs the op on
// (calibration.h), the cycles are the calibrated ones; otherwise the analytic
// sequence model's (which models the CMSIS-NN loop nests; the runtime runs
// the same algorithms). Flash and MACs always come from the analytic model.
LayerEstimate baseline_layer_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board,
                                  const EstimateOptions& options = {});

LayerEstimate conv_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate depthwise_conv_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate fully_connected_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate max_pool_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate average_pool_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate add_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate softmax_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate quantize_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate dequantize_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);
LayerEstimate reshape_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board);

// Pieces shared with the unpacked kernels.

// arm_q7_to_q15_with_offset on `elements` values (one call, body only).
double widen_to_q15_cycles(const KernelSequences& seq, int64_t elements);

// arm_convolve_s8's im2col for one image: the per-pixel loop, and for every
// (pixel, tap) either the widening copy of Cin values (in bounds) or a
// zero fill of 2 * Cin bytes (padding). Unpacked kernels keep this driver.
double conv_im2col_cycles(const ConvGeometry& geometry, const KernelSequences& seq);

// An estimate with the op's identity, flash data (its constant inputs) and
// nominal MACs filled in; cycles start at the per-op interpreter overhead.
LayerEstimate start_estimate(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board,
                             const char* kind, const char* kernel, int batches);

}  // namespace tinyskip::mcu
