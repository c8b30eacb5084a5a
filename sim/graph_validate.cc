#include "sim/graph_validate.h"

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tinyskip::sim {
namespace {

// Bias is the only optional operand (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED); TFLite marks an absent one with tensor index -1.
constexpr size_t kBiasSlot = 2;
constexpr size_t kNoOptionalSlot = static_cast<size_t>(-1);

std::string shape_text(const std::vector<int32_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

// "tensor 7 'conv2d/Conv2D'". Converter names of fused ops run to hundreds of
// characters, so long ones are cut.
std::string tensor_label(const Graph& graph, int index) {
  constexpr size_t kMaxNameLength = 48;
  const std::string& name = graph.tensor(index).name;
  if (name.empty()) return fmt::format("tensor {}", index);
  if (name.size() <= kMaxNameLength) return fmt::format("tensor {} '{}'", index, name);
  return fmt::format("tensor {} '{}...'", index, name.substr(0, kMaxNameLength));
}

[[noreturn]] void fail_graph(const Graph& graph, const std::string& what) {
  throw ModelError(fmt::format("{}: {}", graph.source, what));
}

// ---------------------------------------------------------------- tensors --

void validate_tensor(const Graph& graph, int index) {
  const Tensor& tensor = graph.tensor(index);
  const auto fail = [&](const std::string& what) {
    fail_graph(graph, fmt::format("{}: {}", tensor_label(graph, index), what));
  };
  if (tensor.shape.size() > kMaxTensorRank)
    fail(fmt::format("rank {} exceeds the supported {}", tensor.shape.size(), kMaxTensorRank));
  int64_t elements = 1;
  for (size_t d = 0; d < tensor.shape.size(); ++d) {
    if (tensor.shape[d] <= 0)
      fail(fmt::format("dimension {} of shape {} is not positive", d, shape_text(tensor.shape)));
    elements *= tensor.shape[d];  // stays below 2^28 * 2^31: no overflow
    if (elements > kMaxTensorElements)
      fail(fmt::format("shape {} has more than {} elements", shape_text(tensor.shape), kMaxTensorElements));
  }
  if (tensor.is_constant()) {
    if (data_type_size(tensor.type) == 0) fail("constant of an unsupported element type");
    if (static_cast<int64_t>(tensor.data.size()) != tensor.num_bytes())
      fail(fmt::format("constant data is {} bytes, expected {} ({} elements of {})", tensor.data.size(),
                       tensor.num_bytes(), elements, data_type_name(tensor.type)));
  }
  const Quantization& quant = tensor.quant;
  if (quant.zero_point.size() != quant.scale.size())
    fail(fmt::format("quantization has {} scales but {} zero points", quant.scale.size(),
                     quant.zero_point.size()));
  for (float scale : quant.scale)
    if (!std::isfinite(scale) || scale < 0)
      fail(fmt::format("quantization scale {} is not a finite non-negative number", scale));
}

// -------------------------------------------------------------- operators --

// One operand of the op under test, with the label used in messages, e.g.
// "filter (tensor 11 'sequential/conv2d/Conv2D')".
struct Operand {
  const Tensor& tensor;
  std::string label;

  int64_t dim(size_t axis) const { return tensor.shape[axis]; }
};

class OpCheck {
 public:
  OpCheck(const Graph& graph, const Op& op) : graph_(graph), op_(op) {}

  const Op& op() const { return op_; }
  const OpOptions& options() const { return op_.options; }

  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(fmt::format("{}: {}: {}", graph_.source, graph_.describe(op_), what));
  }

  // Call only after check_arity has validated the indices.
  bool has_input(size_t slot) const { return slot < op_.inputs.size() && op_.inputs[slot] >= 0; }
  Operand input(size_t slot, const char* role) const { return operand(op_.inputs[slot], role); }
  Operand output(const char* role = "output") const { return operand(op_.outputs[0], role); }

 private:
  Operand operand(int index, const char* role) const {
    return {graph_.tensor(index), fmt::format("{} ({})", role, tensor_label(graph_, index))};
  }

  const Graph& graph_;
  const Op& op_;
};

std::string count_text(size_t min, size_t max) {
  return min == max ? fmt::format("{}", min) : fmt::format("{} or {}", min, max);
}

// Operand counts and tensor indices; every supported op has one output.
void check_arity(const OpCheck& c, int num_tensors, size_t min_inputs, size_t max_inputs,
                 size_t optional_slot = kNoOptionalSlot) {
  const Op& op = c.op();
  if (op.inputs.size() < min_inputs || op.inputs.size() > max_inputs)
    c.fail(fmt::format("has {} inputs, expected {}", op.inputs.size(), count_text(min_inputs, max_inputs)));
  if (op.outputs.size() != 1) c.fail(fmt::format("has {} outputs, expected 1", op.outputs.size()));
  for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
    const int index = op.inputs[slot];
    if (index == -1 && slot == optional_slot) continue;
    if (index < 0 || index >= num_tensors)
      c.fail(fmt::format("input {} refers to tensor {}, but the model has {} tensors", slot, index, num_tensors));
  }
  if (op.outputs[0] < 0 || op.outputs[0] >= num_tensors)
    c.fail(fmt::format("output refers to tensor {}, but the model has {} tensors", op.outputs[0], num_tensors));
}

void require_type(const OpCheck& c, const Operand& x, DataType expected) {
  const DataType actual = x.tensor.type;
  if (actual == expected) return;
  if (expected == DataType::kInt8 && (actual == DataType::kFloat32 || actual == DataType::kInt16))
    c.fail(fmt::format("float/int16 body not supported: {} is {}; only int8 layers (between QUANTIZE and "
                       "DEQUANTIZE) can be simulated",
                       x.label, data_type_name(actual)));
  c.fail(fmt::format("{} is {}, expected {}", x.label, data_type_name(actual), data_type_name(expected)));
}

void require_rank(const OpCheck& c, const Operand& x, size_t rank) {
  if (x.tensor.shape.size() != rank)
    c.fail(fmt::format("{} has shape {}, expected rank {}", x.label, shape_text(x.tensor.shape), rank));
}

void require_constant(const OpCheck& c, const Operand& x) {
  if (!x.tensor.is_constant()) c.fail(fmt::format("{} must be a constant", x.label));
}

void require_not_constant(const OpCheck& c, const Operand& x) {
  if (x.tensor.is_constant())
    c.fail(fmt::format("{} is a constant; only filters, biases and shapes may be", x.label));
}

// An int8 activation: computed at run time, quantised per tensor.
void require_int8_activation(const OpCheck& c, const Operand& x) {
  require_type(c, x, DataType::kInt8);
  require_not_constant(c, x);
  const Quantization& quant = x.tensor.quant;
  if (!quant.present()) c.fail(fmt::format("{} has no quantization parameters", x.label));
  if (quant.per_channel())
    c.fail(fmt::format("{} has {} scales; activations must be quantized per tensor", x.label, quant.scale.size()));
  if (!(quant.scale[0] > 0)) c.fail(fmt::format("{} has scale {}, must be positive", x.label, quant.scale[0]));
  if (quant.zero_point[0] < -128 || quant.zero_point[0] > 127)
    c.fail(fmt::format("{} has zero point {}, outside int8", x.label, quant.zero_point[0]));
}

void require_float_activation(const OpCheck& c, const Operand& x) {
  require_type(c, x, DataType::kFloat32);
  require_not_constant(c, x);
}

void require_same_shape(const OpCheck& c, const Operand& a, const Operand& b, const char* why = "") {
  if (a.tensor.shape != b.tensor.shape)
    c.fail(fmt::format("{} has shape {} but {} has shape {}{}", b.label, shape_text(b.tensor.shape), a.label,
                       shape_text(a.tensor.shape), why));
}

// Ops that move int8 values without rescaling them (pools, RESHAPE) are
// exact only if input and output share scale and zero point.
void require_same_quantization(const OpCheck& c, const Operand& in, const Operand& out) {
  const Quantization& a = in.tensor.quant;
  const Quantization& b = out.tensor.quant;
  if (a.scale[0] != b.scale[0] || a.zero_point[0] != b.zero_point[0])
    c.fail(fmt::format("{} has scale {} and zero point {} but {} has scale {} and zero point {}; this op "
                       "does not rescale",
                       out.label, b.scale[0], b.zero_point[0], in.label, a.scale[0], a.zero_point[0]));
}

// int8 weights, symmetric, per tensor or one scale per output channel along
// channel_axis.
void require_int8_filter(const OpCheck& c, const Operand& filter, int64_t out_channels, int channel_axis) {
  require_constant(c, filter);
  const Quantization& quant = filter.tensor.quant;
  if (!quant.present()) c.fail(fmt::format("{} has no quantization parameters", filter.label));
  if (quant.per_channel()) {
    if (static_cast<int64_t>(quant.scale.size()) != out_channels)
      c.fail(fmt::format("{} has {} per-channel scales, expected {} (one per output channel)", filter.label,
                         quant.scale.size(), out_channels));
    if (quant.quantized_dimension != channel_axis)
      c.fail(fmt::format("{} is quantized along dimension {}, expected {}", filter.label,
                         quant.quantized_dimension, channel_axis));
  }
  for (size_t i = 0; i < quant.zero_point.size(); ++i)
    if (quant.zero_point[i] != 0)
      c.fail(fmt::format("{} has zero point {} (entry {}); int8 weights must have zero point 0", filter.label,
                         quant.zero_point[i], i));
}

void require_bias(const OpCheck& c, int64_t out_channels) {
  if (!c.has_input(kBiasSlot)) return;
  const Operand bias = c.input(kBiasSlot, "bias");
  require_type(c, bias, DataType::kInt32);
  require_constant(c, bias);
  if (bias.tensor.shape.size() != 1 || bias.dim(0) != out_channels)
    c.fail(fmt::format("{} has shape {}, expected [{}] (one value per output channel)", bias.label,
                       shape_text(bias.tensor.shape), out_channels));
}

void require_positive_window_options(const OpCheck& c, bool pooling) {
  const OpOptions& o = c.options();
  if (o.stride_h < 1 || o.stride_w < 1) c.fail(fmt::format("strides {}x{} must be positive", o.stride_h, o.stride_w));
  if (o.dilation_h < 1 || o.dilation_w < 1)
    c.fail(fmt::format("dilation factors {}x{} must be positive", o.dilation_h, o.dilation_w));
  if (pooling && (o.filter_h < 1 || o.filter_w < 1))
    c.fail(fmt::format("pooling window {}x{} must be positive", o.filter_h, o.filter_w));
}

// Output height or width of a sliding window must follow TFLite's rule.
void require_window_output(const OpCheck& c, const char* axis, int64_t in, int64_t filter, int stride,
                           int dilation, int64_t out) {
  const Padding padding = c.options().padding;
  const char* padding_name = padding == Padding::kSame ? "SAME" : "VALID";
  const int64_t expected = windowed_output_size(padding, in, filter, stride, dilation);
  if (expected <= 0)
    c.fail(fmt::format("filter {} {} (dilation {}) does not fit the input {} {} with VALID padding", axis,
                       filter, dilation, axis, in));
  if (out != expected)
    c.fail(fmt::format("output {} {} does not add up: expected {} ({} padding, input {}, filter {}, stride {}, "
                       "dilation {})",
                       axis, out, expected, padding_name, in, filter, stride, dilation));
}

// Shared by CONV_2D and DEPTHWISE_CONV_2D: NHWC input/output of equal batch,
// filter ?HW?, window sizes.
void require_conv_geometry(const OpCheck& c, const Operand& input, const Operand& filter, const Operand& output) {
  require_rank(c, input, 4);
  require_rank(c, filter, 4);
  require_rank(c, output, 4);
  require_positive_window_options(c, false);
  if (output.dim(0) != input.dim(0))
    c.fail(fmt::format("{} has batch {}, input has {}", output.label, output.dim(0), input.dim(0)));
  const OpOptions& o = c.options();
  require_window_output(c, "height", input.dim(1), filter.dim(1), o.stride_h, o.dilation_h, output.dim(1));
  require_window_output(c, "width", input.dim(2), filter.dim(2), o.stride_w, o.dilation_w, output.dim(2));
}

void check_conv_2d(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 2, 3, kBiasSlot);
  const Operand input = c.input(0, "input");
  const Operand filter = c.input(1, "filter");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_type(c, filter, DataType::kInt8);
  require_int8_activation(c, output);
  require_conv_geometry(c, input, filter, output);
  // Filter OHWI.
  if (filter.dim(3) != input.dim(3))
    c.fail(fmt::format("{} has {} input channels, input has {}", filter.label, filter.dim(3), input.dim(3)));
  if (output.dim(3) != filter.dim(0))
    c.fail(fmt::format("{} has {} channels, filter has {} output channels", output.label, output.dim(3),
                       filter.dim(0)));
  require_bias(c, filter.dim(0));
  require_int8_filter(c, filter, filter.dim(0), 0);
}

