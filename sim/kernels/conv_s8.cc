#include "sim/kernels/conv_s8.h"

#include <string>

#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

void check_conv_s8_shapes(const ConvParams& params, const ChannelRequant& requant,
                          const Shape4& input_shape, const Shape4& filter_shape,
                          const Shape4& output_shape, const char* kernel) {
  check_shape_positive(input_shape, kernel, "input");
  check_shape_positive(filter_shape, kernel, "filter");
  check_shape_positive(output_shape, kernel, "output");
  kernel_check(filter_shape.c == input_shape.c, kernel,
               "filter input depth " + std::to_string(filter_shape.c) +
                   " differs from input depth " + std::to_string(input_shape.c));
  kernel_check(filter_shape.n == output_shape.c, kernel,
               "filter has " + std::to_string(filter_shape.n) + " output channels, output has " +
                   std::to_string(output_shape.c));
  kernel_check(input_shape.n == output_shape.n, kernel, "input and output batch differ");
  kernel_check(params.stride_h > 0 && params.stride_w > 0 && params.dilation_h > 0 &&
                   params.dilation_w > 0,
               kernel, "strides and dilations must be positive");
  kernel_check(params.pad_h >= 0 && params.pad_w >= 0, kernel, "padding must be non-negative");
  check_activation_range(params.activation, kernel);
  check_channel_requant(requant, output_shape.c, kernel);
}

namespace {

// Accumulator of one output element: sum over the receptive field of
// filter * (input + input_offset). Taps that fall into the padding are
// skipped, which is the same as padding with the input zero point.
int32_t conv_accumulate(const ConvParams& params, const Shape4& input_shape,
                        const int8_t* input_image, const Shape4& filter_shape,
                        const int8_t* out_channel_filter, int out_y, int out_x) {
  const int in_y_origin = out_y * params.stride_h - params.pad_h;
  const int in_x_origin = out_x * params.stride_w - params.pad_w;
  int32_t acc = 0;
  for (int ky = 0; ky < filter_shape.h; ++ky) {
    const int in_y = in_y_origin + ky * params.dilation_h;
    if (in_y < 0 || in_y >= input_shape.h) continue;
    for (int kx = 0; kx < filter_shape.w; ++kx) {
      const int in_x = in_x_origin + kx * params.dilation_w;
      if (in_x < 0 || in_x >= input_shape.w) continue;
      const int8_t* in_pixel = input_image + (int64_t{in_y} * input_shape.w + in_x) * input_shape.c;
      const int8_t* tap = out_channel_filter + (int64_t{ky} * filter_shape.w + kx) * filter_shape.c;
      for (int ic = 0; ic < input_shape.c; ++ic) {
        acc += int32_t{tap[ic]} * (int32_t{in_pixel[ic]} + params.input_offset);
      }
    }
  }
  return acc;
}

}  // namespace

void conv_s8_nhwc(const ConvParams& params, const ChannelRequant& requant,
                  const Shape4& input_shape, const int8_t* input, const Shape4& filter_shape,
                  const int8_t* filter, const int32_t* bias, const Shape4& output_shape,
                  int8_t* output) {
  check_conv_s8_shapes(params, requant, input_shape, filter_shape, output_shape, "conv_s8_nhwc");
  const int64_t filter_per_out_channel = filter_shape.image_elements();
  for (int b = 0; b < input_shape.n; ++b) {
    const int8_t* input_image = input + b * input_shape.image_elements();
    int8_t* output_image = output + b * output_shape.image_elements();
    for (int out_y = 0; out_y < output_shape.h; ++out_y) {
      for (int out_x = 0; out_x < output_shape.w; ++out_x) {
        int8_t* out_pixel = output_image + (int64_t{out_y} * output_shape.w + out_x) * output_shape.c;
        for (int oc = 0; oc < output_shape.c; ++oc) {
          int32_t acc = conv_accumulate(params, input_shape, input_image, filter_shape,
                                        filter + oc * filter_per_out_channel, out_y, out_x);
          if (bias != nullptr) acc += bias[oc];
          out_pixel[oc] = requantize_to_s8(acc, requant.multiplier[static_cast<size_t>(oc)],
                                           requant.shift[static_cast<size_t>(oc)],
                                           params.output_offset, params.activation);
        }
      }
    }
  }
}

}  // namespace tinyskip::sim
