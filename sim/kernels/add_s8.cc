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

void check_add_params(const AddParams& params, const char* kernel) {
  kernel_check(params.left_shift >= 0 && params.left_shift <= 24, kernel, "left shift out of range");
  for (const QuantizedMultiplier* m : {&params.input1, &params.input2, &params.output}) {
    // The reference only ever scales down here (QuantizeMultiplierSmallerThanOneExp).
    kernel_check(m->multiplier >= 0 && m->shift <= 0 && m->shift >= -31, kernel,
                 "rescaling multipliers must be smaller than one");
  }
  check_activation_range(params.activation, kernel);
}

void check_add_shapes(const Shape4& input1_shape, const Shape4& input2_shape, const Shape4& output_shape,
                      const char* kernel) {
  check_shape_positive(input1_shape, kernel, "input1");
  kernel_check(input1_shape == input2_shape && input1_shape == output_shape, kernel,
               "inputs and output must have the same shape (broadcasting is not supported)");
}

}  // namespace

void add_s8(const AddParams& params, const Shape4& input1_shape, const int8_t* input1,
            const Shape4& input2_shape, const int8_t* input2, const Shape4& output_shape,
            int8_t* output) {
  constexpr const char* kKernel = "add_s8";
  check_add_shapes(input1_shape, input2_shape, output_shape, kKernel);
  check_add_params(params, kKernel);
  const int64_t size = output_shape.elements();
  for (int64_t i = 0; i < size; ++i) output[i] = add_one(params, input1[i], input2[i]);
}

AddTable make_add_table(const AddParams& params) {
  check_add_params(params, "add_s8");
  AddTable table;
  for (int a = -128; a < 128; ++a)
    for (int b = -128; b < 128; ++b)
      table.result[static_cast<size_t>(static_cast<uint8_t>(a)) << 8 | static_cast<uint8_t>(b)] =
          add_one(params, static_cast<int8_t>(a), static_cast<int8_t>(b));
  return table;
}

void add_s8_table(const AddTable& table, const Shape4& input1_shape, const int8_t* input1,
                  const Shape4& input2_shape, const int8_t* input2, const Shape4& output_shape, int8_t* output) {
  check_add_shapes(input1_shape, input2_shape, output_shape, "add_s8");
  const int64_t size = output_shape.elements();
  for (int64_t i = 0; i < size; ++i)
    output[i] = table.result[static_cast<size_t>(static_cast<uint8_t>(input1[i])) << 8 | static_cast<uint8_t>(input2[i])];
}

}  // namespace tinyskip::sim
