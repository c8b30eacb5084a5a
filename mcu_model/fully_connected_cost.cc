// FULLY_CONNECTED with CMSIS-NN's arm_fully_connected_s8, i.e.
// arm_nn_vec_mat_mult_t_s8 per batch: 2 weight rows per step of 4 k-values
// (input widened with the offset by SXTAB16), an odd last row, a k tail.
#include "mcu_model/kernel_costs.h"
#include "mcu_model/memory_model.h"

namespace tinyskip::mcu {

LayerEstimate fully_connected_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const FullyConnectedGeometry g = fully_connected_geometry(graph, op);
  const KernelSequences& seq = board.sequences();
  const int64_t rows = g.out_features, k = g.in_features;
  const double steps = static_cast<double>(k / 4), tail = static_cast<double>(k % 4);
  const double row_pair = seq.fc_row_pair_setup.cycles + steps * seq.fc_2row_step.cycles +
                          tail * seq.fc_2row_tail_k.cycles + 2 * seq.requant_output.cycles;
  const double odd_row = seq.fc_row_single_setup.cycles + steps * seq.fc_1row_step.cycles +
                         tail * seq.fc_1row_tail_k.cycles + seq.requant_output.cycles;
  const double per_batch = seq.fc_call.cycles + 2 * seq.function_call.cycles +
                           static_cast<double>(rows / 2) * row_pair + static_cast<double>(rows % 2) * odd_row +
                           flash_data_stall_cycles(board, static_cast<double>(rows * k));

  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kFullyConnected, g.batches);
  estimate.cycles += static_cast<double>(g.batches) * per_batch;
  return estimate;
}

}  // namespace tinyskip::mcu
