/* Int8 depthwise convolution (CMSIS-NN generic path): output channel
 * ic * depth_multiplier + m reads only input channel ic; taps in the padding
 * are skipped; per-output-channel requantisation. */
#include "ts_internal.h"

static int arguments_valid(const ts_depthwise_conv_params *params,
                           const ts_per_channel_quant *quant, const ts_dims *input_dims,
                           const int8_t *input, const ts_dims *filter_dims, const int8_t *filter,
                           const ts_dims *output_dims, const int8_t *output) {
  if (params == 0 || input == 0 || filter == 0 || output == 0) return 0;
  if (!ts_dims_valid(input_dims) || !ts_dims_valid(filter_dims) || !ts_dims_valid(output_dims))
    return 0;
  if (params->depth_multiplier <= 0 || filter_dims->n != 1 || filter_dims->c != output_dims->c ||
      (int64_t)input_dims->c * params->depth_multiplier != output_dims->c ||
      input_dims->n != output_dims->n)
    return 0;
  if (params->stride_h <= 0 || params->stride_w <= 0 || params->dilation_h <= 0 ||
      params->dilation_w <= 0 || params->pad_h < 0 || params->pad_w < 0)
    return 0;
  return ts_activation_valid(&params->activation) &&
         ts_per_channel_quant_valid(quant, output_dims->c);
}

/* Accumulator (without bias) of output channel oc fed by input channel ic. */
static int32_t accumulate(const ts_depthwise_conv_params *params, const ts_dims *input_dims,
                          const int8_t *input_image, const ts_dims *filter_dims,
                          const int8_t *filter, int32_t ic, int32_t oc, int32_t out_y,
                          int32_t out_x) {
  const int32_t in_y_origin = out_y * params->stride_h - params->pad_h;
  const int32_t in_x_origin = out_x * params->stride_w - params->pad_w;
  int32_t acc = 0;
  int32_t ky, kx;
  for (ky = 0; ky < filter_dims->h; ++ky) {
    const int32_t in_y = in_y_origin + ky * params->dilation_h;
    if (in_y < 0 || in_y >= input_dims->h) continue;
    for (kx = 0; kx < filter_dims->w; ++kx) {
      const int32_t in_x = in_x_origin + kx * params->dilation_w;
      int32_t input_value, filter_value;
      if (in_x < 0 || in_x >= input_dims->w) continue;
      input_value = input_image[((int64_t)in_y * input_dims->w + in_x) * input_dims->c + ic];
      filter_value = filter[((int64_t)ky * filter_dims->w + kx) * filter_dims->c + oc];
      acc += filter_value * (input_value + params->input_offset);
    }
  }
  return acc;
}

ts_status ts_depthwise_conv_s8(const ts_depthwise_conv_params *params,
                               const ts_per_channel_quant *quant, const ts_dims *input_dims,
                               const int8_t *input, const ts_dims *filter_dims,
                               const int8_t *filter, const int32_t *bias,
                               const ts_dims *output_dims, int8_t *output) {
  int32_t b, out_y, out_x, ic, m;
  if (!arguments_valid(params, quant, input_dims, input, filter_dims, filter, output_dims, output))
    return TS_ERROR_ARGUMENT;
  for (b = 0; b < input_dims->n; ++b) {
    const int8_t *input_image = input + (int64_t)b * input_dims->h * input_dims->w * input_dims->c;
    int8_t *output_image =
        output + (int64_t)b * output_dims->h * output_dims->w * output_dims->c;
    for (out_y = 0; out_y < output_dims->h; ++out_y) {
      for (out_x = 0; out_x < output_dims->w; ++out_x) {
        int8_t *out_pixel =
            output_image + ((int64_t)out_y * output_dims->w + out_x) * output_dims->c;
        for (ic = 0; ic < input_dims->c; ++ic) {
          for (m = 0; m < params->depth_multiplier; ++m) {
            const int32_t oc = ic * params->depth_multiplier + m;
            int32_t acc = accumulate(params, input_dims, input_image, filter_dims, filter, ic, oc,
                                     out_y, out_x);
            if (bias) acc += bias[oc];
            out_pixel[oc] = ts_requantize_s8(acc, quant->multiplier[oc], quant->shift[oc],
                                             params->output_offset, &params->activation);
          }
        }
      }
    }
  }
  return TS_OK;
}
