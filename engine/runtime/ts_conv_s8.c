/* Int8 convolution, CMSIS-NN algorithm: the receptive fields of two output
 * pixels are unrolled (im2col) into q15 columns with the input offset already
 * added, then a 2 output channels x 2 pixels matrix multiply produces four
 * accumulators per filter pass. An odd last channel and an odd last pixel are
 * handled by the leftover paths. Padded taps are written as 0, which equals
 * the reference's skipping them because the offset is already applied. */
#include "ts_internal.h"

static int32_t column_length(const ts_dims *filter_dims) {
  return filter_dims->h * filter_dims->w * filter_dims->c;
}

int32_t ts_conv_s8_scratch_size(const ts_dims *filter_dims) {
  return 2 * column_length(filter_dims) * (int32_t)sizeof(int16_t);
}

/* One im2col column: the receptive field of output (out_y, out_x) as q15
 * values input + input_offset, in filter (ky, kx, channel) order. */
static void im2col_pixel(const ts_conv_params *params, const ts_dims *input_dims,
                         const int8_t *input_image, const ts_dims *filter_dims, int32_t out_y,
                         int32_t out_x, int16_t *column) {
  const int32_t in_y_origin = out_y * params->stride_h - params->pad_h;
  const int32_t in_x_origin = out_x * params->stride_w - params->pad_w;
  const int32_t channels = input_dims->c;
  int32_t ky, kx, c;
  for (ky = 0; ky < filter_dims->h; ++ky) {
    const int32_t in_y = in_y_origin + ky * params->dilation_h;
    for (kx = 0; kx < filter_dims->w; ++kx) {
      const int32_t in_x = in_x_origin + kx * params->dilation_w;
      if (in_y < 0 || in_y >= input_dims->h || in_x < 0 || in_x >= input_dims->w) {
        for (c = 0; c < channels; ++c) column[c] = 0;
      } else {
        const int8_t *pixel = input_image + ((int64_t)in_y * input_dims->w + in_x) * channels;
        for (c = 0; c < channels; ++c) column[c] = (int16_t)(pixel[c] + params->input_offset);
      }
      column += channels;
    }
  }
}

