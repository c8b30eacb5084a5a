#include "engine/codegen/cmsis_nn_op_source.h"

#include <fmt/format.h>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/layer_kernel.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

// "{.w = 2, .h = 1}": cmsis_nn_tile is {w, h}, the reverse of tinyskip's
// (h, w) order, so it is always written with designators.
std::string tile(int h, int w) { return fmt::format("{{.w = {}, .h = {}}}", w, h); }

// The CMSIS-NN call's status as the op function's.
std::string returned(const std::string& call) {
  return fmt::format("  return {} == ARM_CMSIS_NN_SUCCESS ? TS_OK : TS_ERROR_ARGUMENT;\n", call);
}

// Asks CMSIS-NN how much scratch the kernel wants (`size_call`) and refuses
// to run when the model's scratch area is smaller; the kernel then gets the
// whole area's address (some kernels reject a NULL buffer even when they
// need none).
std::string scratch_context(const std::string& size_call) {
  return fmt::format(
      "  context.size = {};\n"
      "  if (context.size > scratch->size) return TS_ERROR_SCRATCH;\n"
      "  context.buf = scratch->buf;\n",
      size_call);
}

// The function around `body`; `declarations` are its static parameters.
std::string function(const OpContext& ctx, const std::string& declarations, bool uses_input2, bool uses_scratch,
                     const std::string& body) {
  std::string out = op_function_head(ctx) + declarations;
  if (uses_scratch) out += "  cmsis_nn_context context;\n";
  if (!uses_input2) out += "  (void)input2;\n";
  if (!uses_scratch) out += "  (void)scratch;\n";
  return out + body + "}\n";
}

// CMSIS-NN's quantisation structs hold non-const pointers but only read the
// tables, so the tables stay const (in flash) and are cast here.
std::string per_channel_quant(const WeightArrays& arrays) {
  return fmt::format(
      "  /* CMSIS-NN only reads the tables: they stay const, in flash. */\n"
      "  static const cmsis_nn_per_channel_quant_params quant = {{\n"
      "      (int32_t *){}, (int32_t *){}}};\n",
      arrays.multiplier, arrays.shift);
}

std::string weighted_dims(const sim::Shape4& input, const sim::Shape4& filter, const sim::Shape4& output,
                          int channels) {
  return fmt::format(
      "  static const cmsis_nn_dims input_dims = {}, filter_dims = {}, bias_dims = {{1, 1, 1, {}}},\n"
      "      output_dims = {};\n",
      c_dims(input), c_dims(filter), channels, c_dims(output));
}

std::string weighted_call(const char* kernel, const WeightArrays& arrays) {
  return fmt::format(
      "{}(&context, &params, &quant, &input_dims, (const int8_t *)input,\n"
      "      &filter_dims, {}, &bias_dims, {}, &output_dims, (int8_t *)output)",
      kernel, arrays.filter, arrays.bias);
}

// CONV_2D and DEPTHWISE_CONV_2D go through their CMSIS-NN wrapper, which
// picks the kernel by shape, with the same parameter fields (depthwise adds
// its channel multiplier, `extra_field`) and the same call.
std::string emit_sliding_window(const OpContext& ctx, std::vector<std::string>& functions, const sim::ConvParams& p,
                                const sim::ChannelRequant& requant, const char* params_type,
                                const std::string& extra_field, const std::string& wrapper, int channels) {
  const sim::Shape4 filter = sim::shape_of(ctx.graph.input_of(ctx.op, 1));
  std::string out;
  const WeightArrays arrays = emit_weight_arrays(out, ctx, requant);
  const std::string buffer_size = wrapper + "_get_buffer_size";
  functions.insert(functions.end(), {wrapper, buffer_size});
  const std::string declarations =
      fmt::format("  static const {} params = {{\n"
                  "    .input_offset = {}, .output_offset = {}, {}.stride = {}, .padding = {},\n"
                  "    .dilation = {}, .activation = {}}};\n",
                  params_type, c_int(p.input_offset), c_int(p.output_offset), extra_field,
                  tile(p.stride_h, p.stride_w), tile(p.pad_h, p.pad_w), tile(p.dilation_h, p.dilation_w),
                  c_activation(p.activation)) +
      per_channel_quant(arrays) + weighted_dims(ctx.shapes.input, filter, ctx.shapes.output, channels);
  return out + "\n" +
         function(ctx, declarations, false, true,
                  scratch_context(buffer_size + "(&params, &input_dims, &filter_dims, &output_dims)") +
                      returned(weighted_call(wrapper.c_str(), arrays)));
}

