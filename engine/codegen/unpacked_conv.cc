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

// The unrolled block of one output channel pair (or the odd last channel):
// accumulators start at the bias, then for every reduction pair the kept
// products, then requantisation of both pixels.
void emit_channel_block(std::string& out, const ConvLayer& layer, const sim::WeightMask& mask,
                        const std::string& function_name, int first, int count) {
  std::vector<std::vector<int8_t>> rows;
  for (int r = 0; r < count; ++r) rows.push_back(effective_row(layer.weights, mask, first + r, layer.reduction));
  const int k_len = layer.reduction;

  // Which reduction pairs need the packed q15 columns loaded at all.
  bool any_smlad = false;
  std::vector<bool> pair_loaded(static_cast<size_t>(k_len / 2), false);
  for (int j = 0; j < k_len / 2; ++j)
    for (const auto& row : rows)
      if (row[static_cast<size_t>(2 * j)] != 0 && row[static_cast<size_t>(2 * j + 1)] != 0)
        pair_loaded[static_cast<size_t>(j)] = any_smlad = true;

  // One function per channel pair keeps every function small enough for the
  // compiler's optimiser (one huge function makes compile time explode).
  out += count == 2 ? fmt::format("/* Output channels {}, {}. */\n", first, first + 1)
                    : fmt::format("/* Output channel {}. */\n", first);
  out += fmt::format(
      "static TS_NOINLINE TS_UNPACKED_CODE void {}_channels_{}(const int16_t *col0, const int16_t *col1, int8_t *out0, int8_t *out1) {{\n"
      "  (void)col0;\n  (void)col1;\n  {{\n",
      function_name, first);
  for (int r = 0; r < count; ++r)
    out += fmt::format("    int32_t acc{0}0 = {1}, acc{0}1 = {1};\n", r, c_int(layer.bias[static_cast<size_t>(first + r)]));
  if (any_smlad) out += "    uint32_t x0, x1;\n";

  for (int j = 0; j < (k_len + 1) / 2; ++j) {
    const int k = 2 * j;
    const bool has_hi = k + 1 < k_len;
    if (has_hi && pair_loaded[static_cast<size_t>(j)])
      out += fmt::format("    x0 = ts_q15x2(col0 + {0}); x1 = ts_q15x2(col1 + {0});\n", k);
    for (int r = 0; r < count; ++r) {
      const int8_t lo = rows[static_cast<size_t>(r)][static_cast<size_t>(k)];
      const int8_t hi = has_hi ? rows[static_cast<size_t>(r)][static_cast<size_t>(k + 1)] : int8_t{0};
      if (lo != 0 && hi != 0) {
        const std::string w = packed_pair(lo, hi);
        out += fmt::format("    acc{0}0 = TS_SMLAD({1}, x0, acc{0}0); acc{0}1 = TS_SMLAD({1}, x1, acc{0}1);\n", r, w);
      } else if (lo != 0 || hi != 0) {
        const int index = lo != 0 ? k : k + 1;
        const int weight = lo != 0 ? lo : hi;
        out += fmt::format("    acc{0}0 += col0[{1}] * ({2}); acc{0}1 += col1[{1}] * ({2});\n", r, index, weight);
      }
    }
  }

  const sim::ConvParams& p = layer.params;
  for (int r = 0; r < count; ++r) {
    const auto channel = static_cast<size_t>(first + r);
    const std::string tail = fmt::format("{}, {}, {}, &{}_activation)", c_int(layer.requant.multiplier[channel]),
                                         layer.requant.shift[channel], c_int(p.output_offset), function_name);
    out += fmt::format("    out0[{0}] = ts_requantize_s8(acc{1}0, {2};\n", first + r, r, tail);
    out += fmt::format("    out1[{0}] = ts_requantize_s8(acc{1}1, {2};\n", first + r, r, tail);
  }
  out += "  }\n}\n\n";
}

std::string emit_mat_mult(const ConvLayer& layer, const sim::WeightMask& mask, const std::string& function_name) {
  std::string out = fmt::format("static const ts_activation {}_activation = {{{}, {}}};\n\n", function_name,
                                c_int(layer.params.activation.min), c_int(layer.params.activation.max));
  for (int first = 0; first < layer.output.c; first += 2)
    emit_channel_block(out, layer, mask, function_name, first, std::min(2, layer.output.c - first));
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