void check_depthwise_conv_2d(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 2, 3, kBiasSlot);
  const Operand input = c.input(0, "input");
  const Operand filter = c.input(1, "filter");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_type(c, filter, DataType::kInt8);
  require_int8_activation(c, output);
  require_conv_geometry(c, input, filter, output);
  // Filter 1HWC with C = input channels * depth multiplier.
  const int multiplier = c.options().depth_multiplier;
  if (multiplier < 1) c.fail(fmt::format("depth multiplier {} must be positive", multiplier));
  if (filter.dim(0) != 1)
    c.fail(fmt::format("{} has shape {}, expected [1, height, width, channels]", filter.label,
                       shape_text(filter.tensor.shape)));
  if (filter.dim(3) != input.dim(3) * multiplier)
    c.fail(fmt::format("{} has {} channels, expected {} (input channels {} x depth multiplier {})", filter.label,
                       filter.dim(3), input.dim(3) * multiplier, input.dim(3), multiplier));
  if (output.dim(3) != filter.dim(3))
    c.fail(fmt::format("{} has {} channels, filter has {}", output.label, output.dim(3), filter.dim(3)));
  require_bias(c, filter.dim(3));
  require_int8_filter(c, filter, filter.dim(3), 3);
}

void check_fully_connected(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 2, 3, kBiasSlot);
  const Operand input = c.input(0, "input");
  const Operand weights = c.input(1, "weights");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_type(c, weights, DataType::kInt8);
  require_int8_activation(c, output);
  require_rank(c, weights, 2);  // [out][in]
  const int64_t units = weights.dim(0), depth = weights.dim(1);
  // The input is flattened to rows of `depth` values, one output row each.
  const int64_t input_elements = input.tensor.num_elements();
  if (input_elements % depth != 0)
    c.fail(fmt::format("{} has {} elements, not a whole number of rows of {} (the weights' input size)",
                       input.label, input_elements, depth));
  const int64_t rows = input_elements / depth;
  if (output.tensor.shape.empty() || output.tensor.shape.back() != units || output.tensor.num_elements() != rows * units)
    c.fail(fmt::format("{} has shape {}, expected {} rows of {} outputs", output.label,
                       shape_text(output.tensor.shape), rows, units));
  require_bias(c, units);
  require_int8_filter(c, weights, units, 0);
}

