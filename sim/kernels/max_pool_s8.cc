#include "sim/kernels/max_pool_s8.h"

#include <algorithm>

#include "sim/kernels/pool_window.h"

namespace tinyskip::sim {

void max_pool_s8_nhwc(const PoolParams& params, const Shape4& input_shape, const int8_t* input,
                      const Shape4& output_shape, int8_t* output) {
  constexpr const char* kKernel = "max_pool_s8_nhwc";
  check_pool_shapes(params, input_shape, output_shape, kKernel);
  const int channels = input_shape.c;
  for (int b = 0; b < input_shape.n; ++b) {
    const int8_t* input_image = input + b * input_shape.image_elements();
    int8_t* output_image = output + b * output_shape.image_elements();
    for (int out_y = 0; out_y < output_shape.h; ++out_y) {
      for (int out_x = 0; out_x < output_shape.w; ++out_x) {
        const PoolWindow window = pool_window(params, input_shape, out_y, out_x);
        // An empty window (only possible with inconsistent padding) would
        // silently produce -128; the reference treats it as an error too.
        kernel_check(window.count() > 0, kKernel, "a pooling window lies entirely in the padding");
        int8_t* out_pixel = output_image + (int64_t{out_y} * output_shape.w + out_x) * channels;
        // Window positions outside, channels inside: the inner loop runs
        // over contiguous bytes and vectorises.
        std::fill(out_pixel, out_pixel + channels, int8_t{-128});
        for (int y = window.y_begin; y < window.y_end; ++y)
          for (int x = window.x_begin; x < window.x_end; ++x) {
            const int8_t* in_pixel = input_image + (int64_t{y} * input_shape.w + x) * channels;
            for (int c = 0; c < channels; ++c) out_pixel[c] = std::max(out_pixel[c], in_pixel[c]);
          }
        const auto low = static_cast<int8_t>(params.activation.min), high = static_cast<int8_t>(params.activation.max);
        for (int c = 0; c < channels; ++c) out_pixel[c] = std::clamp(out_pixel[c], low, high);
      }
    }
  }
}

}  // namespace tinyskip::sim
