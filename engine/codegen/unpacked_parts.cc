#include "engine/codegen/unpacked_parts.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {

const sim::Op& unpacked_op(const sim::Graph& graph, int op_index, sim::OpType type, const char* generator,
                           std::string& where) {
  if (op_index < 0 || op_index >= static_cast<int>(graph.ops.size()))
    throw CodegenError(fmt::format("{}: op index {} out of range (the graph has {} ops)", graph.source, op_index,
                                   graph.ops.size()));
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  where = graph.source + ": " + graph.describe(op);
  if (op.type != type)
    throw CodegenError(fmt::format("{}: {} takes {} ops only", where, generator, sim::op_type_name(type)));
  return op;
}

std::map<std::string, std::string> window_template_values(const std::string& function_name,
                                                          const sim::ConvParams& params, const sim::Shape4& input,
                                                          const sim::Shape4& filter, const sim::Shape4& output) {
  return {
      {"FUNCTION", function_name},
      {"IN_H", std::to_string(input.h)},
      {"IN_W", std::to_string(input.w)},
      {"IN_C", std::to_string(input.c)},
      {"OUT_H", std::to_string(output.h)},
      {"OUT_W", std::to_string(output.w)},
      {"OUT_C", std::to_string(output.c)},
      {"FILTER_H", std::to_string(filter.h)},
      {"FILTER_W", std::to_string(filter.w)},
      {"STRIDE_H", std::to_string(params.stride_h)},
      {"STRIDE_W", std::to_string(params.stride_w)},
      {"DILATION_H", std::to_string(params.dilation_h)},
      {"DILATION_W", std::to_string(params.dilation_w)},
      {"PAD_H", std::to_string(params.pad_h)},
      {"PAD_W", std::to_string(params.pad_w)},
  };
}

std::vector<int32_t> layer_bias(const sim::Graph& graph, const sim::Op& op, int channels, const std::string& where) {
  std::vector<int32_t> bias(static_cast<size_t>(channels), 0);
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    const std::span<const int32_t> values = graph.tensor(op.inputs[2]).values<int32_t>();
    if (values.size() != bias.size())
      throw CodegenError(where + fmt::format(": bias has {} values, expected {}", values.size(), bias.size()));
    bias.assign(values.begin(), values.end());
  }
  return bias;
}

void check_mask_size(const sim::WeightMask& mask, size_t weights, const std::string& where) {
  if (!mask.skip.empty() && mask.skip.size() != weights)
    throw CodegenError(where + fmt::format(": weight mask has {} entries, the filter {} weights", mask.skip.size(),
                                           weights));
}

std::string packed_pair(int8_t w_lo, int8_t w_hi) {
  const uint32_t word = static_cast<uint32_t>(static_cast<uint16_t>(static_cast<int16_t>(w_lo))) |
                        (static_cast<uint32_t>(static_cast<uint16_t>(static_cast<int16_t>(w_hi))) << 16);
  return fmt::format("0x{:08X}u", word);
}

std::vector<int8_t> effective_row(std::span<const int8_t> weights, const sim::WeightMask& mask, int row, int length) {
  const size_t begin = static_cast<size_t>(row) * static_cast<size_t>(length);
  std::vector<int8_t> values(weights.begin() + static_cast<ptrdiff_t>(begin),
                             weights.begin() + static_cast<ptrdiff_t>(begin + static_cast<size_t>(length)));
  if (!mask.skip.empty())
    for (size_t k = 0; k < values.size(); ++k)
      if (mask.skip[begin + k] != 0) values[k] = 0;
  return values;
}

// Straight-line rather than a loop: a short copy loop costs about a cycle
// more per element when the compiler happens to place its first instruction
// across a word boundary (the branch back then needs two fetches), which made
// an unpacked layer's cycles depend on the code before the loop, beyond what
// any loop count can tell the cost model. Unrolled, the copy is also twice as
// fast. Long columns keep a loop over blocks of 16 elements, so the code
// stays short and that cycle is paid once per 16 elements.
constexpr int kUnrolledElements = 32, kElementBlock = 16;

std::string element_statements(int count, const std::string& indent,
                               const std::function<std::string(const std::string&)>& statement) {
  std::string out;
  int first_unrolled = 0;
  if (count > kUnrolledElements) {
    first_unrolled = count - count % kElementBlock;
    out += indent + fmt::format("{{\n{}  int c;\n{}  for (c = 0; c < {}; c += {}) {{\n", indent, indent,
                                first_unrolled, kElementBlock);
    for (int k = 0; k < kElementBlock; ++k) out += indent + "    " + statement(fmt::format("c + {}", k)) + "\n";
    out += indent + "  }\n" + indent + "}\n";
  }
  for (int c = first_unrolled; c < count; ++c) out += indent + statement(std::to_string(c)) + "\n";
  return out;
}

