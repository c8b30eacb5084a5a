/* Shared by ts_max_pool_s8.c and ts_avg_pool_s8.c: argument checks and the
 * clipped input window of one pooling output (padded positions are clipped
 * away, so they neither win a max nor count towards an average). */
#ifndef TINYSKIP_RUNTIME_POOL_WINDOW_H
#define TINYSKIP_RUNTIME_POOL_WINDOW_H

#include "ts_internal.h"

typedef struct {
  int32_t y_begin, y_end, x_begin, x_end;
} ts_pool_window;

static inline ts_pool_window ts_pool_window_at(const ts_pool_params *params,
                                               const ts_dims *input_dims, int32_t out_y,
                                               int32_t out_x) {
  const int32_t in_y = out_y * params->stride_h - params->pad_h;
  const int32_t in_x = out_x * params->stride_w - params->pad_w;
  ts_pool_window window;
  window.y_begin = in_y > 0 ? in_y : 0;
  window.y_end = in_y + params->filter_h < input_dims->h ? in_y + params->filter_h : input_dims->h;
  window.x_begin = in_x > 0 ? in_x : 0;
  window.x_end = in_x + params->filter_w < input_dims->w ? in_x + params->filter_w : input_dims->w;
  return window;
}

static inline int32_t ts_pool_window_count(const ts_pool_window *window) {
  const int32_t rows = window->y_end - window->y_begin;
  const int32_t cols = window->x_end - window->x_begin;
  return rows > 0 && cols > 0 ? rows * cols : 0;
}

/* Shapes and parameters consistent, and no window lies entirely in the
 * padding (it would have no value to pool). */
static inline int ts_pool_arguments_valid(const ts_pool_params *params, const ts_dims *input_dims,
                                          const int8_t *input, const ts_dims *output_dims,
                                          const int8_t *output) {
  int32_t out_y, out_x;
  if (params == 0 || input == 0 || output == 0) return 0;
  if (!ts_dims_valid(input_dims) || !ts_dims_valid(output_dims)) return 0;
  if (input_dims->n != output_dims->n || input_dims->c != output_dims->c) return 0;
  if (params->stride_h <= 0 || params->stride_w <= 0 || params->filter_h <= 0 ||
      params->filter_w <= 0 || params->pad_h < 0 || params->pad_w < 0)
    return 0;
  if (!ts_activation_valid(&params->activation)) return 0;
  for (out_y = 0; out_y < output_dims->h; ++out_y) {
    for (out_x = 0; out_x < output_dims->w; ++out_x) {
      const ts_pool_window window = ts_pool_window_at(params, input_dims, out_y, out_x);
      if (ts_pool_window_count(&window) == 0) return 0;
    }
  }
  return 1;
}

#endif /* TINYSKIP_RUNTIME_POOL_WINDOW_H */
