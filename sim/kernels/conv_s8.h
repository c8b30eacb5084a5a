// Int8 2-D convolution, the readable reference path (TFLM
// reference_integer_ops::ConvPerChannel semantics): direct loops over every
// output element, per-output-channel requantisation, double rounding.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// input NHWC, filter OHWI (filter_shape.n = output channels, filter_shape.c =
// input channels), bias one int32 per output channel or null, output NHWC.
// Throws KernelError when the shapes or parameters are inconsistent.
void conv_s8_nhwc(const ConvParams& params, const ChannelRequant& requant,
                  const Shape4& input_shape, const int8_t* input, const Shape4& filter_shape,
                  const int8_t* filter, const int32_t* bias, const Shape4& output_shape,
                  int8_t* output);

// The shape checks of conv_s8_nhwc, shared with the im2col path.
void check_conv_s8_shapes(const ConvParams& params, const ChannelRequant& requant,
                          const Shape4& input_shape, const Shape4& filter_shape,
                          const Shape4& output_shape, const char* kernel);

}  // namespace tinyskip::sim
