#include "sim/kernels/softmax_s8.h"

#include <algorithm>
#include <string>

#include "sim/kernels/fixed_point.h"
#include "sim/kernels/fixed_point_exp.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

namespace {

// The scaled differences are Q5.26: differences down to -32 (before beta)
// stay representable. The sum of up to 2^12 exp values is accumulated in
// Q12.19.
constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

// exp(beta * input_scale * diff) in Q0 for a difference to the row maximum
// (diff <= 0) that is not below params.diff_min.
int32_t exp_of_difference(const SoftmaxParams& params, int32_t diff) {
  const int32_t scaled_diff = multiply_by_quantized_multiplier_greater_than_one(
      diff, params.input_multiplier, params.input_left_shift);
  return exp_on_negative_values(scaled_diff, kScaledDiffIntegerBits);
}

void softmax_row(const SoftmaxParams& params, int depth, const int8_t* input, int8_t* output) {
  const int32_t row_max = *std::max_element(input, input + depth);

  int32_t sum_of_exps = 0;  // Q12
  for (int c = 0; c < depth; ++c) {
    const int32_t diff = int32_t{input[c]} - row_max;
    if (diff < params.diff_min) continue;
    sum_of_exps += rounding_divide_by_pot(exp_of_difference(params, diff),
                                          kAccumulationIntegerBits);  // Q0 -> Q12
  }

  // 1 / sum = reciprocal * 2^-num_bits_over_unit. The output is
  // exp / sum in units of 1/256, i.e. (reciprocal * exp) / 2^(bits + 31 - 8).
  int num_bits_over_unit = 0;
  const int32_t reciprocal =
      reciprocal_with_headroom(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);
  const int exponent = num_bits_over_unit + 31 - 8;
  kernel_check(exponent >= 0 && exponent <= 31, "softmax_s8",
               "reciprocal exponent " + std::to_string(exponent) + " out of range");

  for (int c = 0; c < depth; ++c) {
    const int32_t diff = int32_t{input[c]} - row_max;
    if (diff < params.diff_min) {
      output[c] = -128;
      continue;
    }
    const int32_t probability_256ths = rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(reciprocal, exp_of_difference(params, diff)), exponent);
    output[c] = static_cast<int8_t>(std::clamp(probability_256ths - 128, -128, 127));
  }
}

}  // namespace

void softmax_s8(const SoftmaxParams& params, const Shape4& input_shape, const int8_t* input,
                const Shape4& output_shape, int8_t* output) {
  constexpr const char* kKernel = "softmax_s8";
  check_shape_positive(input_shape, kKernel, "input");
  kernel_check(input_shape == output_shape, kKernel, "input and output shapes differ");
  kernel_check(input_shape.c <= (1 << kAccumulationIntegerBits), kKernel,
               "rows longer than 4096 would overflow the Q12 sum of exponentials");
  kernel_check(params.input_multiplier >= 0 && params.input_left_shift >= 0 &&
                   params.input_left_shift <= 31 && params.diff_min <= 0,
               kKernel, "softmax parameters out of range");
  const int depth = input_shape.c;
  const int64_t rows = input_shape.elements() / depth;
  for (int64_t row = 0; row < rows; ++row) {
    softmax_row(params, depth, input + row * depth, output + row * depth);
  }
}

}  // namespace tinyskip::sim
