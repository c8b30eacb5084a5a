/* Int8 max pooling: the maximum of the in-bounds window, clamped to the
 * activation range (input and output share their quantisation). */
#include "ts_pool_window.h"

ts_status ts_max_pool_s8(const ts_pool_params *params, const ts_dims *input_dims,
                         const int8_t *input, const ts_dims *output_dims, int8_t *output) {
  const int32_t channels = input_dims ? input_dims->c : 0;
  int32_t b, out_y, out_x, c, y, x;
  if (!ts_pool_arguments_valid(params, input_dims, input, output_dims, output))
    return TS_ERROR_ARGUMENT;
  for (b = 0; b < input_dims->n; ++b) {
    const int8_t *input_image = input + (int64_t)b * input_dims->h * input_dims->w * channels;
    int8_t *output_image = output + (int64_t)b * output_dims->h * output_dims->w * channels;
    for (out_y = 0; out_y < output_dims->h; ++out_y) {
      for (out_x = 0; out_x < output_dims->w; ++out_x) {
        const ts_pool_window window = ts_pool_window_at(params, input_dims, out_y, out_x);
        int8_t *out_pixel = output_image + ((int64_t)out_y * output_dims->w + out_x) * channels;
        for (c = 0; c < channels; ++c) {
          int32_t max_value = -128;
          for (y = window.y_begin; y < window.y_end; ++y) {
            for (x = window.x_begin; x < window.x_end; ++x) {
              const int32_t value = input_image[((int64_t)y * input_dims->w + x) * channels + c];
              if (value > max_value) max_value = value;
            }
          }
          out_pixel[c] =
              (int8_t)ts_clamp_i32(max_value, params->activation.min, params->activation.max);
        }
      }
    }
  }
  return TS_OK;
}
