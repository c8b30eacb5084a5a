// Golden tests of the int8 arithmetic and kernels with small hand-worked
// numbers. Every expected value has its derivation written above it; the
// notation: SRDHM(a, b) = a*b/2^31 rounded (ties toward +inf), RDBPOT(x, e) =
// x/2^e rounded (ties away from zero), QM(r) = quantize_multiplier(r).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/kernels/fixed_point.h"
#include "sim/kernels/fixed_point_exp.h"
#include "sim/kernels/kernel_check.h"
#include "tests/sim/kernel_test_graphs.h"

namespace {

using namespace tinyskip;
using sim::quantize_multiplier;
using sim::rounding_divide_by_pot;
using sim::saturating_rounding_doubling_high_mul;

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kHalf = int32_t{1} << 30;  // 0.5 in Q0

}  // namespace

TEST_CASE("saturating_rounding_doubling_high_mul: exact, ties, saturation") {
  // 2^30 * 2^30 / 2^31 = 2^29 exactly.
  CHECK(saturating_rounding_doubling_high_mul(kHalf, kHalf) == (1 << 29));
  // -1 * -1 in Q0 is +1, not representable: the one overflow case saturates.
  CHECK(saturating_rounding_doubling_high_mul(kMin, kMin) == kMax);
  // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly, no rounding.
  CHECK(saturating_rounding_doubling_high_mul(kMin, kMax) == -kMax);
  // 1 * 2^30 / 2^31 = +0.5: tie, rounds up to 1.
  CHECK(saturating_rounding_doubling_high_mul(1, kHalf) == 1);
  // -1 * 2^30 / 2^31 = -0.5: tie, rounds toward +inf to 0 (not away from zero).
  CHECK(saturating_rounding_doubling_high_mul(-1, kHalf) == 0);
  // -3 * 2^30 / 2^31 = -1.5: tie, rounds up to -1.
  CHECK(saturating_rounding_doubling_high_mul(-3, kHalf) == -1);
  // -3 * (2^30 + 1) / 2^31 = -1.5 - 3/2^31: just below the tie, rounds to -2.
  CHECK(saturating_rounding_doubling_high_mul(-3, kHalf + 1) == -2);
  // 5 * 2^30 / 2^31 = 2.5: tie, rounds up to 3.
  CHECK(saturating_rounding_doubling_high_mul(5, kHalf) == 3);
}

TEST_CASE("rounding_divide_by_pot rounds half away from zero") {
  CHECK(rounding_divide_by_pot(5, 1) == 3);     // 2.5 -> 3
  CHECK(rounding_divide_by_pot(-5, 1) == -3);   // -2.5 -> -3
  CHECK(rounding_divide_by_pot(7, 2) == 2);     // 1.75 -> 2
  CHECK(rounding_divide_by_pot(-6, 2) == -2);   // -1.5 -> -2
  CHECK(rounding_divide_by_pot(-5, 2) == -1);   // -1.25 -> -1
  CHECK(rounding_divide_by_pot(6, 2) == 2);     // 1.5 -> 2
  CHECK(rounding_divide_by_pot(-7, 0) == -7);   // exponent 0 is the identity
  CHECK(rounding_divide_by_pot(kMin, 31) == -1);  // -2^31 / 2^31 = -1 exactly
  CHECK(rounding_divide_by_pot(kMax, 31) == 1);   // (2^31 - 1) / 2^31 = 0.99999... -> 1
  CHECK(rounding_divide_by_pot(kHalf - 1, 31) == 0);  // 0.49999... -> 0
}

TEST_CASE("multiply_by_quantized_multiplier rounds twice (TFLM default)") {
  // x = 1, M = 2^30 (0.5), shift -1: SRDHM(1, 2^30) = 0.5 -> 1; RDBPOT(1, 1)
  // = 0.5 -> 1. The exact product 0.25 would round to 0 with single rounding.
  CHECK(sim::multiply_by_quantized_multiplier(1, kHalf, -1) == 1);
  // x = -1: SRDHM = -0.5 -> 0 (tie toward +inf); RDBPOT(0, 1) = 0.
  CHECK(sim::multiply_by_quantized_multiplier(-1, kHalf, -1) == 0);
  // x = -3: SRDHM = -1.5 -> -1; RDBPOT(-1, 1) = -0.5 -> -1 (away from zero).
  CHECK(sim::multiply_by_quantized_multiplier(-3, kHalf, -1) == -1);
  // shift +2 shifts left first: 100 * 4 = 400; SRDHM(400, 2^30) = 200.
  CHECK(sim::multiply_by_quantized_multiplier(100, kHalf, 2) == 200);
  // 2^29 << 3 = 2^32 wraps to 0 in int32 (as on the MCU), and 0 * M = 0.
  CHECK(sim::multiply_by_quantized_multiplier(1 << 29, kHalf, 3) == 0);
  // Greater-than-one variant (softmax): -3 << 27 = -402653184; SRDHM with 2^30 halves it.
  CHECK(sim::multiply_by_quantized_multiplier_greater_than_one(-3, kHalf, 27) == -201326592);
}

