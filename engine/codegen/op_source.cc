#include "engine/codegen/op_source.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_conv.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

// What every op function needs to know about its op, gathered once.
struct OpContext {
  const sim::Graph& graph;
  const sim::Op& op;
  const OpSourceRequest& request;
  sim::OpShapes shapes;
  std::string where;  // "<model>: op 3 (CONV_2D)" for messages
};

std::string dims(const sim::Shape4& s) { return fmt::format("{{{}, {}, {}, {}}}", s.n, s.h, s.w, s.c); }

std::string activation(const sim::ActivationRange& a) {
  return fmt::format("{{{}, {}}}", c_int(a.min), c_int(a.max));
}

// A finite float or double as an exact C99 hexadecimal literal.
std::string exact_float_literal(double value, bool single, const std::string& where) {
  if (!std::isfinite(value)) throw CodegenError(where + ": non-finite quantisation scale");
  return fmt::format("{:a}{}", value, single ? "f" : "");
}

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

// Filter, bias and per-channel requantisation arrays of a weighted op; returns
// the C expression for the bias pointer.
std::string emit_weights(std::string& out, const OpContext& ctx, const sim::ChannelRequant& requant) {
  const std::string& fn = ctx.request.function_name;
  const std::vector<int8_t> filter = effective_filter(ctx);
  out += fmt::format("static const int8_t {}_filter[{}] = {{\n{}\n}};\n", fn, filter.size(), c_int8_initializer(filter));
  std::string bias = "NULL";
  if (ctx.op.inputs.size() > 2 && ctx.op.inputs[2] >= 0) {
    const auto values = ctx.graph.tensor(ctx.op.inputs[2]).values<int32_t>();
    out += fmt::format("static const int32_t {}_bias[{}] = {{\n{}\n}};\n", fn, values.size(), c_int32_initializer(values));
    bias = fn + "_bias";
  }
  out += fmt::format("static const int32_t {}_multiplier[{}] = {{\n{}\n}};\n", fn, requant.multiplier.size(),
                     c_int32_initializer(requant.multiplier));
  out += fmt::format("static const int32_t {}_shift[{}] = {{\n{}\n}};\n", fn, requant.shift.size(),
                     c_int32_initializer(requant.shift));
  out += fmt::format("static const ts_per_channel_quant {0}_quant = {{{0}_multiplier, {0}_shift}};\n", fn);
  return bias;
}

std::string function_head(const OpContext& ctx) {
  return fmt::format(
      "ts_status {}(const void *input, const void *input2, void *output, const ts_context *scratch) {{\n",
      ctx.request.function_name);
}

// A weighted op through its runtime kernel: the arrays, the parameter struct
// (`params_fields`, a designated initialiser body) and the function that
// calls `kernel`. All three runtime kernels share the CMSIS-NN-like argument
// order; only conv takes the scratch columns.
std::string emit_weighted(const OpContext& ctx, const sim::ChannelRequant& requant, const std::string& params_type,
                          const std::string& params_fields, const std::string& kernel, bool uses_scratch) {
  const sim::Shape4 filter_shape = sim::shape_of(ctx.graph.input_of(ctx.op, 1));
  const std::string& fn = ctx.request.function_name;
  std::string out;
  const std::string bias = emit_weights(out, ctx, requant);
  out += fmt::format("static const {} {}_params = {{\n  {}}};\n\n", params_type, fn, params_fields);
  out += function_head(ctx);
  out += fmt::format(
      "  static const ts_dims input_dims = {1}, filter_dims = {2}, output_dims = {3};\n"
      "  (void)input2;\n{5}"
      "  return {6}(&{0}_params, &{0}_quant, &input_dims, (const int8_t *)input, &filter_dims, {0}_filter,\n"
      "      {4}, &output_dims, (int8_t *)output{7});\n}}\n",
      fn, dims(ctx.shapes.input), dims(filter_shape), dims(ctx.shapes.output), bias,
      uses_scratch ? "" : "  (void)scratch;\n", kernel, uses_scratch ? ", scratch" : "");
  return out;
}

std::string emit_conv(const OpContext& ctx) {
  const auto [p, requant] = sim::make_conv_params(ctx.graph, ctx.op);
  return emit_weighted(ctx, requant, "ts_conv_params",
                       fmt::format(".input_offset = {}, .output_offset = {}, .stride_h = {}, .stride_w = {},\n"
                                   "  .dilation_h = {}, .dilation_w = {}, .pad_h = {}, .pad_w = {}, .activation = {}",
                                   c_int(p.input_offset), c_int(p.output_offset), p.stride_h, p.stride_w,
                                   p.dilation_h, p.dilation_w, p.pad_h, p.pad_w, activation(p.activation)),
                       "ts_conv_s8", true);
}

