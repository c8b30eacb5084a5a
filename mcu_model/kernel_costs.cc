// Dispatch to the per-op cost functions and the fields every estimate shares.
#include "mcu_model/kernel_costs.h"

#include <optional>

#include "mcu_model/errors.h"

namespace tinyskip::mcu {

LayerEstimate start_estimate(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board,
                             const char* kind, const char* kernel, int batches) {
  LayerEstimate estimate;
  estimate.op_index = op.index;
  estimate.op_name = sim::op_type_name(op.type);
  estimate.kind = kind;
  estimate.kernel = kernel;
  estimate.library = kernel;
  estimate.cycles = board.sequences().op_invoke.cycles;
  estimate.const_bytes = constant_input_bytes(graph, op);
  estimate.macs = sim::macs_of(graph, op) * batches;
  estimate.kept_macs = estimate.macs;
  return estimate;
}

namespace {

LayerEstimate analytic_layer_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  switch (op.type) {
    case sim::OpType::kConv2D: return conv_cost(graph, op, board);
    case sim::OpType::kDepthwiseConv2D: return depthwise_conv_cost(graph, op, board);
    case sim::OpType::kFullyConnected: return fully_connected_cost(graph, op, board);
    case sim::OpType::kMaxPool2D: return max_pool_cost(graph, op, board);
    case sim::OpType::kAveragePool2D: return average_pool_cost(graph, op, board);
    case sim::OpType::kAdd: return add_cost(graph, op, board);
    case sim::OpType::kSoftmax: return softmax_cost(graph, op, board);
    case sim::OpType::kQuantize: return quantize_cost(graph, op, board);
    case sim::OpType::kDequantize: return dequantize_cost(graph, op, board);
    case sim::OpType::kReshape: return reshape_cost(graph, op, board);
  }
  throw EstimateError(graph.source + ": " + graph.describe(op) + ": no cycle model for this op");
}

}  // namespace

LayerEstimate baseline_layer_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board,
                                  const EstimateOptions& options) {
  LayerEstimate estimate = analytic_layer_cost(graph, op, board);
  if (board.coefficients.calibration.empty()) return estimate;
  const KernelFeatures features = exact_kernel_features(graph, op, options.exact_kernels);
  const std::string& level = runs_on_cmsis_nn(features) ? options.library_opt_level : options.code_opt_level;
  if (const std::optional<double> cycles = board.coefficients.calibration.cycles(features, level)) {
    estimate.cycles = *cycles;
    estimate.kind = features.kernel.substr(0, features.kernel.find('.'));
  }
  return estimate;
}

}  // namespace tinyskip::mcu
