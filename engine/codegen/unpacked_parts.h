// Pieces every unpacked kernel generator shares (unpacked_conv.h,
// unpacked_fully_connected.h), so that the two emit weights, operand copies
// and masks the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

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

}  // namespace tinyskip::engine
