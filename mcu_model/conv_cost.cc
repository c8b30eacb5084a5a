// CONV_2D with CMSIS-NN's arm_convolve_wrapper_s8: the 1x1 / stride 1 /
// unpadded case goes to arm_convolve_1x1_s8_fast (arm_nn_mat_mult_nt_t_s8 on
// the s8 input, input offset folded into the bias per filter-row pair),
// everything else to arm_convolve_s8 (im2col of 2 output pixels into q15 with
// the input offset added, then arm_nn_mat_mult_kernel_s8_s16: 2 filter rows x
// 2 pixels per step of 4 k-values; odd rows, odd k and an odd last pixel have
// their own loops).
#include "mcu_model/kernel_costs.h"
#include "mcu_model/memory_model.h"

namespace tinyskip::mcu {

double widen_to_q15_cycles(const KernelSequences& seq, int64_t elements) {
  return static_cast<double>(elements / 4) * seq.im2col_4_elements.cycles +
         static_cast<double>(elements % 4) * seq.im2col_1_element.cycles;
}

double conv_im2col_cycles(const ConvGeometry& g, const KernelSequences& seq) {
  const double in_bounds = static_cast<double>(g.in_bounds_taps());
  const double padded = static_cast<double>(g.pixels() * g.taps()) - in_bounds;
  const double fill_words = static_cast<double>((2 * int64_t{g.in_channels} + 3) / 4);
  const double copy_tap = seq.im2col_tap.cycles + seq.function_call.cycles +
                          widen_to_q15_cycles(seq, g.in_channels);
  const double pad_tap = seq.im2col_pad_tap.cycles + seq.function_call.cycles +
                         fill_words * seq.fill_4_bytes.cycles;
  return static_cast<double>(g.pixels()) * seq.conv_pixel.cycles + in_bounds * copy_tap + padded * pad_tap;
}

namespace {

// One call of arm_nn_mat_mult_kernel_s8_s16: all C rows against 2 columns.
double mat_mult_call_cycles(const KernelSequences& seq, int64_t rows, int64_t k) {
  const double steps = static_cast<double>(k / 4), tail = static_cast<double>(k % 4);
  const double row_pair = seq.mm_row_pair_setup.cycles + steps * seq.mm_2x2_step.cycles +
                          tail * seq.mm_2x2_tail_k.cycles + 4 * seq.requant_output.cycles;
  const double odd_row = seq.mm_row_single_setup.cycles + steps * seq.mm_1x2_step.cycles +
                         tail * seq.mm_1x2_tail_k.cycles + 2 * seq.requant_output.cycles;
  return seq.mm_call.cycles + seq.function_call.cycles + static_cast<double>(rows / 2) * row_pair +
         static_cast<double>(rows % 2) * odd_row;
}

// The single-column loop for one output pixel (also arm_nn_mat_mult_nt_t_s8's odd filter row).
double single_column_cycles(const KernelSequences& seq, int64_t rows, int64_t k) {
  const double per_row = seq.odd_column_row_setup.cycles +
                         static_cast<double>(k / 4) * seq.odd_column_step.cycles +
                         static_cast<double>(k % 4) * seq.odd_column_tail_k.cycles + seq.requant_output.cycles;
  return static_cast<double>(rows) * per_row;
}

double generic_conv_image_cycles(const ConvGeometry& g, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  const int64_t rows = g.out_channels, k = g.conv_reduction();
  // Every call and the odd pixel re-read the whole filter from flash.
  const double weight_stall = flash_data_stall_cycles(board, static_cast<double>(rows * k));
  const double calls = static_cast<double>(g.pixels() / 2);
  const double odd_pixel = static_cast<double>(g.pixels() % 2);
  return conv_im2col_cycles(g, seq) + calls * (mat_mult_call_cycles(seq, rows, k) + weight_stall) +
         odd_pixel * (single_column_cycles(seq, rows, k) + weight_stall);
}

// arm_nn_mat_mult_nt_t_s8 over all pixels of all batches (lhs rows) and the
// C filter rows (rhs rows); K = Cin.
double pointwise_conv_cycles(const ConvGeometry& g, const BoardProfile& board) {
  const KernelSequences& seq = board.sequences();
  const int64_t pixels = g.pixels() * g.batches, rows = g.out_channels, k = g.in_channels;
  const double steps = static_cast<double>(k / 4), tail = static_cast<double>(k % 4);
  const double pixel_pair = seq.nt_pixel_pair_setup.cycles + steps * seq.nt_2x2_step.cycles +
                            tail * seq.nt_2x2_tail_k.cycles + 4 * seq.requant_output.cycles;
  const double odd_pixel = seq.nt_pixel_pair_setup.cycles + steps * seq.nt_1x2_step.cycles +
                           tail * seq.nt_1x2_tail_k.cycles + 2 * seq.requant_output.cycles;
  const double row_pair = seq.nt_channel_pair_setup.cycles + static_cast<double>(k) * seq.nt_offset_k.cycles +
                          static_cast<double>(pixels / 2) * pixel_pair +
                          static_cast<double>(pixels % 2) * odd_pixel;
  // Two filter rows that fit the D-cache are read from flash once per row
  // pair; larger ones are re-streamed for every pixel pair.
  const bool rows_stay_cached = 2 * k <= board.dcache_bytes();
  const double weight_reads = rows_stay_cached ? 1.0 : static_cast<double>((pixels + 1) / 2);
  const double weight_stall = weight_reads * flash_data_stall_cycles(board, static_cast<double>(rows * k));
  return seq.mm_call.cycles + 2 * seq.function_call.cycles + static_cast<double>(rows / 2) * row_pair +
         static_cast<double>(rows % 2) * static_cast<double>(pixels) * single_column_cycles(seq, 1, k) +
         weight_stall;
}

}  // namespace

LayerEstimate conv_cost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board) {
  const ConvGeometry g = conv_geometry(graph, op);
  if (g.is_pointwise_fast_path()) {
    LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kConvolve1x1Fast, g.batches);
    estimate.cycles += pointwise_conv_cycles(g, board);
    return estimate;
  }
  LayerEstimate estimate = start_estimate(graph, op, board, "cmsis-nn", library::kConvolve, g.batches);
  estimate.cycles += static_cast<double>(g.batches) * generic_conv_image_cycles(g, board);
  return estimate;
}

}  // namespace tinyskip::mcu
