// AVERAGE_POOL_2D with CMSIS-NN's arm_avgpool_s8: per output pixel, int32
// channel sums over the in-bounds taps, then one rounded division by the tap
// count, clamp and store per channel.
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate average_pool_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const PoolGeometry g = pool_geometry(graph, op);
  const KernelSequences& seq = board.sequences();
  const double per_tap = seq.pool_tap.cycles + static_cast<double>(g.channels / 4) * seq.avgpool_4ch_tap.cycles +
                         static_cast<double>(g.channels % 4) * seq.avgpool_1ch_tap.cycles;
  const double per_pixel = seq.pool_pixel.cycles + static_cast<double>(g.channels) * seq.avgpool_output.cycles;
  const double per_image = static_cast<double>(g.pixels()) * per_pixel +
                           static_cast<double>(g.in_bounds_taps()) * per_tap;

  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kAvgPool, g.batches);
  estimate.cycles += static_cast<double>(g.batches) * per_image;
  return estimate;
}

}  // namespace tinyskip::mcu