TEST_CASE("quantize_multiplier: frexp mantissa rounded to Q0.31") {
  const auto qm = [](double real) {
    const sim::QuantizedMultiplier m = quantize_multiplier(real);
    return std::pair<int32_t, int>{m.multiplier, m.shift};
  };
  // 0 -> (0, 0).
  CHECK(qm(0.0) == std::pair<int32_t, int>{0, 0});
  // 0.5 = 0.5 * 2^0 -> (0.5 * 2^31, 0).
  CHECK(qm(0.5) == std::pair<int32_t, int>{kHalf, 0});
  // 1.0 = 0.5 * 2^1 -> (2^30, 1).
  CHECK(qm(1.0) == std::pair<int32_t, int>{kHalf, 1});
  // 3.0 = 0.75 * 2^2 -> (0.75 * 2^31 = 1610612736, 2).
  CHECK(qm(3.0) == std::pair<int32_t, int>{1610612736, 2});
  // 0.5 + 2^-32: mantissa * 2^31 = 2^30 + 0.5, a tie, rounds away -> 2^30 + 1.
  CHECK(qm(0.5 + std::ldexp(1.0, -32)) == std::pair<int32_t, int>{kHalf + 1, 0});
  // 1 - 2^-40 = (1 - 2^-40) * 2^0: mantissa * 2^31 = 2^31 - 2^-9 rounds to
  // 2^31, which does not fit: halve to 2^30 and bump the exponent to 1.
  CHECK(qm(1.0 - std::ldexp(1.0, -40)) == std::pair<int32_t, int>{kHalf, 1});
  // 2^-31 = 0.5 * 2^-30 and 2^-32 = 0.5 * 2^-31 are still representable ...
  CHECK(qm(std::ldexp(1.0, -31)) == std::pair<int32_t, int>{kHalf, -30});
  CHECK(qm(std::ldexp(1.0, -32)) == std::pair<int32_t, int>{kHalf, -31});
  // ... 2^-33 = 0.5 * 2^-32 has exponent < -31: flushed to (0, 0).
  CHECK(qm(std::ldexp(1.0, -33)) == std::pair<int32_t, int>{0, 0});
  // Just below 2^-32: 0.99999 * 2^-32 -> exponent -32 -> flushed as well.
  CHECK(qm(std::ldexp(0.99, -32)) == std::pair<int32_t, int>{0, 0});
}

