#include "sim/kernels/quantize_f32_s8.h"

#include <algorithm>
#include <cmath>

#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

int8_t quantize_value_f32_s8(float value, float scale, int32_t zero_point) {
  const float rounded = std::round(value / scale);  // float division, half away from zero
  int64_t q = 0;  // NaN -> 0, like VCVT
  if (rounded >= 2147483648.0f) {
    q = 2147483647;
  } else if (rounded < -2147483648.0f) {
    q = -2147483648LL;
  } else if (!std::isnan(rounded)) {
    q = static_cast<int64_t>(rounded);
  }
  return static_cast<int8_t>(std::clamp<int64_t>(q + zero_point, -128, 127));
}

void quantize_f32_s8(const QuantizeParams& params, const Shape4& input_shape, const float* input,
                     const Shape4& output_shape, int8_t* output) {
  constexpr const char* kKernel = "quantize_f32_s8";
  check_shape_positive(input_shape, kKernel, "input");
  kernel_check(input_shape.elements() == output_shape.elements(), kKernel,
               "input and output element counts differ");
  kernel_check(params.scale > 0.0f && std::isfinite(params.scale), kKernel,
               "scale must be positive and finite");
  const int64_t size = output_shape.elements();
  for (int64_t i = 0; i < size; ++i) {
    output[i] = quantize_value_f32_s8(input[i], params.scale, params.zero_point);
  }
}

}  // namespace tinyskip::sim
