// int8 -> float32 dequantisation (TFLM reference_ops::Dequantize):
// x = (float)(scale * (q - zero_point)) with the product in double.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

void dequantize_s8_f32(const DequantizeParams& params, const Shape4& input_shape,
                       const int8_t* input, const Shape4& output_shape, float* output);

}  // namespace tinyskip::sim
