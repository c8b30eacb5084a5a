// ADD with CMSIS-NN's arm_elementwise_add_s8: per element both inputs are
// offset, shifted left by 20 and requantised, summed, and the sum
// requantised to the output (3 requantisations per element).
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate add_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kAdd, 1);
  estimate.cycles += seq.function_call.cycles +
                     static_cast<double>(output_elements(graph, op)) * seq.add_element.cycles;
  return estimate;
}

}  // namespace tinyskip::mcu
