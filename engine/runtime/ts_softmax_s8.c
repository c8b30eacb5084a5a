/* Int8 softmax over the last dimension, fixed point only (TFLM / CMSIS-NN
 * algorithm, bit-identical to sim/kernels/softmax_s8.cc and
 * fixed_point_exp.cc): exp of the scaled differences to the row maximum in
 * gemmlowp Q-formats, a Newton-Raphson reciprocal of their sum, output in
 * units of 1/256 with zero point -128.
 *
 * "Qm" below: a raw int32 with m integer bits and 31 - m fractional bits. */
#include "ts_internal.h"

/* Scaled differences are Q5.26; the sum of up to 2^12 exps is Q12.19. */
#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

/* Published gemmlowp constants, each a real number rounded to its Q-format. */
static const int32_t kExpMinusOneEighthQ0 = 1895147668; /* exp(-1/8) * 2^31 */
static const int32_t kOneThirdQ0 = 715827883;           /* 1/3 * 2^31 */
static const int32_t k48Over17Q2 = 1515870810;          /* 48/17 * 2^29 */
static const int32_t kMinus32Over17Q2 = -1010580540;    /* -32/17 * 2^29 */
/* exp(-2^k) * 2^31 for k = -2 .. 4: the barrel shifter of exp_on_negative_values. */
#define FIRST_EXP_FACTOR_EXPONENT (-2)
static const int32_t kExpOfMinusPowerOfTwoQ0[7] = {1672461947, 1302514674, 790015084, 290630308,
                                                   39332535,   720401,     242};

/* gemmlowp's fixed-point '*': integer bits of the operands add up. */
static int32_t mul(int32_t a, int32_t b) { return ts_saturating_rounding_doubling_high_mul(a, b); }
/* gemmlowp's '+' / '-' are plain int32 arithmetic; in uint32 so they wrap, not UB. */
static int32_t add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

/* x * 2^exponent: saturating left shift, or rounding (half away) right shift. */
static int32_t saturating_rounding_multiply_by_pot(int32_t x, int32_t exponent) {
  int32_t threshold;
  if (exponent == 0) return x;
  if (exponent < 0) return ts_rounding_divide_by_pot(x, -exponent);
  threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return ts_shift_left_wrapping(x, exponent);
}

/* Changes the number of integer bits of a raw value. */
static int32_t rescale(int32_t raw, int32_t from_integer_bits, int32_t to_integer_bits) {
  return saturating_rounding_multiply_by_pot(raw, from_integer_bits - to_integer_bits);
}

/* (a + b) / 2 rounded half away from zero, in 64 bits. */
static int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a Q0 in [-1/4, 0): Taylor series around -1/8 in x = a + 1/8. */
static int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a_q0) {
  const int32_t x = add(a_q0, (int32_t)1 << 28);
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
  /* ((x^4/4 + x^3) / 3 + x^2) / 2 = x^4/24 + x^3/6 + x^2/2 */
  const int32_t higher_terms =
      saturating_rounding_multiply_by_pot(add(mul(add(x4_over_4, x3), kOneThirdQ0), x2), -1);
  return add(kExpMinusOneEighthQ0, mul(kExpMinusOneEighthQ0, add(x, higher_terms)));
}

/* exp(a) for a <= 0 in Q(integer_bits); result Q0 (exp(0) saturates). */
static int32_t exp_on_negative_values(int32_t a_raw, int32_t integer_bits) {
  const int32_t fractional_bits = 31 - integer_bits;
  /* a = r - (sum of powers of two >= 1/4), r in [-1/4, 0); each power of two
   * becomes one exp(-2^k) factor. */
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t mod_quarter_minus_quarter = sub(a_raw & (one_quarter - 1), one_quarter);
  const int32_t remainder = sub(mod_quarter_minus_quarter, a_raw);
  int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(mod_quarter_minus_quarter, integer_bits, 0));
  int32_t i;
  for (i = 0; i < 7; ++i) {
    const int32_t exponent = FIRST_EXP_FACTOR_EXPONENT + i; /* factor exp(-2^exponent) */
    if (integer_bits <= exponent) continue;                 /* not representable */
    if (remainder & ((int32_t)1 << (fractional_bits + exponent)))
      result = mul(result, kExpOfMinusPowerOfTwoQ0[i]);
  }
  if (integer_bits > 5) { /* below -32 exp is 0 in Q0 */
    const int32_t minus_32 = -((int32_t)1 << (fractional_bits + 5));
    if (a_raw < minus_32) result = 0;
  }
  if (a_raw == 0) result = INT32_MAX;
  return result;
}

