// Shapes and per-op parameters shared by all int8 kernels. Kernels take these
// by const reference with uniform, CMSIS-NN-like signatures:
//   op_s8_nhwc(params, [requant,] input_shape, input, [filter_shape, filter, bias,] output_shape, output)
// Everything derived from quantisation (offsets, multipliers, clamp ranges) is
// computed once by the make_*_params functions in op_params.h (TFLM's
// "Prepare" step), never inside a kernel.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/kernels/fixed_point.h"

namespace tinyskip::sim {

// A 4-D shape. Activations are NHWC; conv filters OHWI (out, ky, kx, in);
// depthwise filters 1HWC; fully connected weights are [out][in] with h=w=1.
struct Shape4 {
  int n = 1, h = 1, w = 1, c = 1;
  int64_t elements() const { return int64_t{n} * h * w * c; }
  int64_t image_elements() const { return int64_t{h} * w * c; }
  bool operator==(const Shape4&) const = default;
};

// Per-output-channel requantisation (per-tensor layers repeat one entry).
struct ChannelRequant {
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;
};

struct ConvParams {
  int32_t input_offset = 0;   // -input zero point, added to every input value
  int32_t output_offset = 0;  // output zero point
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_h = 0, pad_w = 0;  // padding before the first row / column
  int depth_multiplier = 1;  // depthwise only
  ActivationRange activation;
};

struct FullyConnectedParams {
  int32_t input_offset = 0;
  int32_t output_offset = 0;
  ActivationRange activation;
};

struct PoolParams {
  int stride_h = 1, stride_w = 1;
  int filter_h = 1, filter_w = 1;
  int pad_h = 0, pad_w = 0;
  ActivationRange activation;
};

struct AddParams {
  int32_t input1_offset = 0, input2_offset = 0;  // -zero points
  int32_t output_offset = 0;
  int left_shift = 20;  // int8 inputs are widened by 2^20 before rescaling
  QuantizedMultiplier input1, input2, output;
  ActivationRange activation;
};

struct SoftmaxParams {
  int32_t input_multiplier = 0;  // beta * input_scale in fixed point
  int input_left_shift = 0;
  int32_t diff_min = 0;  // differences below this contribute exp(...) = 0
};

struct QuantizeParams {  // float -> int8
  float scale = 1.0f;
  int32_t zero_point = 0;
};

struct DequantizeParams {  // int8 -> float
  double scale = 1.0;
  int32_t zero_point = 0;
};

}  // namespace tinyskip::sim
