// Int8 depthwise 2-D convolution (TFLM reference_integer_ops::
// DepthwiseConvPerChannel semantics): output channel ic * depth_multiplier + m
// reads only input channel ic; per-output-channel requantisation.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// input NHWC, filter 1HWC with filter_shape.c = output channels =
// input channels * params.depth_multiplier, bias one int32 per output channel
// or null, output NHWC.
void depthwise_conv_s8_nhwc(const ConvParams& params, const ChannelRequant& requant,
                            const Shape4& input_shape, const int8_t* input,
                            const Shape4& filter_shape, const int8_t* filter, const int32_t* bias,
                            const Shape4& output_shape, int8_t* output);

}  // namespace tinyskip::sim