// Filter OHWI = CMSIS-NN's [C_OUT, HK, WK, C_IN].
std::string emit_conv(const OpContext& ctx, std::vector<std::string>& functions) {
  const auto [p, requant] = sim::make_conv_params(ctx.graph, ctx.op);
  const int channels = sim::shape_of(ctx.graph.input_of(ctx.op, 1)).n;
  return emit_sliding_window(ctx, functions, p, requant, "cmsis_nn_conv_params", "", "arm_convolve_wrapper_s8",
                             channels);
}

// Filter 1HWC = CMSIS-NN's [1, HK, WK, C_OUT].
std::string emit_depthwise(const OpContext& ctx, std::vector<std::string>& functions) {
  const auto [p, requant] = sim::make_depthwise_params(ctx.graph, ctx.op);
  const int channels = sim::shape_of(ctx.graph.input_of(ctx.op, 1)).c;
  return emit_sliding_window(ctx, functions, p, requant, "cmsis_nn_dw_conv_params",
                             fmt::format(".ch_mult = {}, ", p.depth_multiplier), "arm_depthwise_conv_wrapper_s8",
                             channels);
}

// CMSIS-NN takes the weights [units][depth] as filter dims {n = depth, c =
// units} and the input as batches of `depth` values.
std::string emit_fully_connected(const OpContext& ctx, std::vector<std::string>& functions) {
  const auto [p, requant] = sim::make_fully_connected_params(ctx.graph, ctx.op);
  const sim::Tensor& weights = ctx.graph.input_of(ctx.op, 1);
  const int units = weights.shape.at(0), depth = weights.shape.at(1);
  const int batches = static_cast<int>(ctx.shapes.input.elements() / depth);
  const bool per_channel = weights.quant.per_channel();
  const char* kernel = per_channel ? "arm_fully_connected_per_channel_s8" : "arm_fully_connected_s8";
  std::string out;
  const WeightArrays arrays = emit_weight_arrays(out, ctx, requant, per_channel);
  functions.insert(functions.end(), {kernel, "arm_fully_connected_s8_get_buffer_size"});
  // Per-tensor weights repeat one requantisation for every unit.
  const std::string quant =
      per_channel ? per_channel_quant(arrays)
                  : fmt::format("  static const cmsis_nn_per_tensor_quant_params quant = {{{}, {}}};\n",
                                c_int(requant.multiplier.at(0)), requant.shift.at(0));
  const std::string declarations =
      fmt::format("  static const cmsis_nn_fc_params params = {{\n"
                  "    .input_offset = {}, .filter_offset = 0, .output_offset = {}, .activation = {}}};\n",
                  c_int(p.input_offset), c_int(p.output_offset), c_activation(p.activation)) +
      quant +
      weighted_dims({batches, 1, 1, depth}, {depth, 1, 1, units}, {batches, 1, 1, units}, units);
  return out + "\n" +
         function(ctx, declarations, false, true,
                  scratch_context("arm_fully_connected_s8_get_buffer_size(&filter_dims)") +
                      returned(weighted_call(kernel, arrays)));
}

std::string emit_pool(const OpContext& ctx, std::vector<std::string>& functions) {
  const sim::PoolParams p = sim::make_pool_params(ctx.graph, ctx.op);
  const bool max = ctx.op.type == sim::OpType::kMaxPool2D;
  const char* kernel = max ? "arm_max_pool_s8" : "arm_avgpool_s8";
  functions.push_back(kernel);
  if (!max) functions.push_back("arm_avgpool_s8_get_buffer_size");
  const std::string declarations = fmt::format(
      "  static const cmsis_nn_pool_params params = {{.stride = {}, .padding = {}, .activation = {}}};\n"
      "  static const cmsis_nn_dims input_dims = {}, filter_dims = {{1, {}, {}, 1}}, output_dims = {};\n",
      tile(p.stride_h, p.stride_w), tile(p.pad_h, p.pad_w), c_activation(p.activation), c_dims(ctx.shapes.input),
      p.filter_h, p.filter_w, c_dims(ctx.shapes.output));
  // arm_max_pool_s8 takes a context but uses none.
  const std::string context = max ? "  context.size = 0;\n  context.buf = scratch->buf;\n"
                                  : scratch_context("arm_avgpool_s8_get_buffer_size(output_dims.w, input_dims.c)");
  return function(ctx, declarations, false, true,
                  context + returned(fmt::format("{}(&context, &params, &input_dims, (const int8_t *)input, "
                                                 "&filter_dims, &output_dims,\n      (int8_t *)output)",
                                                 kernel)));
}

