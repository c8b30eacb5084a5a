// RESHAPE with TFLM's kernel: a memcpy of the tensor when input and output
// are different buffers (assumed: the arena planner does not alias them).
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate reshape_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  const int64_t bytes = output_elements(graph, op) * sim::data_type_size(graph.output_of(op).type);
  LayerEstimate estimate = start_estimate(graph, op, board, "tflm", library::kReshape, 1);
  estimate.cycles += seq.function_call.cycles + static_cast<double>((bytes + 3) / 4) * seq.copy_4_bytes.cycles;
  return estimate;
}

}  // namespace tinyskip::mcu
