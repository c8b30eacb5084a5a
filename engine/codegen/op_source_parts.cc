#include "engine/codegen/op_source_parts.h"

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {
namespace {

// The filter with the skipped weights zeroed: what the simulator multiplies.
std::vector<int8_t> effective_filter(const OpContext& ctx) {
  const auto values = ctx.graph.input_of(ctx.op, 1).values<int8_t>();
  std::vector<int8_t> filter(values.begin(), values.end());
  if (const sim::WeightMask* mask = ctx.request.mask; mask != nullptr && !mask->skip.empty()) {
    if (mask->skip.size() != filter.size())
      throw CodegenError(fmt::format("{}: weight mask has {} entries, the filter {} weights", ctx.where,
                                     mask->skip.size(), filter.size()));
    for (size_t i = 0; i < filter.size(); ++i)
      if (mask->skip[i] != 0) filter[i] = 0;
  }
  return filter;
}

}  // namespace

std::string c_dims(const sim::Shape4& s) { return fmt::format("{{{}, {}, {}, {}}}", s.n, s.h, s.w, s.c); }

std::string c_activation(const sim::ActivationRange& a) {
  return fmt::format("{{{}, {}}}", c_int(a.min), c_int(a.max));
}

std::string op_function_head(const OpContext& ctx) {
  return fmt::format(
      "ts_status {}(const void *input, const void *input2, void *output, const ts_context *scratch) {{\n",
      ctx.request.function_name);
}

bool has_weights(sim::OpType type) {
  return type == sim::OpType::kConv2D || type == sim::OpType::kDepthwiseConv2D ||
         type == sim::OpType::kFullyConnected;
}

WeightArrays emit_weight_arrays(std::string& out, const OpContext& ctx, const sim::ChannelRequant& requant,
                                bool requant_tables) {
  const std::string& fn = ctx.request.function_name;
  const std::vector<int8_t> filter = effective_filter(ctx);
  WeightArrays arrays{fn + "_filter", "NULL", fn + "_multiplier", fn + "_shift"};
  out += fmt::format("static const int8_t {}[{}] = {{\n{}\n}};\n", arrays.filter, filter.size(),
                     c_int8_initializer(filter));
  if (ctx.op.inputs.size() > 2 && ctx.op.inputs[2] >= 0) {
    const auto values = ctx.graph.tensor(ctx.op.inputs[2]).values<int32_t>();
    arrays.bias = fn + "_bias";
    out += fmt::format("static const int32_t {}[{}] = {{\n{}\n}};\n", arrays.bias, values.size(),
                       c_int32_initializer(values));
  }
  if (!requant_tables) return arrays;
  out += fmt::format("static const int32_t {}[{}] = {{\n{}\n}};\n", arrays.multiplier, requant.multiplier.size(),
                     c_int32_initializer(requant.multiplier));
  out += fmt::format("static const int32_t {}[{}] = {{\n{}\n}};\n", arrays.shift, requant.shift.size(),
                     c_int32_initializer(requant.shift));
  return arrays;
}

}  // namespace tinyskip::engine
