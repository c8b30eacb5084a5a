#include "engine/codegen/op_source.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/cmsis_nn_op_source.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/op_source_parts.h"
#include "engine/codegen/unpacked_conv.h"
#include "engine/codegen/unpacked_depthwise_conv.h"
#include "engine/codegen/unpacked_fully_connected.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

// A finite float or double as an exact C99 hexadecimal literal.
std::string exact_float_literal(double value, bool single, const std::string& where) {
  if (!std::isfinite(value)) throw CodegenError(where + ": non-finite quantisation scale");
  return fmt::format("{:a}{}", value, single ? "f" : "");
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
  const WeightArrays arrays = emit_weight_arrays(out, ctx, requant);
  out += fmt::format("static const ts_per_channel_quant {}_quant = {{{}, {}}};\n", fn, arrays.multiplier, arrays.shift);
  out += fmt::format("static const {} {}_params = {{\n  {}}};\n\n", params_type, fn, params_fields);
  out += op_function_head(ctx);
  out += fmt::format(
      "  static const ts_dims input_dims = {1}, filter_dims = {2}, output_dims = {3};\n"
      "  (void)input2;\n{5}"
      "  return {6}(&{0}_params, &{0}_quant, &input_dims, (const int8_t *)input, &filter_dims, {8},\n"
      "      {4}, &output_dims, (int8_t *)output{7});\n}}\n",
      fn, c_dims(ctx.shapes.input), c_dims(filter_shape), c_dims(ctx.shapes.output), arrays.bias,
      uses_scratch ? "" : "  (void)scratch;\n", kernel, uses_scratch ? ", scratch" : "", arrays.filter);
  return out;
}

std::string emit_conv(const OpContext& ctx) {
  const auto [p, requant] = sim::make_conv_params(ctx.graph, ctx.op);
  return emit_weighted(ctx, requant, "ts_conv_params",
                       fmt::format(".input_offset = {}, .output_offset = {}, .stride_h = {}, .stride_w = {},\n"
                                   "  .dilation_h = {}, .dilation_w = {}, .pad_h = {}, .pad_w = {}, .activation = {}",
                                   c_int(p.input_offset), c_int(p.output_offset), p.stride_h, p.stride_w,
                                   p.dilation_h, p.dilation_w, p.pad_h, p.pad_w, c_activation(p.activation)),
                       "ts_conv_s8", true);
}

std::string emit_unpacked(const OpContext& ctx, const std::filesystem::path& template_dir) {
  const sim::WeightMask exact;
  const sim::WeightMask& mask = ctx.request.mask ? *ctx.request.mask : exact;
  const std::string& fn = ctx.request.function_name;
  if (ctx.op.type == sim::OpType::kDepthwiseConv2D) {  // its columns live in the scratch area
    std::string out =
        generate_unpacked_depthwise_conv_c(ctx.graph, ctx.op.index, mask, fn + "_unpacked", template_dir);
    out += '\n';
    out += op_function_head(ctx);
    out += fmt::format(
        "  (void)input2;\n"
        "  if (scratch == NULL || scratch->buf == NULL || scratch->size < {}) return TS_ERROR_SCRATCH;\n"
        "  {}_unpacked((const int8_t *)input, (int8_t *)output, (int16_t *)scratch->buf);\n  return TS_OK;\n}}\n",
        unpacked_depthwise_scratch_bytes(ctx.graph, ctx.op.index), fn);
    return out;
  }
  std::string out =
      ctx.op.type == sim::OpType::kFullyConnected
          ? generate_unpacked_fully_connected_c(ctx.graph, ctx.op.index, mask, fn + "_unpacked", template_dir)
          : generate_unpacked_conv_c(ctx.graph, ctx.op.index, mask, fn + "_unpacked", template_dir);
  out += '\n';
  out += op_function_head(ctx);
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
                                   c_activation(p.activation)),
                       "ts_depthwise_conv_s8", false);
}

std::string emit_fully_connected(const OpContext& ctx) {
  const auto [p, requant] = sim::make_fully_connected_params(ctx.graph, ctx.op);
  return emit_weighted(ctx, requant, "ts_fully_connected_params",
                       fmt::format(".input_offset = {}, .output_offset = {}, .activation = {}",
                                   c_int(p.input_offset), c_int(p.output_offset), c_activation(p.activation)),
                       "ts_fully_connected_s8", false);
}

// An op without weights: `declarations` (its static parameters), then
// `statement`, which computes the output. Only ADD reads input2 and none of
// these ops needs the scratch columns.
std::string emit_call(const OpContext& ctx, const std::string& declarations, const std::string& statement) {
  std::string out = op_function_head(ctx) + declarations;
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
                               c_activation(p.activation), c_dims(ctx.shapes.input), c_dims(ctx.shapes.output)),
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
                  c_int(p.output.multiplier), p.output.shift, c_activation(p.activation), c_dims(ctx.shapes.input)),
      "  return ts_add_s8(&params, &dims, (const int8_t *)input, (const int8_t *)input2, (int8_t *)output);\n");
}