TEST_CASE("gemmlowp fixed-point helpers") {
  using sim::saturating_rounding_multiply_by_pot;
  CHECK(saturating_rounding_multiply_by_pot(1 << 28, 2) == (1 << 30));  // exact
  CHECK(saturating_rounding_multiply_by_pot(1 << 29, 2) == kMax);       // 2^31 saturates
  CHECK(saturating_rounding_multiply_by_pot(-(1 << 29) - 1, 2) == kMin);
  CHECK(saturating_rounding_multiply_by_pot(5, -1) == 3);  // 2.5 -> 3
  CHECK(sim::rounding_half_sum(1, 2) == 2);                // 1.5 -> 2
  CHECK(sim::rounding_half_sum(-1, -2) == -2);             // -1.5 -> -2
  CHECK(sim::rounding_half_sum(kMax, kMax) == kMax);       // no overflow in 64 bits

  // exp(0) = 1 saturates to the largest Q0 value.
  CHECK(sim::exp_on_negative_values(0, 5) == kMax);
  // exp(-1/4), a = -1/4 in Q5 = -2^24: a mod 1/4 = 0, so r = -1/4 and no
  // barrel-shifter factor applies. On the interval: x = r + 1/8 = -2^28,
  // x^2 = SRDHM(-2^28, -2^28) = 2^25, x^3 = -2^22, x^4 = 2^19, x^4/4 = 2^17;
  // SRDHM(2^17 - 2^22, 715827883) = round(-4063232 / 3.0000000) = -1354411;
  // + x^2 = 32200021; RDBPOT(., 1) = 16100010.5 -> 16100011; x + that =
  // -252335445; SRDHM(1895147668, -252335445) = -222685249;
  // 1895147668 - 222685249 = 1672462419  (exp(-1/4) * 2^31 = 1672461946.7).
  CHECK(sim::exp_on_interval_between_negative_one_quarter_and_0_excl(-(1 << 29)) == 1672462419);
  CHECK(sim::exp_on_negative_values(-(1 << 24), 5) == 1672462419);
  // exp(-1), a = -2^26 in Q5: r = -1/4 again (1672462419), and a - r = -3/4
  // sets the 1/4 and 1/2 bits: SRDHM(1672462419, 1672461947) = 1302514901,
  // SRDHM(1302514901, 1302514674) = 790015308 (exp(-1) * 2^31 = 790015084.4).
  CHECK(sim::exp_on_negative_values(-(1 << 26), 5) == 790015308);

  // 1/(1+0): d = RoundingHalfSum(0, 2^31 - 1) = 2^30 (0.5 in Q0); x0 =
  // 48/17 - 32/17 * d = 1515870810 - 505290270 = 1010580540 (Q2); Newton
  // steps 1070026456, 1073728968, 1073741824 = 2.0 in Q2; 2.0 / 2 = 1.0 in Q1,
  // which saturates to 2^31 - 1 in Q0.
  CHECK(sim::one_over_one_plus_x_for_x_in_0_1(0) == kMax);
  // 1/(1 + 1/4) = 0.8: Newton ends at 858993457 (Q2) -> << 1 = 1717986914
  // (0.8 * 2^31 = 1717986918.4).
  CHECK(sim::one_over_one_plus_x_for_x_in_0_1(1 << 29) == 1717986914);

  // GetReciprocal of 10 * 2^19 in Q12 (ten exp(0) terms): 5242880 has 23
  // significant bits -> 9 leading zeros, 12 - 9 = 3 bits over unit;
  // 5242880 << 9 = 1.25 * 2^31 -> 1/(1 + 0.25) as above.
  int bits = 0;
  CHECK(sim::reciprocal_with_headroom(10 << 19, 12, &bits) == 1717986914);
  CHECK(bits == 3);
}

TEST_CASE("fixed-point constants are the Q-format roundings of their reals") {
  namespace c = sim::fixed_point_constants;
  const auto q = [](double real, int integer_bits) {
    return static_cast<int32_t>(std::llround(real * std::ldexp(1.0, 31 - integer_bits)));
  };
  CHECK(c::kExpMinusOneEighthQ0 == q(std::exp(-1.0 / 8), 0));
  CHECK(c::kOneThirdQ0 == q(1.0 / 3, 0));
  CHECK(c::k48Over17Q2 == q(48.0 / 17, 2));
  CHECK(c::kMinus32Over17Q2 == q(-32.0 / 17, 2));
  for (int i = 0; i < 7; ++i) {
    INFO("exp(-2^" << c::kFirstExpFactorExponent + i << ")");
    CHECK(c::kExpOfMinusPowerOfTwoQ0[i] == q(std::exp(-std::ldexp(1.0, c::kFirstExpFactorExponent + i)), 0));
  }
}

TEST_CASE("compute_padding follows TFLM: SAME puts the odd extra padding after") {
  using sim::Padding;
  const auto pad = [](Padding p, int in, int filter, int stride, int dilation) {
    const sim::WindowPadding w = sim::compute_padding(p, in, in, filter, filter, stride, stride, dilation, dilation);
    return std::pair<int, int>{w.out_h, w.pad_h};
  };
  // SAME 5, k3, s1: out 5, total (5-1)*1 + 3 - 5 = 2 -> 1 before, 1 after.
  CHECK(pad(Padding::kSame, 5, 3, 1, 1) == std::pair<int, int>{5, 1});
  // SAME 4, k3, s2: out ceil(4/2) = 2, total 1*2 + 3 - 4 = 1 -> 0 before, 1 after.
  CHECK(pad(Padding::kSame, 4, 3, 2, 1) == std::pair<int, int>{2, 0});
  // SAME 32, k3, s2: out 16, total 15*2 + 3 - 32 = 1 -> 0 before.
  CHECK(pad(Padding::kSame, 32, 3, 2, 1) == std::pair<int, int>{16, 0});
  // SAME 6, k2, s2: out 3, total 2*2 + 2 - 6 = 0.
  CHECK(pad(Padding::kSame, 6, 2, 2, 1) == std::pair<int, int>{3, 0});
  // SAME 7, k3, dilation 2 (span 5): out 7, total 6 + 5 - 7 = 4 -> 2 before.
  CHECK(pad(Padding::kSame, 7, 3, 1, 2) == std::pair<int, int>{7, 2});
  // SAME 8, k4, s1: total 7 + 4 - 8 = 3 -> 1 before, 2 after.
  CHECK(pad(Padding::kSame, 8, 4, 1, 1) == std::pair<int, int>{8, 1});
  // VALID 7, k3, s2: out (7 + 2 - 3) / 2 = 3, no padding.
  CHECK(pad(Padding::kValid, 7, 3, 2, 1) == std::pair<int, int>{3, 0});
  // VALID 7, k3, dilation 3 (span 7): a single position.
  CHECK(pad(Padding::kValid, 7, 3, 1, 3) == std::pair<int, int>{1, 0});
}

