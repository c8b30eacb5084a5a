#include "sim/kernels/fixed_point_exp.h"

#include <bit>
#include <limits>

#include "sim/kernels/fixed_point.h"

namespace tinyskip::sim {

namespace {

using namespace fixed_point_constants;

constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();

// gemmlowp's fixed-point '*': the integer bits of the operands add up.
int32_t mul(int32_t a, int32_t b) { return saturating_rounding_doubling_high_mul(a, b); }

// gemmlowp's fixed-point '+' and '-' are plain (non-saturating) int32
// arithmetic; done in uint32 so a would-be overflow wraps instead of being UB.
int32_t add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
int32_t sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// Changes the number of integer bits of a raw value from 'from' to 'to'.
int32_t rescale(int32_t raw, int from_integer_bits, int to_integer_bits) {
  return saturating_rounding_multiply_by_pot(raw, from_integer_bits - to_integer_bits);
}

}  // namespace

int32_t saturating_rounding_multiply_by_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  // Values whose shifted magnitude would not fit saturate.
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return kInt32Max;
  if (x < -threshold) return kInt32Min;
  return shift_left_wrapping(x, exponent);
}

int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = int64_t{a} + int64_t{b};
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a_q0) {
  constexpr int32_t kOneEighth = int32_t{1} << 28;  // 1/8 in Q0
  // Taylor expansion of exp around -1/8 in x = a + 1/8:
  // exp(a) = exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24).
  const int32_t x = add(a_q0, kOneEighth);
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
  // ((x^4/4 + x^3) / 3 + x^2) / 2 = x^4/24 + x^3/6 + x^2/2
  const int32_t higher_terms =
      saturating_rounding_multiply_by_pot(add(mul(add(x4_over_4, x3), kOneThirdQ0), x2), -1);
  return add(kExpMinusOneEighthQ0, mul(kExpMinusOneEighthQ0, add(x, higher_terms)));
}

int32_t exp_on_negative_values(int32_t a_raw, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  // Split a = r + (-n/4 ... ) : r = (a mod 1/4) - 1/4 lies in [-1/4, 0), and
  // the remaining a - r = -(sum of powers of two >= 1/4) is applied as a
  // product of exp(-2^k) factors, one per set bit.
  const int32_t one_quarter = int32_t{1} << (fractional_bits - 2);
  const int32_t mod_quarter_minus_quarter = sub(a_raw & (one_quarter - 1), one_quarter);
  int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(mod_quarter_minus_quarter, integer_bits, 0));
  const int32_t remainder = sub(mod_quarter_minus_quarter, a_raw);
  for (int i = 0; i < 7; ++i) {
    const int exponent = kFirstExpFactorExponent + i;  // this factor is exp(-2^exponent)
    if (integer_bits <= exponent) continue;             // 2^exponent not representable
    if (remainder & (int32_t{1} << (fractional_bits + exponent)))
      result = mul(result, kExpOfMinusPowerOfTwoQ0[i]);
  }
  // Beyond what the barrel shifter covers (a < -32) exp is 0 in Q0.
  if (integer_bits > 5) {
    const int32_t minus_32 = -(int32_t{1} << (fractional_bits + 5));
    if (a_raw < minus_32) result = 0;
  }
  if (a_raw == 0) result = kInt32Max;  // exp(0) = 1, the largest Q0 value
  return result;
}

int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a_q0) {
  // Newton-Raphson division for d = (1 + a) / 2 in [1/2, 1), in Q2.
  constexpr int32_t kOneQ2 = int32_t{1} << 29;
  const int32_t half_denominator = rounding_half_sum(a_q0, kInt32Max);  // Q0
  int32_t x = add(k48Over17Q2, mul(half_denominator, kMinus32Over17Q2));   // Q2
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = mul(half_denominator, x);  // Q2
    const int32_t one_minus = sub(kOneQ2, half_denominator_times_x);    // Q2
    x = add(x, rescale(mul(x, one_minus), 4, 2));                       // Q4 -> Q2
  }
  // x ~ 1 / d = 2 / (1 + a); halve exactly (Q2 -> Q1 reinterpretation), then
  // rescale Q1 -> Q0.
  return rescale(x, 1, 0);
}

int32_t reciprocal_with_headroom(int32_t x, int x_integer_bits, int* num_bits_over_unit) {
  const int headroom_plus_one = std::countl_zero(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_bits - headroom_plus_one;
  // Normalise x to [1, 2) and subtract one: the shifted value, read as Q0,
  // is (x * 2^-num_bits_over_unit) - 1.
  const int32_t shifted_minus_one =
      static_cast<int32_t>((static_cast<uint32_t>(x) << headroom_plus_one) - (uint32_t{1} << 31));
  return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one);
}

}  // namespace tinyskip::sim
