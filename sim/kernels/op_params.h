// TFLite Micro's "Prepare" step for every int8 op: everything the kernels
// need that is derived from the graph (padding, zero-point offsets,
// fixed-point multipliers, activation clamp ranges) is computed here, once,
// with exactly the reference's arithmetic (see
// ../shared/docs/int8-semantics.md). Kernels never look at scales.
//
// Every make_* function takes the graph and one of its ops and throws
// ModelError("<source>: op 3 (CONV_2D): <what is wrong>") when the op's
// tensors are not what the int8 kernels support.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/graph.h"
#include "sim/kernels/kernel_params.h"
#include "sim/model_error.h"

namespace tinyskip::sim {

// NHWC shape of a tensor. Shapes of rank < 4 are padded with leading ones
// like TFLite's RuntimeShape::ExtendedShape ([1,10] -> n=1,h=1,w=1,c=10;
// [5] -> c=5); rank > 4 is accepted only if the extra leading dimensions are 1.
// Throws ModelError naming the tensor otherwise.
Shape4 shape_of(const Tensor& tensor);
Shape4 shape_of(const std::vector<int32_t>& dims);

// NHWC shapes of an op's activation input(s) and output (filters excluded).
struct OpShapes {
  Shape4 input, input2, output;  // input2 only for ADD
};
OpShapes op_shapes(const Graph& graph, const Op& op);

// Output size and leading padding of a sliding window along both axes
// (TFLM ComputePaddingHeightWidth): SAME pads a total of
// max(0, (out - 1) * stride + (filter - 1) * dilation + 1 - in), half of it
// (rounded down) before, the odd extra one after; VALID pads nothing.
struct WindowPadding {
  int out_h = 0, out_w = 0;
  int pad_h = 0, pad_w = 0;  // before the first row / column
};
WindowPadding compute_padding(Padding padding, int in_h, int in_w, int filter_h, int filter_w,
                              int stride_h, int stride_w, int dilation_h, int dilation_w);

// Clamp range of a fused activation on an int8 output with scale/zero point
// (TFLM CalculateActivationRangeQuantized): RELU [max(-128, zp), 127], RELU6
// additionally min(127, zp + round(6.0f / scale)) with the division in float,
// NONE [-128, 127]. Throws ModelError (with `context` as message prefix) if
// the range is empty.
ActivationRange activation_range(Activation activation, float output_scale,
                                 int32_t output_zero_point, const std::string& context = "");

std::pair<ConvParams, ChannelRequant> make_conv_params(const Graph& graph, const Op& op);
std::pair<ConvParams, ChannelRequant> make_depthwise_params(const Graph& graph, const Op& op);
// One requantisation entry per output unit even for per-tensor weights. The
// per-tensor multiplier is float(input_scale * weights_scale) / output_scale
// (product in float, as TFLM's GetQuantizedConvolutionMultipler), the
// per-channel one (double)input_scale * scale[c] / output_scale.
std::pair<FullyConnectedParams, ChannelRequant> make_fully_connected_params(const Graph& graph,
                                                                             const Op& op);
PoolParams make_pool_params(const Graph& graph, const Op& op);  // MAX_POOL_2D, AVERAGE_POOL_2D
AddParams make_add_params(const Graph& graph, const Op& op);
SoftmaxParams make_softmax_params(const Graph& graph, const Op& op);
QuantizeParams make_quantize_params(const Graph& graph, const Op& op);
DequantizeParams make_dequantize_params(const Graph& graph, const Op& op);

// Softmax parameters from the raw quantities (used by make_softmax_params and
// directly by tests): TFLM's PreprocessSoftmaxScaling with 5 integer bits and
// CalculateInputRadius.
SoftmaxParams softmax_params_from(double beta, float input_scale);

}  // namespace tinyskip::sim
