// Int8 average pooling (TFLM reference_integer_ops::AveragePool): the sum of
// the in-bounds window divided by the number of in-bounds taps, rounded half
// away from zero, clamped to the activation range. Input and output share
// their quantisation.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

void avg_pool_s8_nhwc(const PoolParams& params, const Shape4& input_shape, const int8_t* input,
                      const Shape4& output_shape, int8_t* output);

// sum / count rounded half away from zero with integer division, count > 0.
inline int32_t rounded_average(int32_t sum, int32_t count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

}  // namespace tinyskip::sim