void check_pool_2d(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 1, 1);
  const Operand input = c.input(0, "input");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_int8_activation(c, output);
  require_rank(c, input, 4);
  require_rank(c, output, 4);
  require_positive_window_options(c, true);
  if (output.dim(0) != input.dim(0) || output.dim(3) != input.dim(3))
    c.fail(fmt::format("{} has batch {} and {} channels, input has batch {} and {} channels", output.label,
                       output.dim(0), output.dim(3), input.dim(0), input.dim(3)));
  const OpOptions& o = c.options();
  require_window_output(c, "height", input.dim(1), o.filter_h, o.stride_h, 1, output.dim(1));
  require_window_output(c, "width", input.dim(2), o.filter_w, o.stride_w, 1, output.dim(2));
  require_same_quantization(c, input, output);
}

void check_add(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 2, 2);
  const Operand first = c.input(0, "input 0");
  const Operand second = c.input(1, "input 1");
  const Operand output = c.output();
  require_int8_activation(c, first);
  require_int8_activation(c, second);
  require_int8_activation(c, output);
  require_same_shape(c, first, second, " (broadcasting is not supported)");
  require_same_shape(c, first, output);
}

void check_reshape(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 1, 2);
  const Operand input = c.input(0, "input");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_int8_activation(c, output);
  if (c.has_input(1)) {  // the new shape as a tensor; the output shape is what counts
    const Operand shape = c.input(1, "shape");
    require_type(c, shape, DataType::kInt32);
    require_constant(c, shape);
    require_rank(c, shape, 1);
  }
  if (input.tensor.num_elements() != output.tensor.num_elements())
    c.fail(fmt::format("{} has shape {} ({} elements) but {} has shape {} ({} elements)", output.label,
                       shape_text(output.tensor.shape), output.tensor.num_elements(), input.label,
                       shape_text(input.tensor.shape), input.tensor.num_elements()));
  require_same_quantization(c, input, output);
}

