// float32 -> int8 quantisation (TFLM reference_ops::AffineQuantize):
// q = round(x / scale) + zero_point, the division in float, rounding half
// away from zero, clamped to [-128, 127].
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

void quantize_f32_s8(const QuantizeParams& params, const Shape4& input_shape, const float* input,
                     const Shape4& output_shape, int8_t* output);

// One value. NaN maps to the zero point and +-inf / huge values saturate,
// which is what the float->int conversion of a Cortex-M (VCVT) does where the
// C++ reference has undefined behaviour.
int8_t quantize_value_f32_s8(float value, float scale, int32_t zero_point);

}  // namespace tinyskip::sim
