#include "mcu_model/layer_geometry.h"

#include <algorithm>
#include <string>

#include "sim/model_error.h"

namespace tinyskip::mcu {

int64_t WindowAxis::in_bounds_taps() const {
  int64_t count = 0;
  for (int o = 0; o < out; ++o) {
    for (int k = 0; k < filter; ++k) {
      const int position = o * stride - pad + k * dilation;
      count += (position >= 0 && position < in) ? 1 : 0;
    }
  }
  return count;
}

bool ConvGeometry::is_pointwise_fast_path() const {
  return y.filter == 1 && x.filter == 1 && y.pad == 0 && x.pad == 0 && y.stride == 1 &&
         x.stride == 1 && y.dilation == 1 && x.dilation == 1;
}

namespace {

[[noreturn]] void fail(const sim::Graph& graph, const sim::Op& op, const std::string& message) {
  throw sim::ModelError(graph.source + ": " + graph.describe(op) + ": " + message);
}

const sim::Tensor& input(const sim::Graph& graph, const sim::Op& op, size_t slot) {
  if (op.inputs.size() <= slot || op.inputs[slot] < 0)
    fail(graph, op, "missing input " + std::to_string(slot));
  return graph.tensor(op.inputs[slot]);
}

const sim::Tensor& output(const sim::Graph& graph, const sim::Op& op) {
  if (op.outputs.empty()) fail(graph, op, "has no output");
  return graph.tensor(op.outputs[0]);
}

// The tensor's shape as NHWC (rank 4) with every dimension positive.
void require_nhwc(const sim::Graph& graph, const sim::Op& op, const sim::Tensor& tensor) {
  if (tensor.shape.size() != 4)
    fail(graph, op, "tensor '" + tensor.name + "' has rank " + std::to_string(tensor.shape.size()) +
                        ", expected 4");
  for (int32_t d : tensor.shape)
    if (d <= 0) fail(graph, op, "tensor '" + tensor.name + "' has a non-positive dimension");
}

// TFLite's SAME rule puts floor(total / 2) of the padding before the data.
int padding_before(sim::Padding padding, int in, int out, int filter, int stride, int dilation) {
  if (padding == sim::Padding::kValid) return 0;
  const int effective_filter = (filter - 1) * dilation + 1;
  return std::max(0, ((out - 1) * stride + effective_filter - in) / 2);
}

WindowAxis make_axis(sim::Padding padding, int in, int out, int filter, int stride, int dilation) {
  return {in, out, filter, stride, dilation, padding_before(padding, in, out, filter, stride, dilation)};
}

void require_positive_window(const sim::Graph& graph, const sim::Op& op, const sim::OpOptions& o) {
  if (o.stride_h <= 0 || o.stride_w <= 0 || o.dilation_h <= 0 || o.dilation_w <= 0)
    fail(graph, op, "stride and dilation must be positive");
}

}  // namespace

ConvGeometry conv_geometry(const sim::Graph& graph, const sim::Op& op) {
  const bool depthwise = op.type == sim::OpType::kDepthwiseConv2D;
  if (op.type != sim::OpType::kConv2D && !depthwise) fail(graph, op, "not a convolution");
  const sim::Tensor& in = input(graph, op, 0);
  const sim::Tensor& filter = input(graph, op, 1);
  const sim::Tensor& out = output(graph, op);
  require_nhwc(graph, op, in);
  require_nhwc(graph, op, filter);
  require_nhwc(graph, op, out);
  require_positive_window(graph, op, op.options);

  ConvGeometry g;
  g.batches = in.shape[0];
  g.in_channels = in.shape[3];
  g.out_channels = out.shape[3];
  if (out.shape[0] != g.batches) fail(graph, op, "input and output batch sizes differ");
  if (depthwise) {
    if (filter.shape[0] != 1 || filter.shape[3] != g.out_channels)
      fail(graph, op, "depthwise filter must be [1, KH, KW, output channels]");
    if (g.out_channels % g.in_channels != 0)
      fail(graph, op, "output channels are not a multiple of input channels");
    g.depth_multiplier = g.out_channels / g.in_channels;
  } else if (filter.shape[0] != g.out_channels || filter.shape[3] != g.in_channels) {
    fail(graph, op, "filter shape does not match the input and output channels");
  }
  const sim::OpOptions& o = op.options;
  g.y = make_axis(o.padding, in.shape[1], out.shape[1], filter.shape[1], o.stride_h, o.dilation_h);
  g.x = make_axis(o.padding, in.shape[2], out.shape[2], filter.shape[2], o.stride_w, o.dilation_w);
  return g;
}

FullyConnectedGeometry fully_connected_geometry(const sim::Graph& graph, const sim::Op& op) {
  if (op.type != sim::OpType::kFullyConnected) fail(graph, op, "not a fully connected layer");
  const sim::Tensor& in = input(graph, op, 0);
  const sim::Tensor& weights = input(graph, op, 1);
  const sim::Tensor& out = output(graph, op);
  if (weights.shape.size() != 2 || weights.shape[0] <= 0 || weights.shape[1] <= 0)
    fail(graph, op, "weights '" + weights.name + "' must be a non-empty [out][in] matrix");
  FullyConnectedGeometry g;
  g.out_features = weights.shape[0];
  g.in_features = weights.shape[1];
  if (in.num_elements() <= 0 || in.num_elements() % g.in_features != 0)
    fail(graph, op, "input size is not a multiple of the weights' input dimension");
  g.batches = static_cast<int>(in.num_elements() / g.in_features);
  if (out.num_elements() != int64_t{g.batches} * g.out_features)
    fail(graph, op, "output size does not match batches x output features");
  return g;
}

PoolGeometry pool_geometry(const sim::Graph& graph, const sim::Op& op) {
  if (op.type != sim::OpType::kMaxPool2D && op.type != sim::OpType::kAveragePool2D)
    fail(graph, op, "not a pooling layer");
  const sim::Tensor& in = input(graph, op, 0);
  const sim::Tensor& out = output(graph, op);
  require_nhwc(graph, op, in);
  require_nhwc(graph, op, out);
  const sim::OpOptions& o = op.options;
  require_positive_window(graph, op, o);
  if (o.filter_h <= 0 || o.filter_w <= 0) fail(graph, op, "pool window must be positive");
  if (in.shape[3] != out.shape[3] || in.shape[0] != out.shape[0])
    fail(graph, op, "input and output batch or channel counts differ");
  PoolGeometry g;
  g.batches = in.shape[0];
  g.channels = in.shape[3];
  g.y = make_axis(o.padding, in.shape[1], out.shape[1], o.filter_h, o.stride_h, 1);
  g.x = make_axis(o.padding, in.shape[2], out.shape[2], o.filter_w, o.stride_w, 1);
  return g;
}

int64_t output_elements(const sim::Graph& graph, const sim::Op& op) {
  const sim::Tensor& out = output(graph, op);
  if (out.shape.empty() || out.num_elements() <= 0) fail(graph, op, "output '" + out.name + "' is empty");
  return out.num_elements();
}

int64_t output_last_dimension(const sim::Graph& graph, const sim::Op& op) {
  output_elements(graph, op);  // checks presence and size
  return output(graph, op).shape.back();
}

int64_t constant_input_bytes(const sim::Graph& graph, const sim::Op& op) {
  int64_t bytes = 0;
  for (int index : op.inputs) {
    if (index < 0) continue;
    const sim::Tensor& tensor = graph.tensor(index);
    if (tensor.is_constant()) bytes += static_cast<int64_t>(tensor.data.size());
  }
  return bytes;
}

}  // namespace tinyskip::mcu
