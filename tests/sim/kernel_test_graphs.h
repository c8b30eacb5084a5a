// Test helpers: wrap one op described by a naive_int8.h spec into a
// one-op Graph, and run it through the simulator's Prepare (op_params) and
// reference kernel. The differential tests compare that with the naive
// oracle, so the parameter derivation is covered as well as the kernel.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "sim/graph.h"
#include "sim/kernels/add_s8.h"
#include "sim/kernels/avg_pool_s8.h"
#include "sim/kernels/conv_s8.h"
#include "sim/kernels/depthwise_conv_s8.h"
#include "sim/kernels/dequantize_s8_f32.h"
#include "sim/kernels/fully_connected_s8.h"
#include "sim/kernels/max_pool_s8.h"
#include "sim/kernels/op_params.h"
#include "sim/kernels/quantize_f32_s8.h"
#include "sim/kernels/softmax_s8.h"
#include "tests/sim/naive_int8.h"

namespace tinyskip::test {

using sim::DataType;
using sim::Graph;
using sim::Op;
using sim::OpType;

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

inline int add_tensor(Graph& g, const std::string& name, std::vector<int32_t> shape, DataType type,
                      std::vector<float> scales = {}, std::vector<int32_t> zero_points = {},
                      int quantized_dimension = 0, std::vector<uint8_t> data = {}) {
  sim::Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.type = type;
  t.quant.scale = std::move(scales);
  t.quant.zero_point = std::move(zero_points);
  t.quant.quantized_dimension = quantized_dimension;
  t.data = std::move(data);
  g.tensors.push_back(std::move(t));
  return static_cast<int>(g.tensors.size()) - 1;
}

inline sim::Activation sim_activation(naive::Act act) {
  switch (act) {
    case naive::Act::kRelu: return sim::Activation::kRelu;
    case naive::Act::kRelu6: return sim::Activation::kRelu6;
    case naive::Act::kNone: break;
  }
  return sim::Activation::kNone;
}

inline sim::Padding sim_padding(naive::Pad pad) {
  return pad == naive::Pad::kSame ? sim::Padding::kSame : sim::Padding::kValid;
}

inline std::vector<int32_t> nhwc(const naive::Dims& d) { return {d.n, d.h, d.w, d.c}; }

inline Graph one_op_graph(OpType type, std::vector<int> inputs, std::vector<int> outputs, Graph g,
                          sim::OpOptions options = {}) {
  Op op;
  op.type = type;
  op.index = 0;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options = options;
  g.ops.push_back(op);
  g.source = "test.tflite";
  g.input = g.ops[0].inputs[0];
  g.output = g.ops[0].outputs[0];
  return g;
}

inline std::vector<int32_t> zeros(size_t n) { return std::vector<int32_t>(n, 0); }

// CONV_2D (filter OHWI) or DEPTHWISE_CONV_2D (filter 1HWC).
inline Graph conv_graph(const naive::ConvSpec& s, bool depthwise, const std::vector<int8_t>& filter,
                        const std::vector<int32_t>& bias) {
  Graph g;
  const naive::Dims od = naive::conv_output_dims(s);
  const int in = add_tensor(g, "input", nhwc(s.input), DataType::kInt8, {s.in.scale}, {s.in.zero_point});
  const std::vector<int32_t> filter_shape =
      depthwise ? std::vector<int32_t>{1, s.kernel_h, s.kernel_w, s.out_channels}
                : std::vector<int32_t>{s.out_channels, s.kernel_h, s.kernel_w, s.input.c};
  const int f = add_tensor(g, "filter", filter_shape, DataType::kInt8, s.filter_scales,
                           zeros(s.filter_scales.size()), depthwise ? 3 : 0, bytes_of(filter));
  const int b = bias.empty() ? -1
                             : add_tensor(g, "bias", {s.out_channels}, DataType::kInt32, {}, {}, 0, bytes_of(bias));
  const int out = add_tensor(g, "output", nhwc(od), DataType::kInt8, {s.out.scale}, {s.out.zero_point});
  sim::OpOptions o;
  o.padding = sim_padding(s.pad);
  o.stride_h = s.stride_h;
  o.stride_w = s.stride_w;
  o.dilation_h = s.dilation_h;
  o.dilation_w = s.dilation_w;
  o.activation = sim_activation(s.act);
  o.depth_multiplier = depthwise ? s.out_channels / s.input.c : 1;
  return one_op_graph(depthwise ? OpType::kDepthwiseConv2D : OpType::kConv2D, {in, f, b}, {out}, std::move(g), o);
}

inline std::vector<int8_t> run_conv_sim(const Graph& g, const std::vector<int8_t>& input) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  const sim::Tensor& filter = g.input_of(op, 1);
  const int32_t* bias = op.inputs[2] >= 0 ? g.input_of(op, 2).values<int32_t>().data() : nullptr;
  std::vector<int8_t> out(static_cast<size_t>(shapes.output.elements()));
  if (op.type == OpType::kConv2D) {
    const auto [params, requant] = sim::make_conv_params(g, op);
    sim::conv_s8_nhwc(params, requant, shapes.input, input.data(), sim::shape_of(filter),
                      filter.values<int8_t>().data(), bias, shapes.output, out.data());
  } else {
    const auto [params, requant] = sim::make_depthwise_params(g, op);
    sim::depthwise_conv_s8_nhwc(params, requant, shapes.input, input.data(), sim::shape_of(filter),
                                filter.values<int8_t>().data(), bias, shapes.output, out.data());
  }
  return out;
}