void check_softmax(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 1, 1);
  const Operand input = c.input(0, "input");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_int8_activation(c, output);
  require_same_shape(c, input, output);
  const float beta = c.options().softmax_beta;
  if (!std::isfinite(beta) || !(beta > 0)) c.fail(fmt::format("beta {} must be a positive number", beta));
  // TFLM's int8 softmax writes probabilities in steps of 1/256 from -128; it
  // rejects any other output quantisation, and so do we.
  const Quantization& quant = output.tensor.quant;
  constexpr float kScale = 1.0f / 256;
  if (quant.zero_point[0] != -128 || std::fabs(quant.scale[0] - kScale) > 0.001f * kScale)
    c.fail(fmt::format("{} has scale {} and zero point {}, expected 1/256 and -128", output.label, quant.scale[0],
                       quant.zero_point[0]));
}

void check_quantize(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 1, 1);
  const Operand input = c.input(0, "input");
  const Operand output = c.output();
  require_float_activation(c, input);
  require_int8_activation(c, output);
  require_same_shape(c, input, output);
}

void check_dequantize(const OpCheck& c, int num_tensors) {
  check_arity(c, num_tensors, 1, 1);
  const Operand input = c.input(0, "input");
  const Operand output = c.output();
  require_int8_activation(c, input);
  require_float_activation(c, output);
  require_same_shape(c, input, output);
}