/* 1 / (1 + a) for a Q0 in [0, 1): Newton-Raphson on d = (1 + a) / 2 in Q2. */
static int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a_q0) {
  const int32_t one_q2 = (int32_t)1 << 29;
  const int32_t half_denominator = rounding_half_sum(a_q0, INT32_MAX);
  int32_t x = add(k48Over17Q2, mul(half_denominator, kMinus32Over17Q2));
  int32_t i;
  for (i = 0; i < 3; ++i) {
    const int32_t one_minus = sub(one_q2, mul(half_denominator, x));
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  return rescale(x, 1, 0); /* 2 / (1 + a) in Q2 read as Q1, then to Q0 */
}

static int32_t count_leading_zeros(uint32_t x) {
  int32_t count = 0;
  while (count < 32 && !(x & 0x80000000u)) {
    x <<= 1;
    ++count;
  }
  return count;
}

/* 1 / x = result * 2^-num_bits_over_unit for x > 0 in Q(x_integer_bits). */
static int32_t reciprocal_with_headroom(int32_t x, int32_t x_integer_bits,
                                        int32_t *num_bits_over_unit) {
  const int32_t headroom_plus_one = count_leading_zeros((uint32_t)x);
  const int32_t shifted_minus_one =
      (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
  *num_bits_over_unit = x_integer_bits - headroom_plus_one;
  return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one);
}

/* exp(beta * input_scale * diff) in Q0 for diff in [diff_min, 0]. */
static int32_t exp_of_difference(const ts_softmax_params *params, int32_t diff) {
  const int32_t scaled_diff = ts_saturating_rounding_doubling_high_mul(
      ts_shift_left_wrapping(diff, params->input_left_shift), params->input_multiplier);
  return exp_on_negative_values(scaled_diff, SCALED_DIFF_INTEGER_BITS);
}

/* Returns 0 if the reciprocal exponent leaves [0, 31] (cannot happen for
 * valid params, checked rather than shifting out of range). */
static int softmax_row(const ts_softmax_params *params, int32_t depth, const int8_t *input,
                       int8_t *output) {
  int32_t row_max = input[0];
  int32_t sum_of_exps = 0; /* Q12 */
  int32_t num_bits_over_unit = 0, reciprocal, exponent, c;
  for (c = 1; c < depth; ++c) {
    if (input[c] > row_max) row_max = input[c];
  }
  for (c = 0; c < depth; ++c) {
    const int32_t diff = input[c] - row_max;
    if (diff < params->diff_min) continue;
    sum_of_exps += ts_rounding_divide_by_pot(exp_of_difference(params, diff),
                                             ACCUMULATION_INTEGER_BITS);
  }
  /* output = exp / sum in 1/256 units = (reciprocal * exp) / 2^(bits + 31 - 8) */
  reciprocal = reciprocal_with_headroom(sum_of_exps, ACCUMULATION_INTEGER_BITS, &num_bits_over_unit);
  exponent = num_bits_over_unit + 31 - 8;
  if (exponent < 0 || exponent > 31) return 0;
  for (c = 0; c < depth; ++c) {
    const int32_t diff = input[c] - row_max;
    int32_t probability_256ths;
    if (diff < params->diff_min) {
      output[c] = -128;
      continue;
    }
    probability_256ths = ts_rounding_divide_by_pot(
        ts_saturating_rounding_doubling_high_mul(reciprocal, exp_of_difference(params, diff)),
        exponent);
    output[c] = (int8_t)ts_clamp_i32(probability_256ths - 128, -128, 127);
  }
  return 1;
}

ts_status ts_softmax_s8(const ts_softmax_params *params, const ts_dims *dims,
                        const int8_t *input, int8_t *output) {
  int64_t rows, row;
  int32_t depth;
  if (params == 0 || input == 0 || output == 0 || !ts_dims_valid(dims)) return TS_ERROR_ARGUMENT;
  if (dims->c > (1 << ACCUMULATION_INTEGER_BITS) || params->input_multiplier < 0 ||
      params->input_left_shift < 0 || params->input_left_shift > 31 || params->diff_min > 0)
    return TS_ERROR_ARGUMENT;
  depth = dims->c;
  rows = ts_dims_elements(dims) / depth;
  for (row = 0; row < rows; ++row) {
    if (!softmax_row(params, depth, input + row * depth, output + row * depth))
      return TS_ERROR_ARGUMENT;
  }
  return TS_OK;
}
