// Int8 element-wise addition of two same-shape tensors with independent
// quantisation (TFLM reference_integer_ops::Add, no broadcasting): both inputs
// are widened by 2^left_shift, rescaled to a common scale, summed, and the
// sum requantised to the output scale.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

void add_s8(const AddParams& params, const Shape4& input1_shape, const int8_t* input1,
            const Shape4& input2_shape, const int8_t* input2, const Shape4& output_shape,
            int8_t* output);

}  // namespace tinyskip::sim
