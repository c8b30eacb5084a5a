// QUANTIZE (float -> int8) with TFLM's reference kernel: a float division by
// the scale, round, zero point and clamp per element.
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate quantize_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  LayerEstimate estimate = start_estimate(graph, op, board, "tflm", library::kQuantize, 1);
  estimate.cycles += seq.function_call.cycles +
                     static_cast<double>(output_elements(graph, op)) * seq.quantize_element.cycles;
  return estimate;
}

}  // namespace tinyskip::mcu
