// Kernel unpacking of one DEPTHWISE_CONV_2D layer (../shared/docs/method.md,
// step 2). CMSIS-NN's arm_depthwise_conv_s8_opt gathers each output pixel's
// receptive field as q15 with the input offset added, then accumulates every
// output channel over its taps. The unpacked kernel keeps that im2col (of the
// raw inputs, the offset folded into each channel's starting accumulator) but
// lays the column out channel by channel (channel ic's taps (ky, kx)
// contiguous, padded to an even count), because with the weights as
// compile-time constants a channel's taps can be paired: one SMLAD per kept
// tap pair (2j, 2j+1), a plain multiply-accumulate for a single kept tap,
// nothing for a skipped or zero pair. Like the unpacked CONV_2D it computes
// two output pixels per call, so every constant serves both columns (the
// pixel pairs significance.h scores), with output channels in pairs; channel
// oc = ic * depth_multiplier + m reads input channel ic's block. Requantisation
// is the simulator's, so the function computes exactly what
// sim::depthwise_conv_s8_nhwc computes on the filter with the skipped weights
// zeroed. This is the structure mcu_model/unpacked_cost.h prices.
//
// The two columns (2 x in_c x taps q15 values, 10 KB for 256 channels of
// 3x3) live in the op's scratch area, not on the stack.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// C99 source (helpers, then `void <function_name>(const int8_t *input,
// int8_t *output, int16_t *columns)` for one image, NHWC int8 in and out,
// `columns` word-aligned scratch of unpacked_depthwise_scratch_bytes) for
// the DEPTHWISE_CONV_2D op graph.ops[op_index]. `mask` has one entry per
// filter weight (1HWC) or is empty for the exact layer. Throws CodegenError
// for a bad op index, another op type, a mask of the wrong size, a function
// name that is not a C identifier or a missing template; the sim's
// ModelError when the op's tensors are not int8 depthwise tensors.
std::string generate_unpacked_depthwise_conv_c(const sim::Graph& graph, int op_index, const sim::WeightMask& mask,
                                               const std::string& function_name,
                                               const std::filesystem::path& template_dir);

// Bytes of the two q15 columns the generated function works in.
int64_t unpacked_depthwise_scratch_bytes(const sim::Graph& graph, int op_index);

}  // namespace tinyskip::engine