inline Graph fully_connected_graph(const naive::FullyConnectedSpec& s, const std::vector<int8_t>& weights,
                                   const std::vector<int32_t>& bias) {
  Graph g;
  const int in = add_tensor(g, "input", {s.batches, s.depth}, DataType::kInt8, {s.in.scale}, {s.in.zero_point});
  const int w = add_tensor(g, "weights", {s.units, s.depth}, DataType::kInt8, s.weight_scales,
                           zeros(s.weight_scales.size()), 0, bytes_of(weights));
  const int b = bias.empty() ? -1 : add_tensor(g, "bias", {s.units}, DataType::kInt32, {}, {}, 0, bytes_of(bias));
  const int out = add_tensor(g, "output", {s.batches, s.units}, DataType::kInt8, {s.out.scale}, {s.out.zero_point});
  sim::OpOptions o;
  o.activation = sim_activation(s.act);
  return one_op_graph(OpType::kFullyConnected, {in, w, b}, {out}, std::move(g), o);
}

inline std::vector<int8_t> run_fully_connected_sim(const Graph& g, const std::vector<int8_t>& input) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  const sim::Tensor& weights = g.input_of(op, 1);
  const int32_t* bias = op.inputs[2] >= 0 ? g.input_of(op, 2).values<int32_t>().data() : nullptr;
  const auto [params, requant] = sim::make_fully_connected_params(g, op);
  std::vector<int8_t> out(static_cast<size_t>(shapes.output.elements()));
  sim::fully_connected_s8(params, requant, shapes.input, input.data(), sim::shape_of(weights),
                          weights.values<int8_t>().data(), bias, shapes.output, out.data());
  return out;
}

// Pool input and output share one quantisation (scale, zero point of `out`).
inline Graph pool_graph(const naive::PoolSpec& s, OpType type) {
  Graph g;
  const int in = add_tensor(g, "input", nhwc(s.input), DataType::kInt8, {s.out.scale}, {s.out.zero_point});
  const int out = add_tensor(g, "output", nhwc(naive::pool_output_dims(s)), DataType::kInt8, {s.out.scale},
                             {s.out.zero_point});
  sim::OpOptions o;
  o.padding = sim_padding(s.pad);
  o.stride_h = s.stride_h;
  o.stride_w = s.stride_w;
  o.filter_h = s.kernel_h;
  o.filter_w = s.kernel_w;
  o.activation = sim_activation(s.act);
  return one_op_graph(type, {in}, {out}, std::move(g), o);
}