std::string emit_add(const OpContext& ctx, std::vector<std::string>& functions) {
  const sim::AddParams p = sim::make_add_params(ctx.graph, ctx.op);
  functions.push_back("arm_elementwise_add_s8");
  return function(
      ctx, "", true, false,
      returned(fmt::format("arm_elementwise_add_s8((const int8_t *)input, (const int8_t *)input2,\n"
                           "      {}, {}, {}, {}, {}, {}, {},\n"
                           "      (int8_t *)output, {}, {}, {}, {}, {}, {})",
                           c_int(p.input1_offset), c_int(p.input1.multiplier), p.input1.shift,
                           c_int(p.input2_offset), c_int(p.input2.multiplier), p.input2.shift, p.left_shift,
                           c_int(p.output_offset), c_int(p.output.multiplier), p.output.shift,
                           c_int(p.activation.min), c_int(p.activation.max), ctx.shapes.output.elements())));
}

std::string emit_softmax(const OpContext& ctx, std::vector<std::string>& functions) {
  const sim::SoftmaxParams p = sim::make_softmax_params(ctx.graph, ctx.op);
  functions.push_back("arm_softmax_s8");
  const int64_t row = ctx.shapes.input.c;
  return function(ctx, "", false, false,
                  fmt::format("  arm_softmax_s8((const int8_t *)input, {}, {}, {}, {}, {}, (int8_t *)output);\n"
                              "  return TS_OK;\n",
                              ctx.shapes.input.elements() / row, row, c_int(p.input_multiplier),
                              p.input_left_shift, c_int(p.diff_min)));
}

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

std::string emit_cmsis_nn_op(const OpContext& ctx, std::vector<std::string>& functions) {
  switch (ctx.op.type) {
    case sim::OpType::kConv2D: return emit_conv(ctx, functions);
    case sim::OpType::kDepthwiseConv2D: return emit_depthwise(ctx, functions);
    case sim::OpType::kFullyConnected: return emit_fully_connected(ctx, functions);
    case sim::OpType::kMaxPool2D:
    case sim::OpType::kAveragePool2D: return emit_pool(ctx, functions);
    case sim::OpType::kAdd: return emit_add(ctx, functions);
    case sim::OpType::kSoftmax: return emit_softmax(ctx, functions);
    case sim::OpType::kQuantize:
    case sim::OpType::kDequantize:
    case sim::OpType::kReshape: break;
  }
  throw CodegenError(ctx.where + ": CMSIS-NN has no s8 kernel for this op");
}

int64_t cmsis_nn_scratch_bound(const sim::Graph& graph, const sim::Op& op) {
  switch (op.type) {
    case sim::OpType::kConv2D: {
      const sim::Shape4 filter = sim::shape_of(graph.input_of(op, 1));
      return 2 * round_up(int64_t{filter.h} * filter.w * filter.c, 4) * static_cast<int64_t>(sizeof(int16_t));
    }
    case sim::OpType::kDepthwiseConv2D: {
      const sim::Shape4 filter = sim::shape_of(graph.input_of(op, 1));
      const int64_t input_channels = sim::shape_of(graph.input_of(op, 0)).c;
      return input_channels * filter.h * filter.w * static_cast<int64_t>(sizeof(int16_t));
    }
    case sim::OpType::kAveragePool2D:
      return sim::shape_of(graph.input_of(op, 0)).c * static_cast<int64_t>(sizeof(int32_t));
    default: return 0;
  }
}

}  // namespace tinyskip::engine
