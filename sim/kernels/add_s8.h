// Int8 element-wise addition of two same-shape tensors with independent
// quantisation (TFLM reference_integer_ops::Add, no broadcasting): both inputs
// are widened by 2^left_shift, rescaled to a common scale, summed, and the
// sum requantised to the output scale.
#pragma once

#include <array>
#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

void add_s8(const AddParams& params, const Shape4& input1_shape, const int8_t* input1,
            const Shape4& input2_shape, const int8_t* input2, const Shape4& output_shape,
            int8_t* output);

// The same addition as a table: the output depends on the two int8 inputs
// alone, so all 256 x 256 results are computed once (with add_s8's
// arithmetic) and each element becomes one lookup. The simulator builds one
// per ADD op when it prepares a network.
struct AddTable {
  std::array<int8_t, 256 * 256> result;  // [uint8(input1) << 8 | uint8(input2)]
};

// Checks the parameters as add_s8 does (KernelError).
AddTable make_add_table(const AddParams& params);

void add_s8_table(const AddTable& table, const Shape4& input1_shape, const int8_t* input1,
                  const Shape4& input2_shape, const int8_t* input2, const Shape4& output_shape, int8_t* output);

}  // namespace tinyskip::sim