inline std::vector<int8_t> run_pool_sim(const Graph& g, const std::vector<int8_t>& input) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  const sim::PoolParams params = sim::make_pool_params(g, op);
  std::vector<int8_t> out(static_cast<size_t>(shapes.output.elements()));
  if (op.type == OpType::kMaxPool2D)
    sim::max_pool_s8_nhwc(params, shapes.input, input.data(), shapes.output, out.data());
  else
    sim::avg_pool_s8_nhwc(params, shapes.input, input.data(), shapes.output, out.data());
  return out;
}

inline Graph add_graph(const naive::AddSpec& s, const naive::Dims& dims) {
  Graph g;
  const int a = add_tensor(g, "a", nhwc(dims), DataType::kInt8, {s.in1.scale}, {s.in1.zero_point});
  const int b = add_tensor(g, "b", nhwc(dims), DataType::kInt8, {s.in2.scale}, {s.in2.zero_point});
  const int out = add_tensor(g, "sum", nhwc(dims), DataType::kInt8, {s.out.scale}, {s.out.zero_point});
  sim::OpOptions o;
  o.activation = sim_activation(s.act);
  return one_op_graph(OpType::kAdd, {a, b}, {out}, std::move(g), o);
}

inline std::vector<int8_t> run_add_sim(const Graph& g, const std::vector<int8_t>& a, const std::vector<int8_t>& b) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  const sim::AddParams params = sim::make_add_params(g, op);
  std::vector<int8_t> out(static_cast<size_t>(shapes.output.elements()));
  sim::add_s8(params, shapes.input, a.data(), shapes.input2, b.data(), shapes.output, out.data());
  return out;
}

inline Graph softmax_graph(const naive::SoftmaxSpec& s) {
  Graph g;
  const int in = add_tensor(g, "logits", {s.rows, s.depth}, DataType::kInt8, {s.input_scale}, {0});
  const int out = add_tensor(g, "probs", {s.rows, s.depth}, DataType::kInt8, {1.0f / 256}, {-128});
  sim::OpOptions o;
  o.softmax_beta = s.beta;
  return one_op_graph(OpType::kSoftmax, {in}, {out}, std::move(g), o);
}

inline std::vector<int8_t> run_softmax_sim(const Graph& g, const std::vector<int8_t>& input) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  const sim::SoftmaxParams params = sim::make_softmax_params(g, op);
  std::vector<int8_t> out(static_cast<size_t>(shapes.output.elements()));
  sim::softmax_s8(params, shapes.input, input.data(), shapes.output, out.data());
  return out;
}

inline Graph quantize_graph(const naive::Quant& q, int size) {
  Graph g;
  const int in = add_tensor(g, "float_in", {1, size}, DataType::kFloat32);
  const int out = add_tensor(g, "int8_out", {1, size}, DataType::kInt8, {q.scale}, {q.zero_point});
  return one_op_graph(OpType::kQuantize, {in}, {out}, std::move(g));
}

inline std::vector<int8_t> run_quantize_sim(const Graph& g, const std::vector<float>& input) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  std::vector<int8_t> out(static_cast<size_t>(shapes.output.elements()));
  sim::quantize_f32_s8(sim::make_quantize_params(g, op), shapes.input, input.data(), shapes.output, out.data());
  return out;
}

inline Graph dequantize_graph(const naive::Quant& q, int size) {
  Graph g;
  const int in = add_tensor(g, "int8_in", {1, size}, DataType::kInt8, {q.scale}, {q.zero_point});
  const int out = add_tensor(g, "float_out", {1, size}, DataType::kFloat32);
  return one_op_graph(OpType::kDequantize, {in}, {out}, std::move(g));
}

inline std::vector<float> run_dequantize_sim(const Graph& g, const std::vector<int8_t>& input) {
  const Op& op = g.ops[0];
  const sim::OpShapes shapes = sim::op_shapes(g, op);
  std::vector<float> out(static_cast<size_t>(shapes.output.elements()));
  sim::dequantize_s8_f32(sim::make_dequantize_params(g, op), shapes.input, input.data(), shapes.output, out.data());
  return out;
}

}  // namespace tinyskip::test
