// MAX_POOL_2D with CMSIS-NN's arm_max_pool_s8: per output pixel, every
// in-bounds tap is compared into the running maximum 4 channels at a time,
// then the result is clamped to the activation range.
#include "mcu_model/kernel_costs.h"

namespace tinyskip::mcu {

LayerEstimate max_pool_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const PoolGeometry g = pool_geometry(graph, op);
  const KernelSequences& seq = board.sequences();
  const double per_tap = seq.pool_tap.cycles + static_cast<double>(g.channels / 4) * seq.maxpool_4ch.cycles +
                         static_cast<double>(g.channels % 4) * seq.maxpool_1ch.cycles;
  const double per_pixel = seq.pool_pixel.cycles +
                           static_cast<double>((g.channels + 3) / 4) * seq.maxpool_clamp_4ch.cycles;
  const double per_image = static_cast<double>(g.pixels()) * per_pixel +
                           static_cast<double>(g.in_bounds_taps()) * per_tap;

  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kMaxPool, g.batches);
  estimate.cycles += static_cast<double>(g.batches) * per_image;
  return estimate;
}

}  // namespace tinyskip::mcu
