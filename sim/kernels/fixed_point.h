// Integer requantisation arithmetic shared by every int8 kernel. These are the
// "double rounding" helpers that TFLite Micro's reference kernels and CMSIS-NN
// use by default; see ../shared/docs/int8-semantics.md for the definitions.
// Everything here is exact integer (or double, for deriving multipliers) math:
// a kernel is bit-exact only if it goes through these helpers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace tinyskip::sim {

// High 32 bits of 2*a*b, i.e. a*b / 2^31 rounded to nearest, with the single
// overflow case INT32_MIN * INT32_MIN saturating to INT32_MAX. Note the tie
// rule: the nudge-then-truncate formulation rounds ties toward +infinity
// (+0.5 -> 1 but -0.5 -> 0, -1.5 -> -1), i.e. floor(a*b / 2^31 + 1/2), which
// is what ARM's VQRDMULH does. It is NOT ties-away-from-zero.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == std::numeric_limits<int32_t>::min() && b == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = product >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // C++ integer division truncates toward zero, as the reference requires.
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^left (left >= 0) in two's complement int32, wrapping like the
// reference's int32 arithmetic does on the target instead of invoking UB.
inline int32_t shift_left_wrapping(int32_t x, int left) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) << left);
}

// a + b in two's complement int32. The requantised value of an extreme
// accumulator (shifts of 30-31) plus the output offset can pass INT32_MAX;
// TFLM's and CMSIS-NN's plain int32 add wraps there on every target they run
// on, so the simulator wraps too (engine/runtime/ts_fixed_point.h alike).
inline int32_t add_wrapping(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// x * multiplier * 2^shift, the requantisation of an int32 accumulator.
// multiplier is Q0.31 in [2^30, 2^31) (or 0); shift > 0 shifts left first.
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(shift_left_wrapping(x, left), multiplier), right);
}

// Variant for multipliers > 1 (softmax input scaling): left shift only.
inline int32_t multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier,
                                                                 int left_shift) {
  return saturating_rounding_doubling_high_mul(shift_left_wrapping(x, left_shift), multiplier);
}

// A real multiplier split into a Q0.31 fixed-point mantissa and a power-of-two
// exponent, as the reference derives it (frexp, round half away from zero).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};
QuantizedMultiplier quantize_multiplier(double real_multiplier);

// Clamp bounds of a fused activation on an int8 output with the given
// quantisation (NONE: [-128, 127]; RELU: [max(-128, zp), 127]; RELU6 also
// caps at zp + round(6 / scale)).
struct ActivationRange {
  int32_t min = -128;
  int32_t max = 127;
};

// The output stage of conv / depthwise / fully connected: requantise the
// int32 accumulator, add the output zero point, clamp to the activation range.
inline int8_t requantize_to_s8(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                               const ActivationRange& activation) {
  const int32_t value = add_wrapping(multiply_by_quantized_multiplier(acc, multiplier, shift), output_offset);
  return static_cast<int8_t>(std::clamp(value, activation.min, activation.max));
}

}  // namespace tinyskip::sim