TEST_CASE("activation_range: RELU / RELU6 bounds quantised in float") {
  using sim::Activation;
  const auto range = [](Activation a, float scale, int zp) {
    const sim::ActivationRange r = sim::activation_range(a, scale, zp);
    return std::pair<int, int>{r.min, r.max};
  };
  CHECK(range(Activation::kNone, 0.05f, 7) == std::pair<int, int>{-128, 127});
  // RELU: real 0 is the zero point.
  CHECK(range(Activation::kRelu, 0.05f, -10) == std::pair<int, int>{-10, 127});
  CHECK(range(Activation::kRelu, 0.05f, -128) == std::pair<int, int>{-128, 127});
  // RELU6, 0.05f: 6.0f / 0.05f = 119.9999982 in exact arithmetic, which the
  // float division rounds to 120.0f; -128 + 120 = -8.
  CHECK(range(Activation::kRelu6, 0.05f, -128) == std::pair<int, int>{-128, -8});
  // RELU6 with 6/255: 6 / 0.0235294122f = 254.99999... -> 255.0f; -128 + 255 = 127.
  CHECK(range(Activation::kRelu6, 6.0f / 255.0f, -128) == std::pair<int, int>{-128, 127});
  // RELU6 at 2.4f (= 2.400000095): exact 6 / 2.4f = 2.49999990 but the float
  // division gives exactly 2.5f, which rounds away to 3 (a double division
  // would give 2): max = 10 + 3 = 13.
  CHECK(range(Activation::kRelu6, 2.4f, 10) == std::pair<int, int>{10, 13});
}

TEST_CASE("conv_s8: VALID 2x2 on 3x3, with double rounding") {
  // input 3x3 (zp 1) 1..9, filter [1 -1; 2 0], bias 10; 0.5 * 0.5 / 1 = 0.25
  // = QM (2^30, -1); output zp -5.
  naive::ConvSpec s;
  s.input = {1, 3, 3, 1};
  s.out_channels = 1;
  s.kernel_h = s.kernel_w = 2;
  s.in = {0.5f, 1};
  s.out = {1.0f, -5};
  s.filter_scales = {0.5f};
  const std::vector<int8_t> input = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const auto out = test::run_conv_sim(test::conv_graph(s, false, {1, -1, 2, 0}, {10}), input);
  // (0,0): 1*0 - 1*1 + 2*3 = 5, +10 = 15; SRDHM(15, 2^30) = 7.5 -> 8; RDBPOT(8, 1) = 4; 4 - 5 = -1.
  // (0,1): 1*1 - 1*2 + 2*4 = 7, +10 = 17 -> 8.5 -> 9 -> 4.5 -> 5; 0   (exact 4.25 would give 4)
  // (1,0): 3 - 4 + 2*6 = 11, +10 = 21 -> 10.5 -> 11 -> 5.5 -> 6; 1
  // (1,1): 4 - 5 + 2*7 = 13, +10 = 23 -> 11.5 -> 12 -> 6; 1
  CHECK(out == std::vector<int8_t>{-1, 0, 1, 1});
}

