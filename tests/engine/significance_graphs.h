// Tiny hand-built one-op graphs (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED)
// for the significance tests, so they do not depend on the .tflite importer.
// The layer is described by a plain spec that the naive reference
// (naive_significance.h) reads too; the graph is only what the code under
// test sees.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "sim/graph.h"

namespace tinyskip::test {

struct LayerSpec {
  sim::OpType type = sim::OpType::kConv2D;
  int in_h = 1, in_w = 1, in_c = 1;
  int out_c = 1;  // conv: output channels; depthwise: in_c * depth_multiplier; FC: units
  int filter_h = 1, filter_w = 1;
  sim::Padding padding = sim::Padding::kValid;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int32_t input_zero_point = 0;
  // Stored layout: OHWI (conv), 1HWC (depthwise), [units][in_h*in_w*in_c] (FC).
  std::vector<int8_t> filter;

  int depth_multiplier() const { return out_c / in_c; }
  int64_t input_elements() const { return int64_t{in_h} * in_w * in_c; }
};

inline sim::Tensor int8_tensor(const char* name, std::vector<int32_t> shape, int32_t zero_point) {
  sim::Tensor tensor;
  tensor.name = name;
  tensor.shape = std::move(shape);
  tensor.type = sim::DataType::kInt8;
  tensor.quant.scale = {0.5f};
  tensor.quant.zero_point = {zero_point};
  return tensor;
}

// Graph with tensors 0 = input, 1 = filter, 2 = output and the layer as op 0.
inline sim::Graph layer_graph(const LayerSpec& spec) {
  sim::Graph graph;
  graph.source = "test_layer.tflite";
  sim::Op op;
  op.type = spec.type;
  op.index = 0;
  op.inputs = {0, 1, -1};
  op.outputs = {2};
  op.options.padding = spec.padding;
  op.options.stride_h = spec.stride_h;
  op.options.stride_w = spec.stride_w;
  op.options.dilation_h = spec.dilation_h;
  op.options.dilation_w = spec.dilation_w;
  op.options.depth_multiplier = spec.type == sim::OpType::kDepthwiseConv2D ? spec.depth_multiplier() : 1;

  std::vector<int32_t> filter_shape;
  std::vector<int32_t> output_shape;
  if (spec.type == sim::OpType::kFullyConnected) {
    filter_shape = {spec.out_c, static_cast<int32_t>(spec.input_elements())};
    output_shape = {1, spec.out_c};
  } else {
    const auto out_h = static_cast<int32_t>(sim::windowed_output_size(spec.padding, spec.in_h, spec.filter_h,
                                                                      spec.stride_h, spec.dilation_h));
    const auto out_w = static_cast<int32_t>(sim::windowed_output_size(spec.padding, spec.in_w, spec.filter_w,
                                                                      spec.stride_w, spec.dilation_w));
    output_shape = {1, out_h, out_w, spec.out_c};
    filter_shape = spec.type == sim::OpType::kConv2D
                       ? std::vector<int32_t>{spec.out_c, spec.filter_h, spec.filter_w, spec.in_c}
                       : std::vector<int32_t>{1, spec.filter_h, spec.filter_w, spec.out_c};
  }
  graph.tensors.push_back(int8_tensor("input", {1, spec.in_h, spec.in_w, spec.in_c}, spec.input_zero_point));
  sim::Tensor filter = int8_tensor("filter", filter_shape, 0);
  filter.data.assign(reinterpret_cast<const uint8_t*>(spec.filter.data()),
                     reinterpret_cast<const uint8_t*>(spec.filter.data()) + spec.filter.size());
  graph.tensors.push_back(std::move(filter));
  graph.tensors.push_back(int8_tensor("output", output_shape, -3));
  graph.ops.push_back(op);
  graph.input = 0;
  graph.output = 2;
  return graph;
}

// Uniform int8 values in [low, high]; a narrow range provokes zero
// denominators and zero weights.
inline std::vector<int8_t> random_int8(std::mt19937& rng, size_t count, int low = -128, int high = 127) {
  std::uniform_int_distribution<int> value(low, high);
  std::vector<int8_t> values(count);
  for (int8_t& v : values) v = static_cast<int8_t>(value(rng));
  return values;
}

}  // namespace tinyskip::test
