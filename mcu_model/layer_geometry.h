// Loop bounds of the kernels, read from a graph op: what the cycle model
// counts iterations of. Shapes are checked here so that the cost functions
// can trust them; a malformed op is a sim::ModelError naming the file and op.
#pragma once

#include <cstdint>

#include "sim/graph.h"

namespace tinyskip::mcu {

// One spatial axis of a sliding window (conv, depthwise, pool).
struct WindowAxis {
  int in = 1, out = 1, filter = 1, stride = 1, dilation = 1;
  int pad = 0;  // padding before the first element (TFLite's SAME rule)

  // (output position, filter tap) combinations that read inside the input;
  // the kernels skip (pool) or zero-fill (conv im2col) the others.
  int64_t in_bounds_taps() const;
};

struct ConvGeometry {  // CONV_2D and DEPTHWISE_CONV_2D
  int batches = 1;
  WindowAxis y, x;
  int in_channels = 1, out_channels = 1;
  int depth_multiplier = 1;  // depthwise only

  int64_t pixels() const { return int64_t{y.out} * x.out; }  // output pixels per image
  int64_t taps() const { return int64_t{y.filter} * x.filter; }
  // Reduction length per output value of a CONV_2D: KH*KW*Cin.
  int64_t conv_reduction() const { return taps() * in_channels; }
  // In-bounds (pixel, tap) combinations per image; the rest is padding.
  int64_t in_bounds_taps() const { return y.in_bounds_taps() * x.in_bounds_taps(); }
  bool is_pointwise_fast_path() const;  // CMSIS-NN's 1x1, stride 1, unpadded case
};

struct FullyConnectedGeometry {
  int batches = 1;
  int in_features = 1;   // reduction length K
  int out_features = 1;  // rows C
};

struct PoolGeometry {
  int batches = 1;
  WindowAxis y, x;
  int channels = 1;
  int64_t pixels() const { return int64_t{y.out} * x.out; }
  int64_t in_bounds_taps() const { return y.in_bounds_taps() * x.in_bounds_taps(); }
};

ConvGeometry conv_geometry(const sim::Graph& graph, const sim::Op& op);
FullyConnectedGeometry fully_connected_geometry(const sim::Graph& graph, const sim::Op& op);
PoolGeometry pool_geometry(const sim::Graph& graph, const sim::Op& op);

// Elements of the op's first output, and the length of its last dimension
// (softmax rows); ModelError for a missing or empty output.
int64_t output_elements(const sim::Graph& graph, const sim::Op& op);
int64_t output_last_dimension(const sim::Graph& graph, const sim::Op& op);

// Bytes of all constant inputs of an op (weights, bias, shape tensors).
int64_t constant_input_bytes(const sim::Graph& graph, const sim::Op& op);

}  // namespace tinyskip::mcu
