#include "sim/kernels/op_params.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "sim/kernels/fixed_point.h"

namespace tinyskip::sim {

namespace {

[[noreturn]] void fail(const Graph& graph, const Op& op, const std::string& what) {
  throw ModelError(fmt::format("{}: {}: {}", graph.source, graph.describe(op), what));
}

// Scale and zero point of a per-tensor quantised int8 activation.
struct TensorQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

TensorQuant int8_activation_quant(const Graph& graph, const Op& op, const Tensor& tensor,
                                  const char* role) {
  if (tensor.type != DataType::kInt8)
    fail(graph, op, fmt::format("{} '{}' is {}, expected INT8", role, tensor.name, data_type_name(tensor.type)));
  const Quantization& q = tensor.quant;
  if (q.scale.size() != 1 || q.zero_point.size() != 1)
    fail(graph, op, fmt::format("{} '{}' must have one scale and zero point, has {} and {}", role,
                                tensor.name, q.scale.size(), q.zero_point.size()));
  if (!(q.scale[0] > 0.0f) || !std::isfinite(q.scale[0]))
    fail(graph, op, fmt::format("{} '{}' has scale {}, expected a positive finite value", role,
                                tensor.name, q.scale[0]));
  if (q.zero_point[0] < -128 || q.zero_point[0] > 127)
    fail(graph, op, fmt::format("{} '{}' has zero point {}, outside int8", role, tensor.name, q.zero_point[0]));
  return {q.scale[0], q.zero_point[0]};
}

// One scale per output channel (a per-tensor filter repeats its scale),
// checking the int8 symmetric-weights contract of the reference kernels.
std::vector<float> filter_scales(const Graph& graph, const Op& op, const Tensor& filter, int channels,
                                 int quantized_dimension) {
  if (filter.type != DataType::kInt8)
    fail(graph, op, fmt::format("filter '{}' is {}, expected INT8", filter.name, data_type_name(filter.type)));
  if (!filter.is_constant()) fail(graph, op, fmt::format("filter '{}' is not a constant", filter.name));
  const Quantization& q = filter.quant;
  if (q.scale.empty() || q.zero_point.size() != q.scale.size())
    fail(graph, op, fmt::format("filter '{}' needs one zero point per scale", filter.name));
  if (q.per_channel()) {
    if (static_cast<int>(q.scale.size()) != channels || q.quantized_dimension != quantized_dimension)
      fail(graph, op, fmt::format("filter '{}' has {} scales along dimension {}, expected {} along {}",
                                  filter.name, q.scale.size(), q.quantized_dimension, channels,
                                  quantized_dimension));
  }
  for (size_t i = 0; i < q.scale.size(); ++i) {
    if (q.zero_point[i] != 0)
      fail(graph, op, fmt::format("filter '{}' zero point {} of channel {} must be 0", filter.name,
                                  q.zero_point[i], i));
    if (!(q.scale[i] >= 0.0f) || !std::isfinite(q.scale[i]))
      fail(graph, op, fmt::format("filter '{}' scale {} of channel {} is not a finite non-negative value",
                                  filter.name, q.scale[i], i));
  }
  return q.per_channel() ? q.scale : std::vector<float>(static_cast<size_t>(channels), q.scale[0]);
}

void check_bias(const Graph& graph, const Op& op, int channels) {
  if (op.inputs.size() < 3 || op.inputs[2] < 0) return;
  const Tensor& bias = graph.input_of(op, 2);
  if (bias.type != DataType::kInt32 || !bias.is_constant() || bias.num_elements() != channels)
    fail(graph, op, fmt::format("bias '{}' must be a constant INT32 tensor of {} values", bias.name, channels));
}

QuantizedMultiplier checked_multiplier(const Graph& graph, const Op& op, double real, const char* what) {
  if (!(real >= 0.0) || !std::isfinite(real))
    fail(graph, op, fmt::format("{} multiplier {} is not a finite non-negative value", what, real));
  const QuantizedMultiplier m = quantize_multiplier(real);
  if (m.shift > 31)
    fail(graph, op, fmt::format("{} multiplier {} is too large for int32 requantisation", what, real));
  return m;
}

// Per-channel requantisation with the multiplier formed in double from the
// float scales (TFLM PopulateConvolutionQuantizationParams).
ChannelRequant requant_from_scales(const Graph& graph, const Op& op, float input_scale,
                                   const std::vector<float>& scales, float output_scale) {
  ChannelRequant requant;
  for (float filter_scale : scales) {
    const double real = static_cast<double>(input_scale) * static_cast<double>(filter_scale) /
                        static_cast<double>(output_scale);
    const QuantizedMultiplier m = checked_multiplier(graph, op, real, "output");
    requant.multiplier.push_back(m.multiplier);
    requant.shift.push_back(m.shift);
  }
  return requant;
}

Shape4 rank4_filter_shape(const Graph& graph, const Op& op, const Tensor& filter) {
  if (filter.shape.size() != 4)
    fail(graph, op, fmt::format("filter '{}' has rank {}, expected 4", filter.name, filter.shape.size()));
  return shape_of(filter);
}

void check_output_shape(const Graph& graph, const Op& op, const Shape4& actual, const Shape4& expected) {
  if (!(actual == expected))
    fail(graph, op, fmt::format("output shape is {}x{}x{}x{}, the op computes {}x{}x{}x{}", actual.n,
                                actual.h, actual.w, actual.c, expected.n, expected.h, expected.w, expected.c));
}

WindowPadding op_padding(const Graph& graph, const Op& op, const Shape4& input, int filter_h,
                         int filter_w, int dilation_h, int dilation_w) {
  const OpOptions& o = op.options;
  if (o.stride_h <= 0 || o.stride_w <= 0 || dilation_h <= 0 || dilation_w <= 0 || filter_h <= 0 ||
      filter_w <= 0)
    fail(graph, op, "strides, dilations and window sizes must be positive");
  const WindowPadding p = compute_padding(o.padding, input.h, input.w, filter_h, filter_w, o.stride_h,
                                          o.stride_w, dilation_h, dilation_w);
  if (p.out_h <= 0 || p.out_w <= 0)
    fail(graph, op, fmt::format("the {}x{} window does not fit the {}x{} input", filter_h, filter_w,
                                input.h, input.w));
  return p;
}

ActivationRange op_activation(const Graph& graph, const Op& op, const TensorQuant& output) {
  return activation_range(op.options.activation, output.scale, output.zero_point,
                          fmt::format("{}: {}", graph.source, graph.describe(op)));
}

// Round-half-away-from-zero quantisation of a float constant on the output
// scale, computed in float (TFLM's Quantize helper of the activation range).
int32_t quantize_constant(float value, float scale, int32_t zero_point, const std::string& context) {
  const float rounded = std::round(value / scale);
  if (!(rounded >= -2147483648.0f && rounded < 2147483648.0f))
    throw ModelError(fmt::format("{}: activation bound {} overflows int32 at scale {}", context, value, scale));
  return zero_point + static_cast<int32_t>(rounded);
}

}  // namespace

Shape4 shape_of(const std::vector<int32_t>& dims) {
  const size_t rank = dims.size();
  for (size_t i = 0; i + 4 < rank; ++i) {
    if (dims[i] != 1) throw ModelError(fmt::format("shape of rank {} with leading dimension {} != 1", rank, dims[i]));
  }
  int padded[4] = {1, 1, 1, 1};
  for (size_t i = 0; i < std::min<size_t>(rank, 4); ++i) padded[3 - i] = dims[rank - 1 - i];
  return {padded[0], padded[1], padded[2], padded[3]};
}

Shape4 shape_of(const Tensor& tensor) {
  try {
    return shape_of(tensor.shape);
  } catch (const ModelError& e) {
    throw ModelError(fmt::format("tensor '{}': {}", tensor.name, e.what()));
  }
}

OpShapes op_shapes(const Graph& graph, const Op& op) {
  OpShapes shapes;
  shapes.input = shape_of(graph.input_of(op, 0));
  if (op.type == OpType::kAdd) shapes.input2 = shape_of(graph.input_of(op, 1));
  shapes.output = shape_of(graph.output_of(op));
  return shapes;
}

WindowPadding compute_padding(Padding padding, int in_h, int in_w, int filter_h, int filter_w,
                              int stride_h, int stride_w, int dilation_h, int dilation_w) {
  const auto axis = [padding](int in, int filter, int stride, int dilation, int* out, int* pad) {
    const int effective_filter = (filter - 1) * dilation + 1;
    *out = padding == Padding::kSame ? (in + stride - 1) / stride
                                     : (in + stride - effective_filter) / stride;
    const int total = std::max(0, (*out - 1) * stride + effective_filter - in);
    *pad = padding == Padding::kSame ? total / 2 : 0;
  };
  WindowPadding result;
  axis(in_h, filter_h, stride_h, dilation_h, &result.out_h, &result.pad_h);
  axis(in_w, filter_w, stride_w, dilation_w, &result.out_w, &result.pad_w);
  return result;
}

ActivationRange activation_range(Activation activation, float output_scale, int32_t output_zero_point,
                                 const std::string& context) {
  ActivationRange range;  // NONE: the whole int8 range
  if (activation == Activation::kRelu || activation == Activation::kRelu6) {
    range.min = std::max(range.min, quantize_constant(0.0f, output_scale, output_zero_point, context));
  }
  if (activation == Activation::kRelu6) {
    range.max = std::min(range.max, quantize_constant(6.0f, output_scale, output_zero_point, context));
  }
  if (range.min > range.max)
    throw ModelError(fmt::format("{}: fused activation leaves an empty output range [{}, {}]", context,
                                 range.min, range.max));
  return range;
}

namespace {

// The fields conv and depthwise share: offsets, strides, dilation, padding
// and the fused activation's clamp range.
ConvParams sliding_window_params(const Graph& graph, const Op& op, const TensorQuant& in_q, const TensorQuant& out_q,
                                 const WindowPadding& pad) {
  const OpOptions& o = op.options;
  ConvParams params;
  params.input_offset = -in_q.zero_point;
  params.output_offset = out_q.zero_point;
  params.stride_h = o.stride_h;
  params.stride_w = o.stride_w;
  params.dilation_h = o.dilation_h;
  params.dilation_w = o.dilation_w;
  params.pad_h = pad.pad_h;
  params.pad_w = pad.pad_w;
  params.activation = op_activation(graph, op, out_q);
  return params;
}

}  // namespace

std::pair<ConvParams, ChannelRequant> make_conv_params(const Graph& graph, const Op& op) {
  const Tensor& filter = graph.input_of(op, 1);
  const TensorQuant in_q = int8_activation_quant(graph, op, graph.input_of(op, 0), "input");
  const TensorQuant out_q = int8_activation_quant(graph, op, graph.output_of(op), "output");
  const OpShapes shapes = op_shapes(graph, op);
  const Shape4 filter_shape = rank4_filter_shape(graph, op, filter);  // OHWI
  if (filter_shape.c != shapes.input.c)
    fail(graph, op, fmt::format("filter depth {} differs from input depth {}", filter_shape.c, shapes.input.c));
  const OpOptions& o = op.options;
  const WindowPadding pad =
      op_padding(graph, op, shapes.input, filter_shape.h, filter_shape.w, o.dilation_h, o.dilation_w);
  check_output_shape(graph, op, shapes.output, {shapes.input.n, pad.out_h, pad.out_w, filter_shape.n});
  check_bias(graph, op, filter_shape.n);

  const ConvParams params = sliding_window_params(graph, op, in_q, out_q, pad);
  const auto scales = filter_scales(graph, op, filter, filter_shape.n, 0);
  return {params, requant_from_scales(graph, op, in_q.scale, scales, out_q.scale)};
}

std::pair<ConvParams, ChannelRequant> make_depthwise_params(const Graph& graph, const Op& op) {
  const Tensor& filter = graph.input_of(op, 1);
  const TensorQuant in_q = int8_activation_quant(graph, op, graph.input_of(op, 0), "input");
  const TensorQuant out_q = int8_activation_quant(graph, op, graph.output_of(op), "output");
  const OpShapes shapes = op_shapes(graph, op);
  const Shape4 filter_shape = rank4_filter_shape(graph, op, filter);  // 1HWC
  const int channels = filter_shape.c;
  if (filter_shape.n != 1 || channels % shapes.input.c != 0)
    fail(graph, op, fmt::format("filter shape 1x{}x{}x{} does not fit input depth {}", filter_shape.h,
                                filter_shape.w, channels, shapes.input.c));
  // The multiplier follows from the shapes; the option must agree with it.
  const int depth_multiplier = channels / shapes.input.c;
  if (op.options.depth_multiplier != depth_multiplier && op.options.depth_multiplier != 0)
    fail(graph, op, fmt::format("depth_multiplier option {} disagrees with the shapes ({})",
                                op.options.depth_multiplier, depth_multiplier));
  const OpOptions& o = op.options;
  const WindowPadding pad =
      op_padding(graph, op, shapes.input, filter_shape.h, filter_shape.w, o.dilation_h, o.dilation_w);
  check_output_shape(graph, op, shapes.output, {shapes.input.n, pad.out_h, pad.out_w, channels});
  check_bias(graph, op, channels);

  ConvParams params = sliding_window_params(graph, op, in_q, out_q, pad);
  params.depth_multiplier = depth_multiplier;
  const auto scales = filter_scales(graph, op, filter, channels, 3);
  return {params, requant_from_scales(graph, op, in_q.scale, scales, out_q.scale)};
}

std::pair<FullyConnectedParams, ChannelRequant> make_fully_connected_params(const Graph& graph,
                                                                             const Op& op) {
  const Tensor& weights = graph.input_of(op, 1);
  const TensorQuant in_q = int8_activation_quant(graph, op, graph.input_of(op, 0), "input");
  const TensorQuant out_q = int8_activation_quant(graph, op, graph.output_of(op), "output");
  if (weights.shape.size() != 2)
    fail(graph, op, fmt::format("weights '{}' have rank {}, expected 2", weights.name, weights.shape.size()));
  const int units = weights.shape[0];
  const int depth = weights.shape[1];
  const OpShapes shapes = op_shapes(graph, op);
  if (units <= 0 || depth <= 0 || shapes.output.c != units ||
      shapes.input.elements() * units != shapes.output.elements() * depth)
    fail(graph, op, fmt::format("weights [{}][{}] do not map the input ({} values) to the output ({} values)",
                                units, depth, shapes.input.elements(), shapes.output.elements()));
  check_bias(graph, op, units);

  FullyConnectedParams params;
  params.input_offset = -in_q.zero_point;
  params.output_offset = out_q.zero_point;
  params.activation = op_activation(graph, op, out_q);
  const auto scales = filter_scales(graph, op, weights, units, 0);
  if (weights.quant.per_channel()) return {params, requant_from_scales(graph, op, in_q.scale, scales, out_q.scale)};
  // Per-tensor: TFLM multiplies the two float scales in float before
  // widening to double; this can differ from the double product in the last
  // bit of the multiplier.
  const double real = static_cast<double>(in_q.scale * scales[0]) / static_cast<double>(out_q.scale);
  const QuantizedMultiplier m = checked_multiplier(graph, op, real, "output");
  ChannelRequant requant;
  requant.multiplier.assign(static_cast<size_t>(units), m.multiplier);
  requant.shift.assign(static_cast<size_t>(units), m.shift);
  return {params, requant};
}

PoolParams make_pool_params(const Graph& graph, const Op& op) {
  if (op.type != OpType::kMaxPool2D && op.type != OpType::kAveragePool2D)
    fail(graph, op, "make_pool_params needs a MAX_POOL_2D or AVERAGE_POOL_2D op");
  int8_activation_quant(graph, op, graph.input_of(op, 0), "input");
  const TensorQuant out_q = int8_activation_quant(graph, op, graph.output_of(op), "output");
  const OpShapes shapes = op_shapes(graph, op);
  const OpOptions& o = op.options;
  const WindowPadding pad = op_padding(graph, op, shapes.input, o.filter_h, o.filter_w, 1, 1);
  check_output_shape(graph, op, shapes.output, {shapes.input.n, pad.out_h, pad.out_w, shapes.input.c});

  PoolParams params;
  params.stride_h = o.stride_h;
  params.stride_w = o.stride_w;
  params.filter_h = o.filter_h;
  params.filter_w = o.filter_w;
  params.pad_h = pad.pad_h;
  params.pad_w = pad.pad_w;
  params.activation = op_activation(graph, op, out_q);
  return params;
}

AddParams make_add_params(const Graph& graph, const Op& op) {
  const TensorQuant in1 = int8_activation_quant(graph, op, graph.input_of(op, 0), "input 1");
  const TensorQuant in2 = int8_activation_quant(graph, op, graph.input_of(op, 1), "input 2");
  const TensorQuant out = int8_activation_quant(graph, op, graph.output_of(op), "output");
  const OpShapes shapes = op_shapes(graph, op);
  if (!(shapes.input == shapes.input2) || !(shapes.input == shapes.output))
    fail(graph, op, "inputs and output must have the same shape (broadcasting is not supported)");

  AddParams params;
  params.input1_offset = -in1.zero_point;
  params.input2_offset = -in2.zero_point;
  params.output_offset = out.zero_point;
  params.left_shift = 20;
  // Both inputs go to a common scale of 2 * max(s1, s2) / 2^20, so the
  // input multipliers are <= 1/2 and the 2^20 widening keeps precision.
  const double twice_max_input_scale = 2 * static_cast<double>(std::max(in1.scale, in2.scale));
  const double real_input1 = static_cast<double>(in1.scale) / twice_max_input_scale;
  const double real_input2 = static_cast<double>(in2.scale) / twice_max_input_scale;
  const double real_output =
      twice_max_input_scale / ((1 << params.left_shift) * static_cast<double>(out.scale));
  // TFLM uses QuantizeMultiplierSmallerThanOneExp: multipliers in (0, 1).
  const auto smaller_than_one = [&](double real, const char* what) {
    if (!(real > 0.0 && real < 1.0))
      fail(graph, op, fmt::format("{} rescaling multiplier {} is not in (0, 1)", what, real));
    return checked_multiplier(graph, op, real, what);
  };
  params.input1 = smaller_than_one(real_input1, "input 1");
  params.input2 = smaller_than_one(real_input2, "input 2");
  params.output = smaller_than_one(real_output, "output");
  params.activation = op_activation(graph, op, out);
  return params;
}

SoftmaxParams softmax_params_from(double beta, float input_scale) {
  constexpr int kScaledDiffIntegerBits = 5;
  constexpr int kTotalSignedBits = 31;
  // beta * input_scale as a Q5.26 multiplier of the int8 differences,
  // capped at the largest int32.
  const double max_real_multiplier = static_cast<double>((int64_t{1} << 31) - 1);
  const double real_multiplier =
      std::min(beta * static_cast<double>(input_scale) *
                   static_cast<double>(int64_t{1} << (kTotalSignedBits - kScaledDiffIntegerBits)),
               max_real_multiplier);
  if (!(real_multiplier > 1.0))
    throw ModelError(fmt::format("softmax beta * input scale * 2^26 = {} must exceed 1", real_multiplier));
  const QuantizedMultiplier m = quantize_multiplier(real_multiplier);
  SoftmaxParams params;
  params.input_multiplier = m.multiplier;
  params.input_left_shift = m.shift;
  // The largest difference magnitude whose scaled value still fits Q5.26:
  // floor((2^5 - 1) * 2^26 / 2^left_shift); anything further below the row
  // maximum contributes exp(...) = 0.
  const double max_input_rescaled =
      1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
      static_cast<double>(int64_t{1} << (kTotalSignedBits - kScaledDiffIntegerBits)) /
      static_cast<double>(int64_t{1} << m.shift);
  params.diff_min = -static_cast<int32_t>(std::floor(max_input_rescaled));
  return params;
}

SoftmaxParams make_softmax_params(const Graph& graph, const Op& op) {
  const TensorQuant in_q = int8_activation_quant(graph, op, graph.input_of(op, 0), "input");
  const TensorQuant out_q = int8_activation_quant(graph, op, graph.output_of(op), "output");
  // The int8 reference kernel hard-codes this output encoding.
  if (out_q.scale != 1.0f / 256 || out_q.zero_point != -128)
    fail(graph, op, fmt::format("int8 softmax output must have scale 1/256 and zero point -128, has {} and {}",
                                out_q.scale, out_q.zero_point));
  const OpShapes shapes = op_shapes(graph, op);
  if (!(shapes.input == shapes.output)) fail(graph, op, "input and output shapes differ");
  try {
    return softmax_params_from(static_cast<double>(op.options.softmax_beta), in_q.scale);
  } catch (const ModelError& e) {
    fail(graph, op, e.what());
  }
}

QuantizeParams make_quantize_params(const Graph& graph, const Op& op) {
  const Tensor& input = graph.input_of(op, 0);
  if (input.type != DataType::kFloat32)
    fail(graph, op, fmt::format("input '{}' is {}, expected FLOAT32", input.name, data_type_name(input.type)));
  const TensorQuant out_q = int8_activation_quant(graph, op, graph.output_of(op), "output");
  if (shape_of(input).elements() != shape_of(graph.output_of(op)).elements())
    fail(graph, op, "input and output element counts differ");
  return {out_q.scale, out_q.zero_point};
}

DequantizeParams make_dequantize_params(const Graph& graph, const Op& op) {
  const Tensor& output = graph.output_of(op);
  if (output.type != DataType::kFloat32)
    fail(graph, op, fmt::format("output '{}' is {}, expected FLOAT32", output.name, data_type_name(output.type)));
  const TensorQuant in_q = int8_activation_quant(graph, op, graph.input_of(op, 0), "input");
  if (shape_of(graph.input_of(op, 0)).elements() != shape_of(output).elements())
    fail(graph, op, "input and output element counts differ");
  return {static_cast<double>(in_q.scale), in_q.zero_point};
}

}  // namespace tinyskip::sim
