// Pieces every unpacked kernel generator shares (unpacked_conv.h,
// unpacked_depthwise_conv.h, unpacked_fully_connected.h), so that they emit
// weights, operand copies and masks the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sim/graph.h"
#include "sim/kernels/kernel_params.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// graph.ops[op_index], checked to be of `type`; CodegenError naming the op
// (and `generator`, the function asked) otherwise. `where` is set to
// "<source>: <op>" for the caller's own messages.
const sim::Op& unpacked_op(const sim::Graph& graph, int op_index, sim::OpType type, const char* generator,
                           std::string& where);

// The sliding-window placeholders of a convolution template (FUNCTION,
// IN_H .. OUT_C, FILTER_H/W, STRIDE_*, DILATION_*, PAD_*), the same for
// unpacked_conv_layer.c.in and unpacked_dw_layer.c.in.
std::map<std::string, std::string> window_template_values(const std::string& function_name,
                                                          const sim::ConvParams& params, const sim::Shape4& input,
                                                          const sim::Shape4& filter, const sim::Shape4& output);

// The op's bias, one per output channel (zeros without a bias tensor), and
// the check that a mask has one entry per weight (or none: the exact layer).
// CodegenError naming `where` otherwise.
std::vector<int32_t> layer_bias(const sim::Graph& graph, const sim::Op& op, int channels, const std::string& where);
void check_mask_size(const sim::WeightMask& mask, size_t weights, const std::string& where);

// Two int8 weights sign-extended to 16 bits, w_lo in the low half: the SMLAD
// operand that multiplies the q15 pair (col[2j], col[2j+1]).
std::string packed_pair(int8_t w_lo, int8_t w_hi);

// Row `row` (`length` weights from row * length) with the skipped weights
// zeroed, since a skipped weight and a zero weight both emit nothing.
std::vector<int8_t> effective_row(std::span<const int8_t> weights, const sim::WeightMask& mask, int row, int length);

// Statements setting elements [0, count) of a q15 column, `statement` given
// the index expression, indented by `indent`: straight-line, with a loop over
// blocks of 16 for long columns (unpacked_conv.cc says why).
std::string element_statements(int count, const std::string& indent,
                               const std::function<std::string(const std::string&)>& statement);

// The unrolled function `<function_name>_channels_<first>` of one output row
// pair (or the odd last row) of a convolution computing two output pixels per
// call from the q15 columns col0 and col1: accumulators start at the bias,
// then for every reduction pair (2j, 2j+1) the kept products of each row, then
// requantisation into out0[row] and out1[row] (with `<function_name>_activation`).
// rows[r] holds the effective weights of row first + r in reduction order;
// its operands sit at column_offsets[r] + k in each column (0 for CONV_2D,
// the input channel's block for DEPTHWISE_CONV_2D). A q15 operand pair is
// loaded once per distinct offset whose row keeps the full pair.
// The calls of every row-pair function of `rows` output rows, one line each,
// for the body of the function that computes all rows for two columns.
std::string row_pair_calls(const std::string& function_name, int rows);

// The indent of the channel copies in the im2col templates (inside two
// loops and an if).
inline const std::string kIm2colIndent = "        ";

struct TwoPixelRows {
  int first = 0;
  std::vector<std::vector<int8_t>> rows;
  std::vector<int> column_offsets;
};
std::string two_pixel_row_block(const TwoPixelRows& block, const std::vector<int32_t>& bias,
                                const sim::ChannelRequant& requant, int32_t output_offset,
                                const std::string& function_name);

}  // namespace tinyskip::engine