TEST_CASE("conv_s8: SAME padding taps are skipped, per-channel scales, RELU") {
  // input 3x3 all 12 with zp 10: every in-bounds tap contributes filter * 2.
  // Two 3x3 filters: all +1 and all -1; per-channel scales 0.25, 0.5; input
  // 0.5, output 0.5 -> effective 0.25 = (2^30, -1) and 0.5 = (2^30, 0); RELU, zp 0.
  naive::ConvSpec s;
  s.input = {1, 3, 3, 1};
  s.out_channels = 2;
  s.kernel_h = s.kernel_w = 3;
  s.pad = naive::Pad::kSame;
  s.act = naive::Act::kRelu;
  s.in = {0.5f, 10};
  s.out = {0.5f, 0};
  s.filter_scales = {0.25f, 0.5f};
  std::vector<int8_t> filter(18, 1);  // channel 0: nine +1
  std::fill(filter.begin() + 9, filter.end(), int8_t{-1});  // channel 1: nine -1
  const auto out = test::run_conv_sim(test::conv_graph(s, false, filter, {}), std::vector<int8_t>(9, 12));
  // Channel 0: a corner sees 4 in-bounds taps (acc 8), an edge 6 (12), the
  // centre 9 (18). Times 0.25: 8 -> SRDHM 4 -> RDBPOT 2; 12 -> 6 -> 3;
  // 18 -> 9 -> 4.5 -> 5. (Filling the padding with 0 instead of skipping it
  // would add (0 - 10) per padded tap.) Channel 1: negative -> RELU -> 0.
  CHECK(out == std::vector<int8_t>{2, 0, 3, 0, 2, 0, 3, 0, 5, 0, 3, 0, 2, 0, 3, 0, 2, 0});
}

TEST_CASE("depthwise_conv_s8: output channel ic * multiplier + m reads input channel ic") {
  // input 1x2 pixels of 2 channels: [1, 2], [3, 4]; multiplier 2 -> 4 outputs;
  // 1x2 filter taps [1, 2, 3, 4] and [-1, 0, 1, 2]; bias [0, 1, 2, 3];
  // scales 1 -> QM(1.0) = (2^30, 1): x*2 then SRDHM(., 2^30) = x exactly.
  naive::ConvSpec s;
  s.input = {1, 1, 2, 2};
  s.out_channels = 4;
  s.kernel_h = 1;
  s.kernel_w = 2;
  s.filter_scales = {1.0f};
  const auto out = test::run_conv_sim(test::conv_graph(s, true, {1, 2, 3, 4, -1, 0, 1, 2}, {0, 1, 2, 3}),
                                      {1, 2, 3, 4});
  // oc0 (ic0): 1*1 + -1*3 = -2;  oc1 (ic0): 2*1 + 0*3 + 1 = 3;
  // oc2 (ic1): 3*2 + 1*4 + 2 = 12;  oc3 (ic1): 4*2 + 2*4 + 3 = 19.
  CHECK(out == std::vector<int8_t>{-2, 3, 12, 19});
}

TEST_CASE("fully_connected_s8: offsets, bias and double rounding") {
  // input [10, 20, 30] with zp 10 -> [0, 10, 20]; weights [1 2 3; -1 0 1];
  // bias [5, -5]; 1 * 0.5 / 2 = 0.25 -> (2^30, -1); output zp 3.
  naive::FullyConnectedSpec s;
  s.depth = 3;
  s.units = 2;
  s.in = {1.0f, 10};
  s.out = {2.0f, 3};
  s.weight_scales = {0.5f};
  const auto out =
      test::run_fully_connected_sim(test::fully_connected_graph(s, {1, 2, 3, -1, 0, 1}, {5, -5}), {10, 20, 30});
  // unit 0: 0 + 20 + 60 + 5 = 85; SRDHM = 42.5 -> 43; RDBPOT = 21.5 -> 22; +3 = 25.
  // unit 1: 0 + 0 + 20 - 5 = 15; 7.5 -> 8; 4; +3 = 7.
  CHECK(out == std::vector<int8_t>{25, 7});
}

