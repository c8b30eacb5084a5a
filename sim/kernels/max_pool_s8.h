// Int8 max pooling (TFLM reference_integer_ops::MaxPool): the maximum of the
// in-bounds window, clamped to the activation range. Input and output share
// their quantisation, so no requantisation happens.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

void max_pool_s8_nhwc(const PoolParams& params, const Shape4& input_shape, const int8_t* input,
                      const Shape4& output_shape, int8_t* output);

}  // namespace tinyskip::sim
