#include "sim/kernels/dequantize_s8_f32.h"

#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

void dequantize_s8_f32(const DequantizeParams& params, const Shape4& input_shape,
                       const int8_t* input, const Shape4& output_shape, float* output) {
  constexpr const char* kKernel = "dequantize_s8_f32";
  check_shape_positive(input_shape, kKernel, "input");
  kernel_check(input_shape.elements() == output_shape.elements(), kKernel,
               "input and output element counts differ");
  const int64_t size = output_shape.elements();
  for (int64_t i = 0; i < size; ++i) {
    output[i] = static_cast<float>(params.scale * (int32_t{input[i]} - params.zero_point));
  }
}

}  // namespace tinyskip::sim
