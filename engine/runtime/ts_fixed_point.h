/* Requantisation arithmetic ("double rounding", the TFLM / CMSIS-NN default),
 * bit-identical to sim/kernels/fixed_point.h; see
 * ../shared/docs/int8-semantics.md for the definitions. Static inline so that
 * the runtime kernels and the generated unpacked kernels share one copy of
 * the arithmetic and the compiler can fold the constant multipliers of an
 * unpacked layer. Included by tinyskip_runtime.h. */
#ifndef TINYSKIP_FIXED_POINT_H
#define TINYSKIP_FIXED_POINT_H

#include <stdint.h>

/* Clamp range of the fused activation on the int8 output. */
typedef struct {
  int32_t min, max;
} ts_activation;

/* High 32 bits of 2*a*b, rounded (ties toward +infinity); the single
 * overflowing case, (-1) * (-1) in Q0.31, saturates. */
static inline int32_t ts_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  int64_t product;
  int64_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  product = (int64_t)a * (int64_t)b;
  nudge = product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 integer division truncates toward zero, as the reference requires. */
  return (int32_t)((product + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t ts_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  /* Arithmetic right shift of a negative value: implementation-defined in
   * C99, arithmetic on every compiler we target (gcc, clang, arm-none-eabi). */
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* In uint32 so an overflow wraps like the target's int32 instead of UB. */
static inline int32_t ts_shift_left_wrapping(int32_t x, int32_t left) {
  return (int32_t)((uint32_t)x << left);
}

/* a + b wrapping like the target's int32 add: the requantised value of an
 * extreme accumulator (shifts of 30-31) plus the output offset can pass
 * INT32_MAX, which TFLM's and CMSIS-NN's plain int32 add wraps on every
 * target they run on; in uint32 the same bytes without UB. */
static inline int32_t ts_add_wrapping(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

static inline int32_t ts_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return ts_rounding_divide_by_pot(
      ts_saturating_rounding_doubling_high_mul(ts_shift_left_wrapping(x, left), multiplier), right);
}

static inline int32_t ts_clamp_i32(int32_t value, int32_t lo, int32_t hi) {
  if (value < lo) return lo;
  if (value > hi) return hi;
  return value;
}

/* acc * multiplier * 2^shift, then the output zero point and the clamp. */
static inline int8_t ts_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift,
                                      int32_t output_offset, const ts_activation *activation) {
  const int32_t value = ts_add_wrapping(ts_multiply_by_quantized_multiplier(acc, multiplier, shift), output_offset);
  return (int8_t)ts_clamp_i32(value, activation->min, activation->max);
}

#endif /* TINYSKIP_FIXED_POINT_H */