void check_op(const OpCheck& c, int num_tensors) {
  switch (c.op().type) {
    case OpType::kConv2D: return check_conv_2d(c, num_tensors);
    case OpType::kDepthwiseConv2D: return check_depthwise_conv_2d(c, num_tensors);
    case OpType::kFullyConnected: return check_fully_connected(c, num_tensors);
    case OpType::kMaxPool2D:
    case OpType::kAveragePool2D: return check_pool_2d(c, num_tensors);
    case OpType::kAdd: return check_add(c, num_tensors);
    case OpType::kReshape: return check_reshape(c, num_tensors);
    case OpType::kSoftmax: return check_softmax(c, num_tensors);
    case OpType::kQuantize: return check_quantize(c, num_tensors);
    case OpType::kDequantize: return check_dequantize(c, num_tensors);
  }
  c.fail("unknown op type");
}

// ------------------------------------------------------ execution order --

// Marks the op's output as computed after checking that all its inputs are
// available at this point of the list.
void check_dataflow(const Graph& graph, const OpCheck& c, std::vector<bool>& available) {
  const Op& op = c.op();
  for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
    const int index = op.inputs[slot];
    if (index < 0 || available[static_cast<size_t>(index)] || graph.tensor(index).is_constant()) continue;
    c.fail(fmt::format("input {} ({}) is neither a constant, the graph input, nor the output of an earlier op", slot,
                       tensor_label(graph, index)));
  }
  const int out = op.outputs[0];
  if (out == graph.input) c.fail(fmt::format("output ({}) is the graph input", tensor_label(graph, out)));
  if (available[static_cast<size_t>(out)])
    c.fail(fmt::format("output ({}) is already produced by an earlier op", tensor_label(graph, out)));
  available[static_cast<size_t>(out)] = true;
}

}  // namespace

void validate_graph(const Graph& graph) {
  const int num_tensors = static_cast<int>(graph.tensors.size());
  if (graph.ops.empty()) fail_graph(graph, "model has no operators");
  if (graph.input < 0 || graph.input >= num_tensors)
    fail_graph(graph, fmt::format("graph input refers to tensor {}, but the model has {} tensors", graph.input,
                                  num_tensors));
  if (graph.output < 0 || graph.output >= num_tensors)
    fail_graph(graph, fmt::format("graph output refers to tensor {}, but the model has {} tensors", graph.output,
                                  num_tensors));
  for (int t = 0; t < num_tensors; ++t) validate_tensor(graph, t);
  if (graph.tensor(graph.input).is_constant())
    fail_graph(graph, fmt::format("graph input ({}) is a constant", tensor_label(graph, graph.input)));

  std::vector<bool> available(graph.tensors.size(), false);
  available[static_cast<size_t>(graph.input)] = true;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const OpCheck check(graph, graph.ops[i]);
    if (graph.ops[i].index != static_cast<int>(i))
      check.fail(fmt::format("is at position {} of the op list", i));
    check_op(check, num_tensors);
    check_dataflow(graph, check, available);
  }
  if (!available[static_cast<size_t>(graph.output)] || graph.output == graph.input)
    fail_graph(graph, fmt::format("graph output ({}) is not produced by any op", tensor_label(graph, graph.output)));
}

}  // namespace tinyskip::sim
