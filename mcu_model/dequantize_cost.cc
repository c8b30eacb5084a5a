// DEQUANTIZE (int8 -> float) with TFLM's reference kernel, which computes
// scale * (q - zero_point) in double precision (software on a
// single-precision FPU).
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate dequantize_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  LayerEstimate estimate = start_estimate(graph, op, board, "tflm", library::kDequantize, 1);
  estimate.cycles += seq.function_call.cycles +
                     static_cast<double>(output_elements(graph, op)) * seq.dequantize_element.cycles;
  return estimate;
}

}  // namespace tinyskip::mcu
