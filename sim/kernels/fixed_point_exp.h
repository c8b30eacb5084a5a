// Fixed-point transcendental helpers used by the int8 softmax: exp(x) for
// x <= 0 and 1 / (1 + x) for x in [0, 1), in the Q-formats of gemmlowp's
// fixedpoint library, which TFLite Micro's reference softmax is built on.
//
// Values are raw int32 fixed-point numbers. "Qm" below means m integer bits
// and 31 - m fractional bits (raw / 2^(31-m)); Q0 covers [-1, 1).
// The algorithms (Taylor polynomial around -1/8 plus a barrel shifter of
// exp(-2^k) factors; Newton-Raphson division with the 48/17, 32/17 starting
// point) and their constants are the published gemmlowp ones; every product
// is a saturating_rounding_doubling_high_mul, every rescale a rounding or
// saturating power-of-two multiply, so the results are bit-exact with TFLM.
#pragma once

#include <cstdint>

namespace tinyskip::sim {

// The fixed-point constants of the algorithms, each the rounding of a real
// number to its Q-format (exposed so tests can check them against <cmath>).
namespace fixed_point_constants {
inline constexpr int32_t kExpMinusOneEighthQ0 = 1895147668;  // exp(-1/8) * 2^31
inline constexpr int32_t kOneThirdQ0 = 715827883;            // 1/3 * 2^31
inline constexpr int32_t k48Over17Q2 = 1515870810;           // 48/17 * 2^29
inline constexpr int32_t kMinus32Over17Q2 = -1010580540;     // -32/17 * 2^29
// exp(-2^k) * 2^31 for k = -2 .. 4 (the barrel shifter of exp_on_negative_values).
inline constexpr int kFirstExpFactorExponent = -2;
inline constexpr int32_t kExpOfMinusPowerOfTwoQ0[7] = {1672461947, 1302514674, 790015084, 290630308,
                                                       39332535,   720401,     242};
}  // namespace fixed_point_constants

// x * 2^exponent: a saturating left shift for exponent > 0, a rounding
// (half away from zero) right shift for exponent < 0. |exponent| <= 31.
int32_t saturating_rounding_multiply_by_pot(int32_t x, int exponent);

// (a + b) / 2 rounded to nearest, ties away from zero, computed in 64 bits.
int32_t rounding_half_sum(int32_t a, int32_t b);

// exp(a) for a Q0 value a in [-1/4, 0); result Q0.
int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a_q0);

// exp(a) for a <= 0 given in Q(integer_bits), integer_bits in [0, 29];
// result Q0 (exp(0) = 1 saturates to INT32_MAX).
int32_t exp_on_negative_values(int32_t a_raw, int integer_bits);

// 1 / (1 + a) for a Q0 value a in [0, 1); result Q0.
int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a_q0);

// Reciprocal of a fixed-point x > 0 (precondition) with x_integer_bits integer bits:
// returns s in Q0 and sets num_bits_over_unit such that
// 1 / x = s * 2^-num_bits_over_unit (TFLM's GetReciprocal).
int32_t reciprocal_with_headroom(int32_t x, int x_integer_bits, int* num_bits_over_unit);

}  // namespace tinyskip::sim