static int8_t requantize_channel(const ts_conv_params *params, const ts_per_channel_quant *quant,
                                 int32_t channel, int32_t acc) {
  return ts_requantize_s8(acc, quant->multiplier[channel], quant->shift[channel],
                          params->output_offset, &params->activation);
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#include <string.h>

/* Weights k, k + 1 sign-extended to q15 and packed as one SMLAD operand
 * (element k in the low half), like CMSIS-NN's read-and-pad step. */
static inline int32_t weight_pair(const int8_t *w) {
  return (int32_t)((uint32_t)(uint16_t)(int16_t)w[0] | ((uint32_t)(uint16_t)(int16_t)w[1] << 16));
}

static inline int32_t column_pair(const int16_t *column) {
  int32_t pair;
  memcpy(&pair, column, sizeof pair);
  return pair;
}

/* Two reduction indices per step with the DSP's dual 16-bit multiply-
 * accumulate; an odd length leaves one index for the scalar tail. The sums
 * are the same integers as the scalar loop's (int32 arithmetic wraps alike). */
static int32_t dot_2x2_dsp(const int8_t *w0, const int8_t *w1, const int16_t *column0,
                           const int16_t *column1, int32_t length, int32_t *acc) {
  int32_t k = 0;
  for (; k + 1 < length; k += 2) {
    const int32_t a = weight_pair(w0 + k), b = weight_pair(w1 + k);
    const int32_t x0 = column_pair(column0 + k), x1 = column_pair(column1 + k);
    acc[0] = __smlad(a, x0, acc[0]);
    acc[1] = __smlad(a, x1, acc[1]);
    acc[2] = __smlad(b, x0, acc[2]);
    acc[3] = __smlad(b, x1, acc[3]);
  }
  return k;
}
#endif

/* The 2x2 kernel: output channels oc, oc + 1 for pixels column0, column1. */
static void mat_mult_2x2(const ts_conv_params *params, const ts_per_channel_quant *quant,
                         const int8_t *filter, const int32_t *bias, int32_t out_channels,
                         int32_t length, const int16_t *column0, const int16_t *column1,
                         int8_t *out0, int8_t *out1) {
  int32_t oc = 0;
  for (; oc + 1 < out_channels; oc += 2) {
    const int8_t *w0 = filter + (int64_t)oc * length;
    const int8_t *w1 = w0 + length;
    int32_t acc00 = bias ? bias[oc] : 0, acc01 = acc00; /* channel oc, pixels 0 / 1 */
    int32_t acc10 = bias ? bias[oc + 1] : 0, acc11 = acc10;
    int32_t k = 0;
#if defined(__ARM_FEATURE_DSP)
    {
      int32_t acc[4];
      acc[0] = acc00, acc[1] = acc01, acc[2] = acc10, acc[3] = acc11;
      k = dot_2x2_dsp(w0, w1, column0, column1, length, acc);
      acc00 = acc[0], acc01 = acc[1], acc10 = acc[2], acc11 = acc[3];
    }
#endif
    for (; k < length; ++k) {
      const int32_t a0 = column0[k], a1 = column1[k];
      acc00 += w0[k] * a0;
      acc01 += w0[k] * a1;
      acc10 += w1[k] * a0;
      acc11 += w1[k] * a1;
    }
    out0[oc] = requantize_channel(params, quant, oc, acc00);
    out1[oc] = requantize_channel(params, quant, oc, acc01);
    out0[oc + 1] = requantize_channel(params, quant, oc + 1, acc10);
    out1[oc + 1] = requantize_channel(params, quant, oc + 1, acc11);
  }
  if (oc < out_channels) { /* leftover channel */
    const int8_t *w0 = filter + (int64_t)oc * length;
    int32_t acc0 = bias ? bias[oc] : 0, acc1 = acc0;
    int32_t k;
    for (k = 0; k < length; ++k) {
      acc0 += w0[k] * column0[k];
      acc1 += w0[k] * column1[k];
    }
    out0[oc] = requantize_channel(params, quant, oc, acc0);
    out1[oc] = requantize_channel(params, quant, oc, acc1);
  }
}

/* Leftover pixel: one column against every output channel. */
static void mat_mult_1(const ts_conv_params *params, const ts_per_channel_quant *quant,
                       const int8_t *filter, const int32_t *bias, int32_t out_channels,
                       int32_t length, const int16_t *column, int8_t *out) {
  int32_t oc, k;
  for (oc = 0; oc < out_channels; ++oc) {
    const int8_t *w = filter + (int64_t)oc * length;
    int32_t acc = bias ? bias[oc] : 0;
    for (k = 0; k < length; ++k) acc += w[k] * column[k];
    out[oc] = requantize_channel(params, quant, oc, acc);
  }
}

static int arguments_valid(const ts_conv_params *params, const ts_per_channel_quant *quant,
                           const ts_dims *input_dims, const int8_t *input,
                           const ts_dims *filter_dims, const int8_t *filter,
                           const ts_dims *output_dims, const int8_t *output,
                           const ts_context *context) {
  if (params == 0 || input == 0 || filter == 0 || output == 0 || context == 0) return 0;
  if (!ts_dims_valid(input_dims) || !ts_dims_valid(filter_dims) || !ts_dims_valid(output_dims))
    return 0;
  if (filter_dims->c != input_dims->c || filter_dims->n != output_dims->c ||
      input_dims->n != output_dims->n)
    return 0;
  if (params->stride_h <= 0 || params->stride_w <= 0 || params->dilation_h <= 0 ||
      params->dilation_w <= 0 || params->pad_h < 0 || params->pad_w < 0)
    return 0;
  if (!ts_activation_valid(&params->activation)) return 0;
  if (!ts_per_channel_quant_valid(quant, output_dims->c)) return 0;
  return context->buf != 0 && context->size >= ts_conv_s8_scratch_size(filter_dims);
}

ts_status ts_conv_s8(const ts_conv_params *params, const ts_per_channel_quant *quant,
                     const ts_dims *input_dims, const int8_t *input, const ts_dims *filter_dims,
                     const int8_t *filter, const int32_t *bias, const ts_dims *output_dims,
                     int8_t *output, const ts_context *context) {
  int16_t *columns;
  int32_t length, out_channels, pixels, b;
  if (!arguments_valid(params, quant, input_dims, input, filter_dims, filter, output_dims, output,
                       context))
    return TS_ERROR_ARGUMENT;
  columns = (int16_t *)context->buf;
  length = column_length(filter_dims);
  out_channels = output_dims->c;
  pixels = output_dims->h * output_dims->w;
  for (b = 0; b < input_dims->n; ++b) {
    const int8_t *input_image = input + (int64_t)b * input_dims->h * input_dims->w * input_dims->c;
    int8_t *output_image = output + (int64_t)b * pixels * out_channels;
    int32_t pixel;
    for (pixel = 0; pixel < pixels; ++pixel) {
      /* Even pixels fill column 0; odd pixels fill column 1 and run the 2x2. */
      int16_t *column = columns + (pixel & 1) * length;
      im2col_pixel(params, input_dims, input_image, filter_dims, pixel / output_dims->w,
                   pixel % output_dims->w, column);
      if (pixel & 1) {
        int8_t *out0 = output_image + (int64_t)(pixel - 1) * out_channels;
        mat_mult_2x2(params, quant, filter, bias, out_channels, length, columns, columns + length,
                     out0, out0 + out_channels);
      }
    }
    if (pixels & 1) {
      mat_mult_1(params, quant, filter, bias, out_channels, length, columns,
                 output_image + (int64_t)(pixels - 1) * out_channels);
    }
  }
  return TS_OK;
}
