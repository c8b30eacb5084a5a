// Int8 softmax over the last dimension (TFLM reference_ops::Softmax, int8 in,
// int8 out): fixed-point exp of the scaled differences to the row maximum,
// a fixed-point reciprocal of their sum, output in units of 1/256 with zero
// point -128. No floating point is involved at run time.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// Rows are the input split along c: every (n, h, w) position is one row of
// input_shape.c values. input_shape == output_shape.
void softmax_s8(const SoftmaxParams& params, const Shape4& input_shape, const int8_t* input,
                const Shape4& output_shape, int8_t* output);

}  // namespace tinyskip::sim