std::string emit_unpacked_conv(const OpContext& ctx, const std::filesystem::path& template_dir) {
  const sim::WeightMask exact;
  const std::string& fn = ctx.request.function_name;
  std::string out = generate_unpacked_conv_c(ctx.graph, ctx.op.index, ctx.request.mask ? *ctx.request.mask : exact,
                                             fn + "_unpacked", template_dir);
  out += '\n';
  out += function_head(ctx);
  out += fmt::format(
      "  (void)input2;\n  (void)scratch;\n"
      "  {}_unpacked((const int8_t *)input, (int8_t *)output);\n  return TS_OK;\n}}\n",
      fn);
  return out;
}

std::string emit_depthwise(const OpContext& ctx) {
  const auto [p, requant] = sim::make_depthwise_params(ctx.graph, ctx.op);
  return emit_weighted(ctx, requant, "ts_depthwise_conv_params",
                       fmt::format(".input_offset = {}, .output_offset = {}, .stride_h = {}, .stride_w = {},\n"
                                   "  .dilation_h = {}, .dilation_w = {}, .pad_h = {}, .pad_w = {},\n"
                                   "  .depth_multiplier = {}, .activation = {}",
                                   c_int(p.input_offset), c_int(p.output_offset), p.stride_h, p.stride_w,
                                   p.dilation_h, p.dilation_w, p.pad_h, p.pad_w, p.depth_multiplier,
                                   activation(p.activation)),
                       "ts_depthwise_conv_s8", false);
}

std::string emit_fully_connected(const OpContext& ctx) {
  const auto [p, requant] = sim::make_fully_connected_params(ctx.graph, ctx.op);
  return emit_weighted(ctx, requant, "ts_fully_connected_params",
                       fmt::format(".input_offset = {}, .output_offset = {}, .activation = {}",
                                   c_int(p.input_offset), c_int(p.output_offset), activation(p.activation)),
                       "ts_fully_connected_s8", false);
}

// An op without weights: `declarations` (its static parameters), then
// `statement`, which computes the output. Only ADD reads input2 and none of
// these ops needs the scratch columns.
std::string emit_call(const OpContext& ctx, const std::string& declarations, const std::string& statement) {
  std::string out = function_head(ctx) + declarations;
  if (ctx.op.type != sim::OpType::kAdd) out += "  (void)input2;\n";
  out += "  (void)scratch;\n";
  out += statement;
  out += "}\n";
  return out;
}

std::string emit_pool(const OpContext& ctx) {
  const sim::PoolParams p = sim::make_pool_params(ctx.graph, ctx.op);
  const char* kernel = ctx.op.type == sim::OpType::kMaxPool2D ? "ts_max_pool_s8" : "ts_avg_pool_s8";
  return emit_call(ctx,
                   fmt::format("  static const ts_pool_params params = {{\n"
                               "    .stride_h = {}, .stride_w = {}, .filter_h = {}, .filter_w = {}, .pad_h = {},\n"
                               "    .pad_w = {}, .activation = {}}};\n"
                               "  static const ts_dims input_dims = {}, output_dims = {};\n",
                               p.stride_h, p.stride_w, p.filter_h, p.filter_w, p.pad_h, p.pad_w,
                               activation(p.activation), dims(ctx.shapes.input), dims(ctx.shapes.output)),
                   fmt::format("  return {}(&params, &input_dims, (const int8_t *)input, &output_dims, "
                               "(int8_t *)output);\n",
                               kernel));
}

std::string emit_add(const OpContext& ctx) {
  if (!(ctx.shapes.input == ctx.shapes.input2) || !(ctx.shapes.input == ctx.shapes.output))
    throw CodegenError(ctx.where + ": ADD with broadcasting is not supported by the runtime kernel");
  const sim::AddParams p = sim::make_add_params(ctx.graph, ctx.op);
  return emit_call(
      ctx,
      fmt::format("  static const ts_add_params params = {{\n"
                  "    .input1_offset = {}, .input2_offset = {}, .output_offset = {}, .left_shift = {},\n"
                  "    .input1_multiplier = {}, .input1_shift = {}, .input2_multiplier = {}, .input2_shift = {},\n"
                  "    .output_multiplier = {}, .output_shift = {}, .activation = {}}};\n"
                  "  static const ts_dims dims = {};\n",
                  c_int(p.input1_offset), c_int(p.input2_offset), c_int(p.output_offset), p.left_shift,
                  c_int(p.input1.multiplier), p.input1.shift, c_int(p.input2.multiplier), p.input2.shift,
                  c_int(p.output.multiplier), p.output.shift, activation(p.activation), dims(ctx.shapes.input)),
      "  return ts_add_s8(&params, &dims, (const int8_t *)input, (const int8_t *)input2, (int8_t *)output);\n");
}

std::string emit_softmax(const OpContext& ctx) {
  const sim::SoftmaxParams p = sim::make_softmax_params(ctx.graph, ctx.op);
  return emit_call(ctx,
                   fmt::format("  static const ts_softmax_params params = {{\n"
                               "    .input_multiplier = {}, .input_left_shift = {}, .diff_min = {}}};\n"
                               "  static const ts_dims dims = {};\n",
                               c_int(p.input_multiplier), p.input_left_shift, c_int(p.diff_min),
                               dims(ctx.shapes.input)),
                   "  return ts_softmax_s8(&params, &dims, (const int8_t *)input, (int8_t *)output);\n");
}