TEST_CASE("fully connected per-tensor multiplier uses the float product of the scales") {
  // 0.1f * 0.1f in float = 0.010000000707805157 (the exact double product is
  // 0.010000000298023226). / 0.5 = 0.020000001415610313 = 0.640000045 * 2^-5
  // -> round(0.640000045 * 2^31) = 1374389632. The double product would give
  // 0.640000019 * 2^31 -> 1374389576, which CONV_2D uses for the same scales.
  naive::FullyConnectedSpec fc;
  fc.depth = 1;
  fc.in = {0.1f, 0};
  fc.out = {0.5f, 0};
  fc.weight_scales = {0.1f};
  const sim::Graph fc_graph = test::fully_connected_graph(fc, {1}, {});
  const sim::ChannelRequant fc_requant = sim::make_fully_connected_params(fc_graph, fc_graph.ops[0]).second;
  CHECK(fc_requant.multiplier == std::vector<int32_t>{1374389632});
  CHECK(fc_requant.shift == std::vector<int32_t>{-5});

  naive::ConvSpec conv;
  conv.in = {0.1f, 0};
  conv.out = {0.5f, 0};
  conv.filter_scales = {0.1f};
  const sim::Graph conv_graph = test::conv_graph(conv, false, {1}, {});
  const sim::ChannelRequant conv_requant = sim::make_conv_params(conv_graph, conv_graph.ops[0]).second;
  CHECK(conv_requant.multiplier == std::vector<int32_t>{1374389576});
  CHECK(conv_requant.shift == std::vector<int32_t>{-5});
}

TEST_CASE("max_pool_s8: window maximum, padding ignored, activation clamp") {
  // 4x4 input v = 4y + x - 8, 2x2 stride 2 VALID: maxima of the quadrants are
  // v(1,1) = -3, v(1,3) = -1, v(3,1) = 5, v(3,3) = 7; RELU with zp -2 lifts -3 to -2.
  naive::PoolSpec s;
  s.input = {1, 4, 4, 1};
  s.kernel_h = s.kernel_w = 2;
  s.stride_h = s.stride_w = 2;
  s.act = naive::Act::kRelu;
  s.out = {1.0f, -2};
  std::vector<int8_t> input;
  for (int v = 0; v < 16; ++v) input.push_back(static_cast<int8_t>(v - 8));
  CHECK(test::run_pool_sim(test::pool_graph(s, test::OpType::kMaxPool2D), input) ==
        std::vector<int8_t>{-2, -1, 5, 7});

  // 3x3 of -100, 2x2 stride 2 SAME: total padding 1, after; the padded taps
  // are not candidates (a zero there would win), so every output is -100.
  naive::PoolSpec same;
  same.input = {1, 3, 3, 1};
  same.kernel_h = same.kernel_w = 2;
  same.stride_h = same.stride_w = 2;
  same.pad = naive::Pad::kSame;
  CHECK(test::run_pool_sim(test::pool_graph(same, test::OpType::kMaxPool2D), std::vector<int8_t>(9, -100)) ==
        std::vector<int8_t>(4, -100));
}

TEST_CASE("avg_pool_s8: rounds half away from zero over in-bounds taps") {
  naive::PoolSpec s;
  s.input = {4, 2, 2, 1};  // four 2x2 images, one 2x2 VALID window each
  s.kernel_h = s.kernel_w = 2;
  const std::vector<int8_t> input = {1, 2, 3, 4, -1, -2, -3, -4, 1, 2, 2, 2, -1, -1, -1, -2};
  // 10/4 = 2.5 -> 3; -10/4 = -2.5 -> -3; 7/4 = 1.75 -> 2; -5/4 = -1.25 -> -1.
  CHECK(test::run_pool_sim(test::pool_graph(s, test::OpType::kAveragePool2D), input) ==
        std::vector<int8_t>{3, -3, 2, -1});

  // 3x3 v = 10y + x, 3x3 window stride 1 SAME (pad 1): the divisor is the
  // number of in-bounds taps. Corner (0,0): (0+1+10+11)/4 = 5.5 -> 6; edge
  // (0,1): (0+1+2+10+11+12)/6 = 6; centre: 99/9 = 11; edge (1,0):
  // (0+1+10+11+20+21)/6 = 10.5 -> 11; corner (2,2): (11+12+21+22)/4 = 16.5 -> 17.
  naive::PoolSpec same;
  same.input = {1, 3, 3, 1};
  same.kernel_h = same.kernel_w = 3;
  same.pad = naive::Pad::kSame;
  const std::vector<int8_t> grid = {0, 1, 2, 10, 11, 12, 20, 21, 22};
  const auto out = test::run_pool_sim(test::pool_graph(same, test::OpType::kAveragePool2D), grid);
  CHECK(out[0] == 6);
  CHECK(out[1] == 6);
  CHECK(out[3] == 11);
  CHECK(out[4] == 11);
  CHECK(out[8] == 17);
}

