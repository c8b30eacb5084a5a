#include "engine/codegen/unpacked_depthwise_conv.h"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/code_template.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_parts.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

struct DepthwiseLayer {
  sim::ConvParams params;
  sim::ChannelRequant requant;
  sim::Shape4 input, filter, output;
  std::span<const int8_t> weights;  // 1HWC: weight (channel c, tap t) at t * channels + c
  std::vector<int32_t> bias;
  int taps = 0;           // filter_h * filter_w, the reduction of one channel
  int channel_block = 0;  // taps rounded up to even: q15 values per input channel in a column

  int column_length() const { return input.c * channel_block; }
};

DepthwiseLayer read_layer(const sim::Graph& graph, int op_index, const sim::WeightMask& mask) {
  std::string where;
  const sim::Op& op =
      unpacked_op(graph, op_index, sim::OpType::kDepthwiseConv2D, "generate_unpacked_depthwise_conv_c", where);
  DepthwiseLayer layer;
  std::tie(layer.params, layer.requant) = sim::make_depthwise_params(graph, op);
  const sim::OpShapes shapes = sim::op_shapes(graph, op);
  layer.input = shapes.input;
  layer.output = shapes.output;
  const sim::Tensor& filter = graph.input_of(op, 1);
  if (filter.type != sim::DataType::kInt8 || !filter.is_constant())
    throw CodegenError(where + ": the filter must be a constant int8 tensor");
  layer.filter = sim::shape_of(filter);
  if (layer.filter.n != 1 || layer.filter.c != layer.output.c ||
      layer.output.c != layer.input.c * layer.params.depth_multiplier ||
      layer.requant.multiplier.size() != static_cast<size_t>(layer.output.c))
    throw CodegenError(where + fmt::format(": filter {}x{}x{}x{} does not fit {} input channels x depth multiplier {}",
                                           layer.filter.n, layer.filter.h, layer.filter.w, layer.filter.c,
                                           layer.input.c, layer.params.depth_multiplier));
  if (layer.input.n != 1)
    throw CodegenError(where + fmt::format(": batch {} unsupported, the kernel computes one image", layer.input.n));
  layer.weights = filter.values<int8_t>();
  layer.taps = layer.filter.h * layer.filter.w;
  layer.channel_block = layer.taps + layer.taps % 2;
  layer.bias = layer_bias(graph, op, layer.output.c, where);
  check_mask_size(mask, layer.weights.size(), where);
  return layer;
}

// Output channel `channel`'s weights in tap order, skipped ones zeroed.
std::vector<int8_t> channel_weights(const DepthwiseLayer& layer, const sim::WeightMask& mask, int channel) {
  std::vector<int8_t> row(static_cast<size_t>(layer.taps));
  for (int t = 0; t < layer.taps; ++t) {
    const size_t index = static_cast<size_t>(t) * static_cast<size_t>(layer.output.c) + static_cast<size_t>(channel);
    row[static_cast<size_t>(t)] = !mask.skip.empty() && mask.skip[index] != 0 ? int8_t{0} : layer.weights[index];
  }
  return row;
}

std::string channel_functions(const DepthwiseLayer& layer, const sim::WeightMask& mask,
                              const std::string& function_name) {
  std::string out = fmt::format("static const ts_activation {}_activation = {{{}, {}}};\n\n", function_name,
                                c_int(layer.params.activation.min), c_int(layer.params.activation.max));
  // The columns hold raw inputs (padded taps: the zero point), so the input
  // offset moves out of the im2col into the accumulator's start:
  // sum_k w_k (x_k + offset) = sum_k w_k x_k + offset * sum_k w_k over the
  // emitted weights, a constant per channel.
  std::vector<int32_t> start = layer.bias;
  for (int first = 0; first < layer.output.c; first += 2) {
    TwoPixelRows block{first, {}, {}};
    for (int channel = first; channel < std::min(first + 2, layer.output.c); ++channel) {
      block.rows.push_back(channel_weights(layer, mask, channel));
      block.column_offsets.push_back(channel / layer.params.depth_multiplier * layer.channel_block);
      int64_t weight_sum = 0;
      for (const int8_t w : block.rows.back()) weight_sum += w;
      const int64_t folded = int64_t{start[static_cast<size_t>(channel)]} + weight_sum * layer.params.input_offset;
      if (folded < std::numeric_limits<int32_t>::min() || folded > std::numeric_limits<int32_t>::max())
        throw CodegenError(fmt::format("{}: channel {}: bias + input offset x weight sum overflows int32",
                                       function_name, channel));
      start[static_cast<size_t>(channel)] = static_cast<int32_t>(folded);
    }
    out += two_pixel_row_block(block, start, layer.requant, layer.params.output_offset, function_name);
  }
  out += fmt::format(
      "/* All {} output channels for two columns (two output pixels). */\n"
      "static TS_UNPACKED_CODE void {}_channels(const int16_t *col0, const int16_t *col1, int8_t *out0, int8_t *out1) {{\n",
      layer.output.c, function_name);
  out += row_pair_calls(function_name, layer.output.c);
  out += "}\n\n";
  return out;
}

}  // namespace

int64_t unpacked_depthwise_scratch_bytes(const sim::Graph& graph, int op_index) {
  const DepthwiseLayer layer = read_layer(graph, op_index, {});
  return 2 * int64_t{layer.column_length()} * static_cast<int64_t>(sizeof(int16_t));
}

std::string generate_unpacked_depthwise_conv_c(const sim::Graph& graph, int op_index, const sim::WeightMask& mask,
                                               const std::string& function_name,
                                               const std::filesystem::path& template_dir) {
  check_c_identifier(function_name, "function name");
  const DepthwiseLayer layer = read_layer(graph, op_index, mask);
  const sim::ConvParams& p = layer.params;
  const std::string block = std::to_string(layer.channel_block);
  std::map<std::string, std::string> values = window_template_values(function_name, p, layer.input, layer.filter,
                                                                      layer.output);
  values.insert({
      {"CHANNEL_BLOCK", block},
      {"COLUMN_LENGTH", std::to_string(layer.column_length())},
      {"ZERO_POINT", c_int(-p.input_offset)},
      {"PAD_CHANNELS", element_statements(layer.input.c, kIm2colIndent, [&](const std::string& c) {
         return fmt::format("col[({}) * {}] = {};", c, block, c_int(-p.input_offset));
       })},
      {"COPY_CHANNELS", element_statements(layer.input.c, kIm2colIndent, [&](const std::string& c) {
         return fmt::format("col[({0}) * {1}] = src[{0}];", c, block);
       })},
  });
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  std::string source = fmt::format(
      "/* Generated by tinyskip: unpacked DEPTHWISE_CONV_2D kernel for {} of {} ({} of {} weights skipped). */\n\n",
      graph.describe(op), graph.source, mask.skipped_count(), layer.weights.size());
  source += read_code_template(template_dir, "unpacked_helpers.c.in");
  source += "\n";
  source += channel_functions(layer, mask, function_name);
  source += fill_code_template(read_code_template(template_dir, "unpacked_dw_layer.c.in"), values,
                               "unpacked_dw_layer.c.in");
  return source;
}

}  // namespace tinyskip::engine
