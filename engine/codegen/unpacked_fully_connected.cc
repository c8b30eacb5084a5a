#include "engine/codegen/unpacked_fully_connected.h"

#include <algorithm>
#include <map>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/code_template.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_parts.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

struct FullyConnectedLayer {
  sim::FullyConnectedParams params;
  sim::ChannelRequant requant;
  std::span<const int8_t> weights;  // [rows][depth]
  std::vector<int32_t> bias;        // one per row (0 without a bias tensor)
  int rows = 0, depth = 0;
};

FullyConnectedLayer read_layer(const sim::Graph& graph, int op_index, const sim::WeightMask& mask) {
  if (op_index < 0 || op_index >= static_cast<int>(graph.ops.size()))
    throw CodegenError(fmt::format("{}: op index {} out of range (the graph has {} ops)", graph.source, op_index,
                                   graph.ops.size()));
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  const std::string where = graph.source + ": " + graph.describe(op);
  if (op.type != sim::OpType::kFullyConnected)
    throw CodegenError(where + ": generate_unpacked_fully_connected_c takes FULLY_CONNECTED ops only");
  FullyConnectedLayer layer;
  std::tie(layer.params, layer.requant) = sim::make_fully_connected_params(graph, op);
  const sim::Tensor& filter = graph.input_of(op, 1);
  if (filter.type != sim::DataType::kInt8 || !filter.is_constant() || filter.shape.size() != 2)
    throw CodegenError(where + ": the filter must be a constant int8 [rows, depth] tensor");
  layer.rows = filter.shape[0];
  layer.depth = filter.shape[1];
  const sim::OpShapes shapes = sim::op_shapes(graph, op);
  if (shapes.output.elements() != layer.rows || shapes.input.elements() != layer.depth)
    throw CodegenError(where + fmt::format(": batch {} unsupported, the kernel computes one input vector",
                                           shapes.input.elements() / std::max(1, layer.depth)));
  layer.weights = filter.values<int8_t>();
  layer.bias = layer_bias(graph, op, layer.rows, where);
  check_mask_size(mask, layer.weights.size(), where);
  return layer;
}

// The unrolled function of one row pair (or the odd last row): accumulators
// start at the bias, then the kept products of every reduction pair, then
// requantisation.
std::string row_block(const FullyConnectedLayer& layer, const sim::WeightMask& mask, const std::string& function_name,
                      int first, int count) {
  std::vector<std::vector<int8_t>> rows;
  for (int r = 0; r < count; ++r) rows.push_back(effective_row(layer.weights, mask, first + r, layer.depth));
  std::string out = count == 2 ? fmt::format("/* Output rows {}, {}. */\n", first, first + 1)
                               : fmt::format("/* Output row {}. */\n", first);
  out += fmt::format("static TS_NOINLINE TS_UNPACKED_CODE void {}_rows_{}(const int16_t *col, int8_t *out) {{\n"
                     "  (void)col;\n  {{\n",
                     function_name, first);
  for (int r = 0; r < count; ++r)
    out += fmt::format("    int32_t acc{} = {};\n", r, c_int(layer.bias[static_cast<size_t>(first + r)]));
  bool any_pair = false;
  for (int k = 0; k + 1 < layer.depth; k += 2)
    for (const auto& row : rows) any_pair = any_pair || (row[static_cast<size_t>(k)] != 0 && row[static_cast<size_t>(k + 1)] != 0);
  if (any_pair) out += "    uint32_t x;\n";
  for (int k = 0; k < layer.depth; k += 2) {
    const bool has_hi = k + 1 < layer.depth;
    bool loaded = false;
    for (int r = 0; r < count; ++r) {
      const int8_t lo = rows[static_cast<size_t>(r)][static_cast<size_t>(k)];
      const int8_t hi = has_hi ? rows[static_cast<size_t>(r)][static_cast<size_t>(k + 1)] : int8_t{0};
      if (lo != 0 && hi != 0) {
        if (!loaded) out += fmt::format("    x = ts_q15x2(col + {});\n", k);
        loaded = true;
        out += fmt::format("    acc{0} = TS_SMLAD({1}, x, acc{0});\n", r, packed_pair(lo, hi));
      } else if (lo != 0 || hi != 0) {
        out += fmt::format("    acc{} += col[{}] * ({});\n", r, lo != 0 ? k : k + 1, lo != 0 ? lo : hi);
      }
    }
  }
  for (int r = 0; r < count; ++r) {
    const auto row = static_cast<size_t>(first + r);
    out += fmt::format("    out[{}] = ts_requantize_s8(acc{}, {}, {}, {}, &{}_activation);\n", r, r,
                       c_int(layer.requant.multiplier[row]), layer.requant.shift[row],
                       c_int(layer.params.output_offset), function_name);
  }
  out += "  }\n}\n\n";
  return out;
}

}  // namespace

std::string generate_unpacked_fully_connected_c(const sim::Graph& graph, int op_index, const sim::WeightMask& mask,
                                                const std::string& function_name,
                                                const std::filesystem::path& template_dir) {
  check_c_identifier(function_name, "function name");
  const FullyConnectedLayer layer = read_layer(graph, op_index, mask);
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  std::string source = fmt::format(
      "/* Generated by tinyskip: unpacked FULLY_CONNECTED kernel for {} of {} ({} of {} weights skipped). */\n\n",
      graph.describe(op), graph.source, mask.skipped_count(), layer.weights.size());
  source += read_code_template(template_dir, "unpacked_helpers.c.in");
  source += fmt::format("\nstatic const ts_activation {}_activation = {{{}, {}}};\n\n", function_name,
                        c_int(layer.params.activation.min), c_int(layer.params.activation.max));
  std::string calls;
  for (int first = 0; first < layer.rows; first += 2) {
    const int count = std::min(2, layer.rows - first);
    source += row_block(layer, mask, function_name, first, count);
    calls += fmt::format("  {}_rows_{}(col.q15, output + {});\n", function_name, first, first);
  }
  const std::map<std::string, std::string> values = {
      {"FUNCTION", function_name},
      {"DEPTH", std::to_string(layer.depth)},
      {"ROWS", std::to_string(layer.rows)},
      {"COLUMN_LENGTH", std::to_string(layer.depth + layer.depth % 2)},
      {"COPY_INPUT", element_statements(layer.depth, "  ", [&](const std::string& c) {
         return fmt::format("col.q15[{0}] = (int16_t)(input[{0}] + ({1}));", c, c_int(layer.params.input_offset));
       })},
      {"ROW_CALLS", calls},
  };
  source += fill_code_template(read_code_template(template_dir, "unpacked_fc_layer.c.in"), values,
                               "unpacked_fc_layer.c.in");
  return source;
}

}  // namespace tinyskip::engine
