#include "engine/codegen/unpacked_conv.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/code_template.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_parts.h"
#include "sim/kernels/conv_s8.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

// Everything the generated layer needs, gathered and checked up front.
struct ConvLayer {
  sim::ConvParams params;
  sim::ChannelRequant requant;
  sim::Shape4 input, filter, output;
  std::span<const int8_t> weights;  // OHWI
  std::vector<int32_t> bias;        // one per output channel (0 without a bias tensor)
  int reduction = 0;                // k = filter_h * filter_w * in_c
};

ConvLayer read_conv_layer(const sim::Graph& graph, int op_index, const sim::WeightMask& mask) {
  if (op_index < 0 || op_index >= static_cast<int>(graph.ops.size()))
    throw CodegenError(fmt::format("{}: op index {} out of range (the graph has {} ops)", graph.source,
                                   op_index, graph.ops.size()));
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  const std::string where = graph.source + ": " + graph.describe(op);
  if (op.type != sim::OpType::kConv2D)
    throw CodegenError(where + ": unpacked kernels are generated for CONV_2D only");

  ConvLayer layer;
  std::tie(layer.params, layer.requant) = sim::make_conv_params(graph, op);
  const sim::OpShapes shapes = sim::op_shapes(graph, op);
  layer.input = shapes.input;
  layer.output = shapes.output;
  const sim::Tensor& filter = graph.input_of(op, 1);
  if (filter.type != sim::DataType::kInt8 || !filter.is_constant())
    throw CodegenError(where + ": the filter must be a constant int8 tensor");
  layer.filter = sim::shape_of(filter);
  sim::check_conv_s8_shapes(layer.params, layer.requant, layer.input, layer.filter, layer.output,
                            "generate_unpacked_conv_c");
  if (layer.input.n != 1)
    throw CodegenError(where + fmt::format(": batch {} unsupported, the kernel computes one image", layer.input.n));
  layer.weights = filter.values<int8_t>();
  layer.reduction = layer.filter.h * layer.filter.w * layer.filter.c;

  layer.bias = layer_bias(graph, op, layer.output.c, where);
  check_mask_size(mask, layer.weights.size(), where);
  return layer;
}

std::string emit_mat_mult(const ConvLayer& layer, const sim::WeightMask& mask, const std::string& function_name) {
  std::string out = fmt::format("static const ts_activation {}_activation = {{{}, {}}};\n\n", function_name,
                                c_int(layer.params.activation.min), c_int(layer.params.activation.max));
  // Every row reads the whole im2col column: operand offset 0.
  for (int first = 0; first < layer.output.c; first += 2) {
    TwoPixelRows block{first, {}, {}};
    for (int r = first; r < std::min(first + 2, layer.output.c); ++r) {
      block.rows.push_back(effective_row(layer.weights, mask, r, layer.reduction));
      block.column_offsets.push_back(0);
    }
    out += two_pixel_row_block(block, layer.bias, layer.requant, layer.params.output_offset, function_name);
  }
  out += fmt::format(
      "/* All {} output channels for two im2col columns (two output pixels), fully\n"
      " * unrolled over channels and the reduction index k = (ky, kx, c_in). */\n"
      "static TS_UNPACKED_CODE void {}_mat_mult(const int16_t *col0, const int16_t *col1, int8_t *out0, int8_t *out1) {{\n",
      layer.output.c, function_name);
  for (int first = 0; first < layer.output.c; first += 2)
    out += fmt::format("  {}_channels_{}(col0, col1, out0, out1);\n", function_name, first);
  out += "}\n\n";
  return out;
}

// The im2col template's channel copies sit inside two loops and an if.
const std::string kIndent = "        ";

}  // namespace

std::string generate_unpacked_conv_c(const sim::Graph& graph, int op_index, const sim::WeightMask& mask,
                                     const std::string& function_name,
                                     const std::filesystem::path& template_dir) {
  check_c_identifier(function_name, "function name");
  const ConvLayer layer = read_conv_layer(graph, op_index, mask);
  const sim::ConvParams& p = layer.params;
  const std::map<std::string, std::string> values = {
      {"FUNCTION", function_name},
      {"IN_H", std::to_string(layer.input.h)},
      {"IN_W", std::to_string(layer.input.w)},
      {"IN_C", std::to_string(layer.input.c)},
      {"OUT_H", std::to_string(layer.output.h)},
      {"OUT_W", std::to_string(layer.output.w)},
      {"OUT_C", std::to_string(layer.output.c)},
      {"FILTER_H", std::to_string(layer.filter.h)},
      {"FILTER_W", std::to_string(layer.filter.w)},
      {"STRIDE_H", std::to_string(p.stride_h)},
      {"STRIDE_W", std::to_string(p.stride_w)},
      {"DILATION_H", std::to_string(p.dilation_h)},
      {"DILATION_W", std::to_string(p.dilation_w)},
      {"PAD_H", std::to_string(p.pad_h)},
      {"PAD_W", std::to_string(p.pad_w)},
      {"COLUMN_STRIDE", std::to_string(layer.reduction + layer.reduction % 2)},
      {"ZERO_CHANNELS",
       element_statements(layer.input.c, kIndent, [](const std::string& c) { return fmt::format("col[{}] = 0;", c); })},
      {"COPY_CHANNELS", element_statements(layer.input.c, kIndent, [&](const std::string& c) {
         return fmt::format("col[{0}] = (int16_t)(src[{0}] + ({1}));", c, c_int(p.input_offset));
       })},
  };
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  std::string source = fmt::format(
      "/* Generated by tinyskip: unpacked CONV_2D kernel for {} of {} ({} of {} weights skipped). */\n\n",
      graph.describe(op), graph.source, mask.skipped_count(), layer.weights.size());
  source += read_code_template(template_dir, "unpacked_helpers.c.in");
  source += "\n";
  source += emit_mat_mult(layer, mask, function_name);
  source += fill_code_template(read_code_template(template_dir, "unpacked_conv_layer.c.in"), values, "unpacked_conv_layer.c.in");
  return source;
}

}  // namespace tinyskip::engine