std::string emit_quantize(const OpContext& ctx) {
  const sim::QuantizeParams p = sim::make_quantize_params(ctx.graph, ctx.op);
  return emit_call(ctx,
                   fmt::format("  static const ts_quantize_params params = {{.scale = {}, .zero_point = {}}};\n",
                               exact_float_literal(p.scale, true, ctx.where), c_int(p.zero_point)),
                   fmt::format("  return ts_quantize_f32_s8(&params, {}, (const float *)input, (int8_t *)output);\n",
                               ctx.shapes.output.elements()));
}

std::string emit_dequantize(const OpContext& ctx) {
  const sim::DequantizeParams p = sim::make_dequantize_params(ctx.graph, ctx.op);
  return emit_call(ctx,
                   fmt::format("  static const ts_dequantize_params params = {{.scale = {}, .zero_point = {}}};\n",
                               exact_float_literal(p.scale, false, ctx.where), c_int(p.zero_point)),
                   fmt::format("  return ts_dequantize_s8_f32(&params, {}, (const int8_t *)input, (float *)output);\n",
                               ctx.shapes.output.elements()));
}

std::string emit_reshape(const OpContext& ctx) {
  return emit_call(ctx, "  /* Same bytes, new shape. */\n",
                   fmt::format("  memcpy(output, input, {});\n  return TS_OK;\n", ctx.graph.output_of(ctx.op).num_bytes()));
}

bool has_weights(sim::OpType type) {
  return type == sim::OpType::kConv2D || type == sim::OpType::kDepthwiseConv2D ||
         type == sim::OpType::kFullyConnected;
}

}  // namespace

int64_t op_scratch_bytes(const sim::Graph& graph, int op_index, bool unpacked) {
  const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
  if (op.type != sim::OpType::kConv2D || unpacked) return 0;
  const sim::Shape4 filter = sim::shape_of(graph.input_of(op, 1));
  return 2 * int64_t{filter.h} * filter.w * filter.c * static_cast<int64_t>(sizeof(int16_t));
}

std::string generate_op_source(const sim::Graph& graph, const OpSourceRequest& request,
                               const std::filesystem::path& template_dir) {
  if (request.op_index < 0 || request.op_index >= static_cast<int>(graph.ops.size()))
    throw CodegenError(fmt::format("{}: op index {} out of range", graph.source, request.op_index));
  check_c_identifier(request.function_name, "function name");
  const sim::Op& op = graph.ops[static_cast<size_t>(request.op_index)];
  const OpContext ctx{graph, op, request, sim::op_shapes(graph, op), graph.source + ": " + graph.describe(op)};
  if (ctx.shapes.input.n != 1 || ctx.shapes.output.n != 1)
    throw CodegenError(ctx.where + ": batch size must be 1 for generated code");
  if (request.unpacked && op.type != sim::OpType::kConv2D)
    throw CodegenError(ctx.where + ": only CONV_2D layers can be unpacked");
  if (request.mask != nullptr && !request.mask->skip.empty() && !has_weights(op.type))
    throw CodegenError(ctx.where + ": a weight mask was given for an op without weights");

  const int64_t skipped = request.mask ? request.mask->skipped_count() : 0;
  std::string out = fmt::format("/* Generated by tinyskip: {} of {}", graph.describe(op), graph.source);
  if (has_weights(op.type))
    out += fmt::format(", {} kernel, {} of {} weights skipped", request.unpacked ? "unpacked" : "runtime", skipped,
                       graph.input_of(op, 1).num_elements());
  out += ". */\n#include <stdint.h>\n#include <string.h>\n\n#include \"tinyskip_runtime.h\"\n";
  out += fmt::format("#include \"{}\"\n\n", request.ops_header);
  switch (op.type) {
    case sim::OpType::kConv2D: out += request.unpacked ? emit_unpacked_conv(ctx, template_dir) : emit_conv(ctx); break;
    case sim::OpType::kDepthwiseConv2D: out += emit_depthwise(ctx); break;
    case sim::OpType::kFullyConnected: out += emit_fully_connected(ctx); break;
    case sim::OpType::kMaxPool2D:
    case sim::OpType::kAveragePool2D: out += emit_pool(ctx); break;
    case sim::OpType::kAdd: out += emit_add(ctx); break;
    case sim::OpType::kSoftmax: out += emit_softmax(ctx); break;
    case sim::OpType::kQuantize: out += emit_quantize(ctx); break;
    case sim::OpType::kDequantize: out += emit_dequantize(ctx); break;
    case sim::OpType::kReshape: out += emit_reshape(ctx); break;
  }
  return out;
}

}  // namespace tinyskip::engine
