/* Requantisation arithmetic ("double rounding", the TFLM / CMSIS-NN default),
 * bit-identical to sim/kernels/fixed_point.h; see
 * ../shared/docs/int8-semantics.md for the definitions. */
#include "ts_internal.h"

int32_t ts_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  int64_t product;
  int64_t nudge;
  /* The single overflowing case: (-1) * (-1) in Q0.31 would be +1. */
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  product = (int64_t)a * (int64_t)b;
  nudge = product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 integer division truncates toward zero, as the reference requires. */
  return (int32_t)((product + nudge) / ((int64_t)1 << 31));
}

int32_t ts_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  /* Arithmetic right shift of a negative value: implementation-defined in
   * C99, arithmetic on every compiler we target (gcc, clang, arm-none-eabi). */
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t ts_shift_left_wrapping(int32_t x, int32_t left) {
  /* In uint32 so an overflow wraps like the target's int32 instead of UB. */
  return (int32_t)((uint32_t)x << left);
}

int32_t ts_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return ts_rounding_divide_by_pot(
      ts_saturating_rounding_doubling_high_mul(ts_shift_left_wrapping(x, left), multiplier), right);
}

int32_t ts_clamp_i32(int32_t value, int32_t lo, int32_t hi) {
  if (value < lo) return lo;
  if (value > hi) return hi;
  return value;
}

int8_t ts_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                        const ts_activation *activation) {
  const int32_t value = ts_multiply_by_quantized_multiplier(acc, multiplier, shift) + output_offset;
  return (int8_t)ts_clamp_i32(value, activation->min, activation->max);
}

int ts_dims_valid(const ts_dims *dims) {
  return dims != 0 && dims->n > 0 && dims->h > 0 && dims->w > 0 && dims->c > 0;
}

int64_t ts_dims_elements(const ts_dims *dims) {
  return (int64_t)dims->n * dims->h * dims->w * dims->c;
}

int ts_activation_valid(const ts_activation *activation) {
  return activation->min >= -128 && activation->max <= 127 && activation->min <= activation->max;
}

int ts_per_channel_quant_valid(const ts_per_channel_quant *quant, int32_t channels) {
  int32_t c;
  if (quant == 0 || quant->multiplier == 0 || quant->shift == 0) return 0;
  for (c = 0; c < channels; ++c) {
    if (quant->multiplier[c] < 0 || quant->shift[c] < -31 || quant->shift[c] > 31) return 0;
  }
  return 1;
}