TEST_CASE("add_s8: common-scale rescaling with 2^20 headroom") {
  // s1 = 0.5 (zp 1), s2 = 0.25 (zp -2), out 0.5 (zp 3). twice_max = 1.0:
  // input 1 multiplier 0.5 = (2^30, 0), input 2 0.25 = (2^30, -1), output
  // 1 / (2^20 * 0.5) = 2^-19 = (2^30, -18).
  naive::AddSpec s;
  s.in1 = {0.5f, 1};
  s.in2 = {0.25f, -2};
  s.out = {0.5f, 3};
  const sim::Graph graph = test::add_graph(s, {1, 1, 1, 3});
  // a = 4 (1.5), b = 0 (0.5): (3 << 20) -> SRDHM(., 2^30) = 1572864;
  // (2 << 20) -> 1048576 -> RDBPOT(., 1) = 524288; sum 2097152 -> SRDHM =
  // 1048576 -> RDBPOT(., 18) = 4; + 3 = 7  (2.0 / 0.5 = 4).
  // a = 1 (0), b = -3 (-0.25): -(1 << 20) -> -524288 -> -262144;
  // SRDHM(-262144, 2^30) = -131072 -> RDBPOT(., 18) = -0.5 -> -1; + 3 = 2.
  // a = 127 (63), b = 127 (32.25): 95.25 / 0.5 = 190.5 -> + 3 clamps to 127.
  CHECK(test::run_add_sim(graph, {4, 1, 127}, {0, -3, 127}) == std::vector<int8_t>{7, 2, 127});
}

TEST_CASE("softmax_s8: hand-worked rows") {
  naive::SoftmaxSpec s;
  s.input_scale = 0.0625f;  // beta * scale * 2^26 = 2^22 = QM (2^30, 23); diff_min = -31*2^26/2^23 = -248
  {
    const sim::Graph g = test::softmax_graph(s);
    const sim::SoftmaxParams p = sim::make_softmax_params(g, g.ops[0]);
    CHECK(p.input_multiplier == kHalf);
    CHECK(p.input_left_shift == 23);
    CHECK(p.diff_min == -248);
  }
  // Two equal logits: exp(0) = 2^31 - 1 each; RDBPOT(., 12) = 524288 = 2^19;
  // sum 2^20 has 11 leading zeros -> 1 bit over unit, mantissa 1.0 ->
  // reciprocal 1/(1+0) = 2^31 - 1; exponent 1 + 23 = 24;
  // SRDHM(2^31-1, 2^31-1) = 2147483646; RDBPOT(., 24) = 127.99999 -> 128; -128 = 0.
  s.depth = 2;
  CHECK(test::run_softmax_sim(test::softmax_graph(s), {5, 5}) == std::vector<int8_t>{0, 0});
  // Ten equal logits (ResNet-8 style ties): sum 10 * 2^19 -> 3 bits over
  // unit, 1/1.25 = 1717986914 (see the fixed-point test); exponent 26;
  // SRDHM(1717986914, 2^31-1) = 1717986913; / 2^26 = 25.6 -> 26; -128 = -102.
  s.depth = 10;
  CHECK(test::run_softmax_sim(test::softmax_graph(s), std::vector<int8_t>(10, -7)) == std::vector<int8_t>(10, -102));

  // Scale 1: 2^26 = QM (2^30, 27), diff_min = -floor(31*2^26/2^27) = -15.
  s.input_scale = 1.0f;
  s.depth = 2;
  // [0, -16]: -16 < -15 contributes nothing and outputs -128; the maximum
  // alone: sum 2^19, 0 bits over unit, reciprocal 2^31-1, exponent 23:
  // 2147483646 / 2^23 = 255.99999 -> 256; 256 - 128 = 128 clamps to 127.
  CHECK(test::run_softmax_sim(test::softmax_graph(s), {0, -16}) == std::vector<int8_t>{127, -128});
  // [0, -1]: diff -1 -> SRDHM(-1 << 27, 2^30) = -2^26 = -1.0 in Q5;
  // exp = 790015308 (fixed-point test); RDBPOT(., 12) = 192875; sum 717163
  // -> p0 = 1/1.367879 = 0.731059 * 256 = 187.15 -> 187 - 128 = 59;
  // p1 = 0.268941 * 256 = 68.85 -> 69 - 128 = -59.
  CHECK(test::run_softmax_sim(test::softmax_graph(s), {0, -1}) == std::vector<int8_t>{59, -59});
}

