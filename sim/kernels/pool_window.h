// Shared by max_pool_s8 and avg_pool_s8: the clipped input window of one
// pooling output and the up-front shape checks.
#pragma once

#include <algorithm>

#include "sim/kernels/kernel_check.h"
#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// Input rows [y_begin, y_end) and columns [x_begin, x_end) covered by the
// window of output (out_y, out_x); padded positions are clipped away, so they
// neither win a max nor count towards an average.
struct PoolWindow {
  int y_begin, y_end, x_begin, x_end;
  int count() const { return std::max(0, y_end - y_begin) * std::max(0, x_end - x_begin); }
};

inline PoolWindow pool_window(const PoolParams& params, const Shape4& input_shape, int out_y,
                              int out_x) {
  const int in_y_origin = out_y * params.stride_h - params.pad_h;
  const int in_x_origin = out_x * params.stride_w - params.pad_w;
  return {std::max(in_y_origin, 0), std::min(in_y_origin + params.filter_h, input_shape.h),
          std::max(in_x_origin, 0), std::min(in_x_origin + params.filter_w, input_shape.w)};
}

inline void check_pool_shapes(const PoolParams& params, const Shape4& input_shape,
                              const Shape4& output_shape, const char* kernel) {
  check_shape_positive(input_shape, kernel, "input");
  check_shape_positive(output_shape, kernel, "output");
  kernel_check(input_shape.n == output_shape.n && input_shape.c == output_shape.c, kernel,
               "input and output differ in batch or channels");
  kernel_check(params.stride_h > 0 && params.stride_w > 0 && params.filter_h > 0 &&
                   params.filter_w > 0,
               kernel, "strides and window size must be positive");
  kernel_check(params.pad_h >= 0 && params.pad_w >= 0, kernel, "padding must be non-negative");
  check_activation_range(params.activation, kernel);
}

}  // namespace tinyskip::sim
