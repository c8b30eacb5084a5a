// DEPTHWISE_CONV_2D with CMSIS-NN's arm_depthwise_conv_wrapper_s8: depth
// multiplier 1 runs arm_depthwise_conv_s8_opt (per output pixel: the window
// widened to q15, then 4 channels per step over the taps), other multipliers
// the scalar arm_depthwise_conv_s8.
#include "mcu_model/kernel_costs.h"
#include "mcu_model/memory_model.h"

namespace tinyskip::mcu {

namespace {

double optimized_image_cycles(const ConvGeometry& g, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  const double taps = static_cast<double>(g.taps());
  const double channel_groups = static_cast<double>(g.out_channels / 4);
  const double tail_channels = static_cast<double>(g.out_channels % 4);
  const double per_pixel = channel_groups * (seq.dw_channel_group_setup.cycles + taps * seq.dw_4ch_tap.cycles +
                                             4 * seq.requant_output.cycles) +
                           tail_channels * (taps * seq.dw_1ch_tap.cycles + seq.requant_output.cycles) +
                           flash_data_stall_cycles(board, taps * g.out_channels);
  // The window copy is the conv im2col with one pixel per call.
  return conv_im2col_cycles(g, seq) + static_cast<double>(g.pixels()) * (seq.dw_pixel.cycles + per_pixel);
}

double generic_image_cycles(const ConvGeometry& g, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  const double outputs = static_cast<double>(g.pixels() * g.out_channels);
  return static_cast<double>(g.pixels()) * seq.dw_pixel.cycles +
         outputs * (static_cast<double>(g.taps()) * seq.dw_generic_mac.cycles + seq.requant_output.cycles) +
         static_cast<double>(g.pixels()) *
             flash_data_stall_cycles(board, static_cast<double>(g.taps() * g.out_channels));
}

}  // namespace

LayerEstimate depthwise_conv_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const ConvGeometry g = conv_geometry(graph, op);
  const bool optimized = g.depth_multiplier == 1;
  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn",
                                          optimized ? library::kDepthwiseOpt : library::kDepthwise, g.batches);
  estimate.cycles += static_cast<double>(g.batches) *
                     (optimized ? optimized_image_cycles(g, board) : generic_image_cycles(g, board));
  return estimate;
}

}  // namespace tinyskip::mcu