TEST_CASE("quantize_f32_s8: float division, half away from zero, clamp") {
  const naive::Quant q{0.5f, 0};
  // x / 0.5: 0.5 -> 1, -0.5 -> -1, 1.48 -> 1, -1.52 -> -2, 200 -> 127, -200 -> -128, 0 -> 0.
  CHECK(test::run_quantize_sim(test::quantize_graph(q, 7), {0.25f, -0.25f, 0.74f, -0.76f, 100.0f, -100.0f, 0.0f}) ==
        std::vector<int8_t>{1, -1, 1, -2, 127, -128, 0});
  // 0.125 / 0.25 = 0.5 -> 1; + zp -128 = -127.
  CHECK(test::run_quantize_sim(test::quantize_graph({0.25f, -128}, 1), {0.125f}) == std::vector<int8_t>{-127});
  // 6.0f / 2.4f is exactly 2.5f in float (2.49999990 exactly) -> 3, not 2.
  CHECK(test::run_quantize_sim(test::quantize_graph({2.4f, 0}, 1), {6.0f}) == std::vector<int8_t>{3});
}

TEST_CASE("dequantize_s8_f32: scale * (q - zero point)") {
  // 0.5 * (-128 + 128) = 0; 0.5 * (127 + 128) = 127.5; 0.5 * (0 + 128) = 64.
  CHECK(test::run_dequantize_sim(test::dequantize_graph({0.5f, -128}, 3), {-128, 127, 0}) ==
        std::vector<float>{0.0f, 127.5f, 64.0f});
  // (double)0.1f * 3 = 0.30000000447 rounds to the float 0.3f (0.30000001192).
  CHECK(test::run_dequantize_sim(test::dequantize_graph({0.1f, 0}, 1), {3}) == std::vector<float>{0.3f});
}

TEST_CASE("shape_of pads low ranks like TFLite's ExtendedShape") {
  CHECK(sim::shape_of(std::vector<int32_t>{1, 10}) == sim::Shape4{1, 1, 1, 10});
  CHECK(sim::shape_of(std::vector<int32_t>{5}) == sim::Shape4{1, 1, 1, 5});
  CHECK(sim::shape_of(std::vector<int32_t>{2, 3, 4}) == sim::Shape4{1, 2, 3, 4});
  CHECK(sim::shape_of(std::vector<int32_t>{1, 1, 2, 3, 4, 5}) == sim::Shape4{2, 3, 4, 5});
  CHECK_THROWS_AS(sim::shape_of(std::vector<int32_t>{2, 1, 2, 3, 4}), sim::ModelError);
}

TEST_CASE("bad parameters and shapes are rejected with clear errors") {
  // Softmax output must be scale 1/256, zero point -128.
  naive::SoftmaxSpec s;
  sim::Graph softmax = test::softmax_graph(s);
  softmax.tensors[1].quant.zero_point = {0};
  CHECK_THROWS_WITH(sim::make_softmax_params(softmax, softmax.ops[0]),
                    Catch::Contains("test.tflite") && Catch::Contains("op 0 (SOFTMAX)") &&
                        Catch::Contains("zero point -128"));

  // Filters must be symmetric (zero point 0).
  naive::ConvSpec c;
  c.filter_scales = {1.0f};
  sim::Graph conv = test::conv_graph(c, false, {1}, {});
  conv.tensors[1].quant.zero_point = {3};
  CHECK_THROWS_WITH(sim::make_conv_params(conv, conv.ops[0]),
                    Catch::Contains("op 0 (CONV_2D)") && Catch::Contains("zero point 3"));

  // An output tensor whose shape disagrees with the window arithmetic.
  sim::Graph wrong_shape = test::conv_graph(c, false, {1}, {});
  wrong_shape.tensors[2].shape = {1, 2, 1, 1};
  CHECK_THROWS_AS(sim::make_conv_params(wrong_shape, wrong_shape.ops[0]), sim::ModelError);

  // A kernel called with inconsistent shapes throws before touching memory.
  sim::ConvParams params;
  sim::ChannelRequant requant{{kHalf}, {0}};
  int8_t buffer[4] = {};
  CHECK_THROWS_AS(sim::conv_s8_nhwc(params, requant, {1, 1, 1, 2}, buffer, {1, 1, 1, 3}, buffer, nullptr,
                                    {1, 1, 1, 1}, buffer),
                  sim::KernelError);
  CHECK_THROWS_AS(sim::conv_s8_nhwc(params, sim::ChannelRequant{}, {1, 1, 1, 1}, buffer, {1, 1, 1, 1}, buffer,
                                    nullptr, {1, 1, 1, 1}, buffer),
                  sim::KernelError);
}
