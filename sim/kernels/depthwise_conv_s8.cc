#include "sim/kernels/depthwise_conv_s8.h"

#include <string>

#include "sim/kernels/fixed_point.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

namespace {

void check_shapes(const ConvParams& params, const ChannelRequant& requant, const Shape4& input_shape,
                  const Shape4& filter_shape, const Shape4& output_shape) {
  constexpr const char* kKernel = "depthwise_conv_s8_nhwc";
  check_shape_positive(input_shape, kKernel, "input");
  check_shape_positive(filter_shape, kKernel, "filter");
  check_shape_positive(output_shape, kKernel, "output");
  kernel_check(params.depth_multiplier > 0, kKernel, "depth multiplier must be positive");
  kernel_check(filter_shape.n == 1, kKernel, "filter must have shape 1HWC");
  kernel_check(filter_shape.c == output_shape.c, kKernel,
               "filter has " + std::to_string(filter_shape.c) + " channels, output has " +
                   std::to_string(output_shape.c));
  kernel_check(int64_t{input_shape.c} * params.depth_multiplier == output_shape.c, kKernel,
               "output channels " + std::to_string(output_shape.c) + " != input channels " +
                   std::to_string(input_shape.c) + " x depth multiplier " +
                   std::to_string(params.depth_multiplier));
  kernel_check(input_shape.n == output_shape.n, kKernel, "input and output batch differ");
  kernel_check(params.stride_h > 0 && params.stride_w > 0 && params.dilation_h > 0 &&
                   params.dilation_w > 0,
               kKernel, "strides and dilations must be positive");
  kernel_check(params.pad_h >= 0 && params.pad_w >= 0, kKernel, "padding must be non-negative");
  check_activation_range(params.activation, kKernel);
  check_channel_requant(requant, output_shape.c, kKernel);
}

// Accumulator of output channel oc (fed by input channel ic) at (out_y, out_x).
// Taps in the padding are skipped.
int32_t depthwise_accumulate(const ConvParams& params, const Shape4& input_shape,
                             const int8_t* input_image, const Shape4& filter_shape,
                             const int8_t* filter, int ic, int oc, int out_y, int out_x) {
  const int in_y_origin = out_y * params.stride_h - params.pad_h;
  const int in_x_origin = out_x * params.stride_w - params.pad_w;
  int32_t acc = 0;
  for (int ky = 0; ky < filter_shape.h; ++ky) {
    const int in_y = in_y_origin + ky * params.dilation_h;
    if (in_y < 0 || in_y >= input_shape.h) continue;
    for (int kx = 0; kx < filter_shape.w; ++kx) {
      const int in_x = in_x_origin + kx * params.dilation_w;
      if (in_x < 0 || in_x >= input_shape.w) continue;
      const int32_t input_value =
          input_image[(int64_t{in_y} * input_shape.w + in_x) * input_shape.c + ic];
      const int32_t filter_value = filter[(int64_t{ky} * filter_shape.w + kx) * filter_shape.c + oc];
      acc += filter_value * (input_value + params.input_offset);
    }
  }
  return acc;
}

}  // namespace

void depthwise_conv_s8_nhwc(const ConvParams& params, const ChannelRequant& requant,
                            const Shape4& input_shape, const int8_t* input,
                            const Shape4& filter_shape, const int8_t* filter, const int32_t* bias,
                            const Shape4& output_shape, int8_t* output) {
  check_shapes(params, requant, input_shape, filter_shape, output_shape);
  for (int b = 0; b < input_shape.n; ++b) {
    const int8_t* input_image = input + b * input_shape.image_elements();
    int8_t* output_image = output + b * output_shape.image_elements();
    for (int out_y = 0; out_y < output_shape.h; ++out_y) {
      for (int out_x = 0; out_x < output_shape.w; ++out_x) {
        int8_t* out_pixel = output_image + (int64_t{out_y} * output_shape.w + out_x) * output_shape.c;
        for (int ic = 0; ic < input_shape.c; ++ic) {
          for (int m = 0; m < params.depth_multiplier; ++m) {
            const int oc = ic * params.depth_multiplier + m;
            int32_t acc = depthwise_accumulate(params, input_shape, input_image, filter_shape,
                                               filter, ic, oc, out_y, out_x);
            if (bias != nullptr) acc += bias[oc];
            out_pixel[oc] = requantize_to_s8(acc, requant.multiplier[static_cast<size_t>(oc)],
                                             requant.shift[static_cast<size_t>(oc)],
                                             params.output_offset, params.activation);
          }
        }
      }
    }
  }
}

}  // namespace tinyskip::sim