std::string emit_softmax(const OpContext& ctx) {
  const sim::SoftmaxParams p = sim::make_softmax_params(ctx.graph, ctx.op);
  return emit_call(ctx,
                   fmt::format("  static const ts_softmax_params params = {{\n"
                               "    .input_multiplier = {}, .input_left_shift = {}, .diff_min = {}}};\n"
                               "  static const ts_dims dims = {};\n",
                               c_int(p.input_multiplier), p.input_left_shift, c_int(p.diff_min),
                               c_dims(ctx.shapes.input)),
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

// The op through tinyskip's runtime kernels (QUANTIZE, DEQUANTIZE and
// RESHAPE always come here).
std::string emit_runtime(const OpContext& ctx) {
  switch (ctx.op.type) {
    case sim::OpType::kConv2D: return emit_conv(ctx);
    case sim::OpType::kDepthwiseConv2D: return emit_depthwise(ctx);
    case sim::OpType::kFullyConnected: return emit_fully_connected(ctx);
    case sim::OpType::kMaxPool2D:
    case sim::OpType::kAveragePool2D: return emit_pool(ctx);
    case sim::OpType::kAdd: return emit_add(ctx);
    case sim::OpType::kSoftmax: return emit_softmax(ctx);
    case sim::OpType::kQuantize: return emit_quantize(ctx);
    case sim::OpType::kDequantize: return emit_dequantize(ctx);
    case sim::OpType::kReshape: return emit_reshape(ctx);
  }
  throw CodegenError(ctx.where + ": unknown op type");
}

}  // namespace

int64_t op_scratch_bytes(const sim::Graph& graph, int op_index, LayerKernel kernel) {
  const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
  switch (kernel) {
    case LayerKernel::kUnpacked:
      return op.type == sim::OpType::kDepthwiseConv2D ? unpacked_depthwise_scratch_bytes(graph, op_index) : 0;
    case LayerKernel::kCmsisNn: return cmsis_nn_scratch_bound(graph, op);
    case LayerKernel::kRuntime: break;
  }
  if (op.type != sim::OpType::kConv2D) return 0;
  const sim::Shape4 filter = sim::shape_of(graph.input_of(op, 1));
  return 2 * int64_t{filter.h} * filter.w * filter.c * static_cast<int64_t>(sizeof(int16_t));
}

OpSource generate_op_source(const sim::Graph& graph, const OpSourceRequest& request,
                            const std::filesystem::path& template_dir) {
  if (request.op_index < 0 || request.op_index >= static_cast<int>(graph.ops.size()))
    throw CodegenError(fmt::format("{}: op index {} out of range", graph.source, request.op_index));
  check_c_identifier(request.function_name, "function name");
  const sim::Op& op = graph.ops[static_cast<size_t>(request.op_index)];
  const OpContext ctx{graph, op, request, sim::op_shapes(graph, op), graph.source + ": " + graph.describe(op)};
  if (ctx.shapes.input.n != 1 || ctx.shapes.output.n != 1)
    throw CodegenError(ctx.where + ": batch size must be 1 for generated code");
  if (request.kernel == LayerKernel::kUnpacked && !can_unpack(op.type))
    throw CodegenError(ctx.where + ": only CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED layers can be unpacked");
  if (request.kernel == LayerKernel::kCmsisNn && !cmsis_nn_implements(op.type))
    throw CodegenError(ctx.where + ": CMSIS-NN has no s8 kernel for this op");
  if (request.mask != nullptr && !request.mask->skip.empty() && !has_weights(op.type))
    throw CodegenError(ctx.where + ": a weight mask was given for an op without weights");

  const int64_t skipped = request.mask ? request.mask->skipped_count() : 0;
  OpSource source;
  std::string& out = source.code;
  out = fmt::format("/* Generated by tinyskip: {} of {}", graph.describe(op), graph.source);
  if (has_weights(op.type))
    out += fmt::format(", {} kernel, {} of {} weights skipped", layer_kernel_name(request.kernel), skipped,
                       graph.input_of(op, 1).num_elements());
  out += ". */\n#include <stdint.h>\n#include <string.h>\n\n";
  if (request.kernel == LayerKernel::kCmsisNn) out += "#include \"arm_nnfunctions.h\"\n";
  out += "#include \"tinyskip_runtime.h\"\n";
  out += fmt::format("#include \"{}\"\n\n", request.ops_header);
  switch (request.kernel) {
    case LayerKernel::kUnpacked: out += emit_unpacked(ctx, template_dir); break;
    case LayerKernel::kCmsisNn: out += emit_cmsis_nn_op(ctx, source.cmsis_nn_functions); break;
    case LayerKernel::kRuntime: out += emit_runtime(ctx); break;
  }
  return source;
}

}  // namespace tinyskip::engine