namespace {

// The operand registers of the i-th distinct column offset of a pair: at most
// two (two rows), named so that a CONV_2D block (one offset) reads x0, x1.
const char* operand_name(size_t i) { return i == 0 ? "x" : "y"; }

}  // namespace

std::string row_pair_calls(const std::string& function_name, int rows) {
  std::string out;
  for (int first = 0; first < rows; first += 2)
    out += fmt::format("  {}_channels_{}(col0, col1, out0, out1);\n", function_name, first);
  return out;
}

std::string two_pixel_row_block(const TwoPixelRows& block, const std::vector<int32_t>& bias,
                                const sim::ChannelRequant& requant, int32_t output_offset,
                                const std::string& function_name) {
  const size_t count = block.rows.size();
  if (count == 0 || count > 2 || block.column_offsets.size() != count)
    throw CodegenError(fmt::format("{}: a row block holds one or two rows with one offset each", function_name));
  const int k_len = static_cast<int>(block.rows[0].size());
  auto keeps_pair = [&](size_t r, int k) {
    return k + 1 < k_len && block.rows[r][static_cast<size_t>(k)] != 0 && block.rows[r][static_cast<size_t>(k + 1)] != 0;
  };
  // The distinct column offsets of rows keeping reduction pair k, in row order.
  auto loaded_offsets = [&](int k) {
    std::vector<int> offsets;
    for (size_t r = 0; r < count; ++r)
      if (keeps_pair(r, k) && std::find(offsets.begin(), offsets.end(), block.column_offsets[r]) == offsets.end())
        offsets.push_back(block.column_offsets[r]);
    return offsets;
  };
  size_t operand_sets = 0;
  for (int k = 0; k < k_len; k += 2) operand_sets = std::max(operand_sets, loaded_offsets(k).size());

  // One function per row pair keeps every function small enough for the
  // compiler's optimiser (one huge function makes compile time explode).
  std::string out = count == 2 ? fmt::format("/* Output channels {}, {}. */\n", block.first, block.first + 1)
                               : fmt::format("/* Output channel {}. */\n", block.first);
  out += fmt::format(
      "static TS_NOINLINE TS_UNPACKED_CODE void {}_channels_{}(const int16_t *col0, const int16_t *col1, int8_t *out0, int8_t *out1) {{\n"
      "  (void)col0;\n  (void)col1;\n  {{\n",
      function_name, block.first);
  for (size_t r = 0; r < count; ++r)
    out += fmt::format("    int32_t acc{0}0 = {1}, acc{0}1 = {1};\n", r, c_int(bias[block.first + r]));
  if (operand_sets == 1) out += "    uint32_t x0, x1;\n";
  if (operand_sets == 2) out += "    uint32_t x0, x1, y0, y1;\n";

  for (int k = 0; k < k_len; k += 2) {
    const std::vector<int> offsets = loaded_offsets(k);
    for (size_t i = 0; i < offsets.size(); ++i)
      out += fmt::format("    {0}0 = ts_q15x2(col0 + {1}); {0}1 = ts_q15x2(col1 + {1});\n", operand_name(i),
                         offsets[i] + k);
    for (size_t r = 0; r < count; ++r) {
      const int8_t lo = block.rows[r][static_cast<size_t>(k)];
      const int8_t hi = k + 1 < k_len ? block.rows[r][static_cast<size_t>(k + 1)] : int8_t{0};
      if (keeps_pair(r, k)) {
        const auto at = std::find(offsets.begin(), offsets.end(), block.column_offsets[r]) - offsets.begin();
        out += fmt::format("    acc{0}0 = TS_SMLAD({1}, {2}0, acc{0}0); acc{0}1 = TS_SMLAD({1}, {2}1, acc{0}1);\n", r,
                           packed_pair(lo, hi), operand_name(static_cast<size_t>(at)));
      } else if (lo != 0 || hi != 0) {
        const int index = block.column_offsets[r] + (lo != 0 ? k : k + 1);
        out += fmt::format("    acc{0}0 += col0[{1}] * ({2}); acc{0}1 += col1[{1}] * ({2});\n", r, index,
                           lo != 0 ? lo : hi);
      }
    }
  }

  for (size_t r = 0; r < count; ++r) {
    const size_t channel = static_cast<size_t>(block.first) + r;
    const std::string tail = fmt::format("{}, {}, {}, &{}_activation)", c_int(requant.multiplier[channel]),
                                         requant.shift[channel], c_int(output_offset), function_name);
    out += fmt::format("    out0[{0}] = ts_requantize_s8(acc{1}0, {2};\n", channel, r, tail);
    out += fmt::format("    out1[{0}] = ts_requantize_s8(acc{1}1, {2};\n", channel, r, tail);
  }
  out += "  }\n}\n\n";
  return out;
}

}  // namespace tinyskip::engine
