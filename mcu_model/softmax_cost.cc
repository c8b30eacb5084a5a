// SOFTMAX with CMSIS-NN's arm_softmax_s8: per row a max pass, a fixed-point
// exp-and-sum pass, one reciprocal of the sum, and a scaling pass.
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate softmax_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  const int64_t elements = output_elements(graph, op);
  const int64_t rows = elements / output_last_dimension(graph, op);
  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kSoftmax, 1);
  estimate.cycles += seq.function_call.cycles + static_cast<double>(rows) * seq.softmax_row.cycles +
                     static_cast<double>(elements) * seq.softmax_element.cycles;
  return estimate;
}

}  // namespace tinyskip::mcu
