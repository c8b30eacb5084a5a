#include "sim/kernels/add_s8.h"

#include <algorithm>

#include "sim/kernels/fixed_point.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

namespace {

// One input value on the common scale: (q - zero point) * 2^left_shift * multiplier.
int32_t rescale_input(int8_t value, int32_t offset, int left_shift,
                      const QuantizedMultiplier& multiplier) {
  const int32_t widened = shift_left_wrapping(int32_t{value} + offset, left_shift);
  return multiply_by_quantized_multiplier(widened, multiplier.multiplier, multiplier.shift);
}

int8_t add_one(const AddParams& params, int8_t a, int8_t b) {
  const int32_t sum = rescale_input(a, params.input1_offset, params.left_shift, params.input1) +
                      rescale_input(b, params.input2_offset, params.left_shift, params.input2);
  const int32_t result =
      multiply_by_quantized_multiplier(sum, params.output.multiplier, params.output.shift) +
      params.output_offset;
  return static_cast<int8_t>(std::clamp(result, params.activation.min, params.activation.max));
}

}  // namespace

void add_s8(const AddParams& params, const Shape4& input1_shape, const int8_t* input1,
            const Shape4& input2_shape, const int8_t* input2, const Shape4& output_shape,
            int8_t* output) {
  constexpr const char* kKernel = "add_s8";
  check_shape_positive(input1_shape, kKernel, "input1");
  kernel_check(input1_shape == input2_shape && input1_shape == output_shape, kKernel,
               "inputs and output must have the same shape (broadcasting is not supported)");
  kernel_check(params.left_shift >= 0 && params.left_shift <= 24, kKernel, "left shift out of range");
  for (const QuantizedMultiplier* m : {&params.input1, &params.input2, &params.output}) {
    // The reference only ever scales down here (QuantizeMultiplierSmallerThanOneExp).
    kernel_check(m->multiplier >= 0 && m->shift <= 0 && m->shift >= -31, kKernel,
                 "rescaling multipliers must be smaller than one");
  }
  check_activation_range(params.activation, kKernel);
  const int64_t size = output_shape.elements();
  for (int64_t i = 0; i < size; ++i) output[i] = add_one(params, input1[i], input2[i]);
}

}  // namespace tinyskip::sim
