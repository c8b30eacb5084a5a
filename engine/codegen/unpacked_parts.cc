#include "engine/codegen/unpacked_parts.h"

#include <fmt/format.h>

#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {

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

}  // namespace tinyskip::engine
