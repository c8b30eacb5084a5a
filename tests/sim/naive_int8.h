// A deliberately naive, independent implementation of every int8 op, used as
// the oracle of the differential tests (kernels_random_test.cc). It shares no
// code with sim/: it has its own shape and parameter types, derives padding,
// multipliers and clamp ranges itself from the scales, and writes each
// rounding rule as an exact integer formula over __int128 straight from its
// definition (../shared/docs/int8-semantics.md):
//   doubling high mul      floor((a*b + 2^30) / 2^31)      (saturating -1*-1)
//   rounding right shift   sign(x) * floor((|x| + 2^(e-1)) / 2^e)
//   frexp multiplier       read from the IEEE-754 bits of the double
//   float division         emulated bit-exactly with integers (RELU6 bound,
//                          QUANTIZE), round-to-nearest-even
// Loops run over output coordinates and compute input coordinates directly.
// Speed does not matter here; clarity and independence do.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace tinyskip::naive {

using i128 = __int128;

// ---------------------------------------------------------------- arithmetic

inline i128 floor_div(i128 a, i128 b) {  // b > 0
  i128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

inline i128 pow2(int e) { return i128{1} << e; }

// Two's complement wrap of an exact integer to int32 (what int32 arithmetic
// on the MCU does).
inline int32_t wrap32(i128 x) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(x))); }

// a*b/2^31 rounded to nearest with ties towards +infinity; -1 * -1 saturates.
inline int32_t doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return static_cast<int32_t>(floor_div(i128{a} * b + pow2(30), pow2(31)));
}

// x / 2^e rounded to nearest with ties away from zero.
inline int32_t shift_right_round_away(int32_t x, int e) {
  if (e == 0) return x;
  const i128 magnitude = x < 0 ? -i128{x} : i128{x};
  const i128 rounded = (magnitude + pow2(e - 1)) >> e;
  return static_cast<int32_t>(x < 0 ? -rounded : rounded);
}

// Double-rounding requantisation: wrap(acc * 2^left), doubling high mul,
// rounding right shift.
inline int32_t requantize(int32_t acc, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift < 0 ? -shift : 0;
  return shift_right_round_away(doubling_high_mul(wrap32(i128{acc} * pow2(left)), multiplier), right);
}

struct Multiplier {
  int32_t multiplier = 0;
  int shift = 0;
};

// real = q * 2^shift with q in [0.5, 1) as round(q * 2^31), ties away from
// zero, from the IEEE-754 fields of the double (positive, normal or zero).
inline Multiplier multiplier_of(double real) {
  if (real == 0.0) return {};
  if (!(real > 0.0) || !std::isfinite(real)) throw std::invalid_argument("naive multiplier_of: bad real");
  const uint64_t bits = std::bit_cast<uint64_t>(real);
  const int biased_exponent = static_cast<int>(bits >> 52);
  if (biased_exponent == 0) return {};  // subnormal: far below 2^-31, flushed
  const uint64_t significand = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52);
  // real = significand * 2^(biased_exponent - 1075) = (significand / 2^53) * 2^(biased_exponent - 1022)
  int shift = biased_exponent - 1022;
  uint64_t q31 = (significand + (uint64_t{1} << 21)) >> 22;  // round(significand / 2^22)
  if (q31 == (uint64_t{1} << 31)) {
    q31 >>= 1;
    ++shift;
  }
  if (shift < -31) return {};
  return {static_cast<int32_t>(q31), shift};
}

// An exactly represented positive binary fraction: mantissa * 2^exponent.
struct Binary {
  i128 mantissa = 0;
  int exponent = 0;
};

inline Binary binary_of(float value) {  // |value|, normal floats only
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const int biased = static_cast<int>((bits >> 23) & 0xff);
  if (biased == 0 || biased == 255) throw std::invalid_argument("naive: subnormal/inf/nan float");
  return {i128{(bits & 0x7fffff) | 0x800000}, biased - 150};
}

// |numerator / denominator| correctly rounded to a 24-bit float mantissa
// (round to nearest, ties to even), the IEEE float division, assuming a
// normal result.
inline Binary float_division_magnitude(float numerator, float denominator) {
  const Binary n = binary_of(numerator), d = binary_of(denominator);
  const int k = 60;  // extra quotient bits: plenty beyond 24 + guard
  const i128 scaled = n.mantissa << k;
  i128 q = scaled / d.mantissa;
  const bool sticky_from_division = scaled % d.mantissa != 0;
  int exponent = n.exponent - d.exponent - k;
  int length = 0;
  for (i128 t = q; t > 0; t >>= 1) ++length;
  const int drop = length - 24;
  const i128 kept = q >> drop;
  const i128 dropped = q - (kept << drop);
  const i128 half = pow2(drop - 1);
  i128 result = kept;
  if (dropped > half || (dropped == half && (sticky_from_division || (kept & 1)))) ++result;
  exponent += drop;
  if (result == pow2(24)) {
    result >>= 1;
    ++exponent;
  }
  return {result, exponent};
}

// round(|x|) half away from zero for x = mantissa * 2^exponent.
inline i128 round_half_away(const Binary& x) {
  if (x.exponent >= 0) return x.mantissa << std::min(x.exponent, 90);  // capped, no overflow
  if (-x.exponent > 100) return 0;
  return (x.mantissa + pow2(-x.exponent - 1)) >> -x.exponent;
}

// round(numerator / denominator) with the division done in float, then the
// rounding half away from zero: TFLM's TfLiteRound(f / scale).
inline int64_t round_float_division(float numerator, float denominator) {
  if (numerator == 0.0f) return 0;
  const i128 magnitude = std::min<i128>(round_half_away(float_division_magnitude(numerator, denominator)),
                                        pow2(40));  // saturate: far outside int8 anyway
  const bool negative = (numerator < 0) != (denominator < 0);
  return static_cast<int64_t>(negative ? -magnitude : magnitude);
}

// ---------------------------------------------------------------- op specs

struct Dims {
  int n = 1, h = 1, w = 1, c = 1;
  int64_t size() const { return int64_t{n} * h * w * c; }
  int64_t at(int b, int y, int x, int ch) const { return ((int64_t{b} * h + y) * w + x) * c + ch; }
};

struct Quant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

enum class Pad { kSame, kValid };
enum class Act { kNone, kRelu, kRelu6 };

struct ClampRange {
  int32_t lo = -128, hi = 127;
};

// RELU: real 0 on the output scale; RELU6 also real 6 (6.0f / scale in float).
inline ClampRange clamp_range(Act act, const Quant& out) {
  ClampRange r;
  if (act != Act::kNone) r.lo = std::max<int32_t>(-128, out.zero_point);
  if (act == Act::kRelu6)
    r.hi = static_cast<int32_t>(std::min<int64_t>(127, out.zero_point + round_float_division(6.0f, out.scale)));
  return r;
}

inline int8_t clamp_to(int32_t v, const ClampRange& r) { return static_cast<int8_t>(std::min(std::max(v, r.lo), r.hi)); }

// Output length and leading padding of one window axis.
struct Axis {
  int out = 0, pad_before = 0;
};

inline Axis window_axis(Pad pad, int in, int filter, int stride, int dilation) {
  const int span = (filter - 1) * dilation + 1;  // extent of the dilated filter
  Axis a;
  if (pad == Pad::kValid) {
    a.out = in >= span ? (in - span) / stride + 1 : 0;
    return a;
  }
  a.out = (in - 1) / stride + 1;                              // ceil(in / stride)
  const int needed = (a.out - 1) * stride + span;             // input extent the windows touch
  a.pad_before = needed > in ? (needed - in) / 2 : 0;         // the odd one goes after
  return a;
}

struct ConvSpec {
  Dims input;
  int out_channels = 1, kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Pad pad = Pad::kValid;
  Act act = Act::kNone;
  Quant in, out;
  std::vector<float> filter_scales;  // one (per tensor) or one per output channel
};

inline Dims conv_output_dims(const ConvSpec& s) {
  return {s.input.n, window_axis(s.pad, s.input.h, s.kernel_h, s.stride_h, s.dilation_h).out,
          window_axis(s.pad, s.input.w, s.kernel_w, s.stride_w, s.dilation_w).out, s.out_channels};
}

inline Multiplier channel_multiplier(const ConvSpec& s, int oc) {
  const float fs = s.filter_scales.size() == 1 ? s.filter_scales[0] : s.filter_scales[static_cast<size_t>(oc)];
  return multiplier_of(double{s.in.scale} * double{fs} / double{s.out.scale});
}

// Shared by conv and depthwise: for every output element, sum over the taps
// that land inside the image of filter * (input - input zero point).
// tap(b, oc, ky, kx, in_y, in_x) returns that product sum for one tap.
template <class TapSum>
std::vector<int8_t> windowed_op(const ConvSpec& s, const std::vector<int32_t>& bias, TapSum tap) {
  const Dims od = conv_output_dims(s);
  const Axis ay = window_axis(s.pad, s.input.h, s.kernel_h, s.stride_h, s.dilation_h);
  const Axis ax = window_axis(s.pad, s.input.w, s.kernel_w, s.stride_w, s.dilation_w);
  const ClampRange range = clamp_range(s.act, s.out);
  std::vector<int8_t> out(static_cast<size_t>(od.size()));
  for (int b = 0; b < od.n; ++b)
    for (int oy = 0; oy < od.h; ++oy)
      for (int ox = 0; ox < od.w; ++ox)
        for (int oc = 0; oc < od.c; ++oc) {
          i128 acc = 0;
          for (int ky = 0; ky < s.kernel_h; ++ky)
            for (int kx = 0; kx < s.kernel_w; ++kx) {
              const int iy = oy * s.stride_h - ay.pad_before + ky * s.dilation_h;
              const int ix = ox * s.stride_w - ax.pad_before + kx * s.dilation_w;
              if (iy >= 0 && iy < s.input.h && ix >= 0 && ix < s.input.w) acc += tap(b, oc, ky, kx, iy, ix);
            }
          if (!bias.empty()) acc += bias[static_cast<size_t>(oc)];
          const Multiplier m = channel_multiplier(s, oc);
          out[static_cast<size_t>(od.at(b, oy, ox, oc))] =
              clamp_to(requantize(wrap32(acc), m.multiplier, m.shift) + s.out.zero_point, range);
        }
  return out;
}

// filter OHWI [out_channels][kernel_h][kernel_w][input.c]
inline std::vector<int8_t> conv(const ConvSpec& s, const std::vector<int8_t>& input,
                                const std::vector<int8_t>& filter, const std::vector<int32_t>& bias) {
  return windowed_op(s, bias, [&](int b, int oc, int ky, int kx, int iy, int ix) {
    i128 sum = 0;
    for (int ic = 0; ic < s.input.c; ++ic) {
      const int32_t f = filter[static_cast<size_t>(((int64_t{oc} * s.kernel_h + ky) * s.kernel_w + kx) * s.input.c + ic)];
      sum += i128{f} * (input[static_cast<size_t>(s.input.at(b, iy, ix, ic))] - s.in.zero_point);
    }
    return sum;
  });
}

// filter 1HWC [kernel_h][kernel_w][out_channels]; out_channels is a multiple
// of input.c and output channel oc reads input channel oc / multiplier.
inline std::vector<int8_t> depthwise_conv(const ConvSpec& s, const std::vector<int8_t>& input,
                                          const std::vector<int8_t>& filter, const std::vector<int32_t>& bias) {
  const int multiplier = s.out_channels / s.input.c;
  return windowed_op(s, bias, [&](int b, int oc, int ky, int kx, int iy, int ix) {
    const int32_t f = filter[static_cast<size_t>((int64_t{ky} * s.kernel_w + kx) * s.out_channels + oc)];
    return i128{f} * (input[static_cast<size_t>(s.input.at(b, iy, ix, oc / multiplier))] - s.in.zero_point);
  });
}

struct FullyConnectedSpec {
  int batches = 1, depth = 1, units = 1;
  Act act = Act::kNone;
  Quant in, out;
  std::vector<float> weight_scales;  // one (per tensor) or one per unit
};

// Per tensor the float product of the scales is rounded to float first
// (TFLM GetQuantizedConvolutionMultipler); per channel it is formed in double.
inline Multiplier fc_multiplier(const FullyConnectedSpec& s, int unit) {
  if (s.weight_scales.size() == 1) return multiplier_of(double{s.in.scale * s.weight_scales[0]} / double{s.out.scale});
  return multiplier_of(double{s.in.scale} * double{s.weight_scales[static_cast<size_t>(unit)]} / double{s.out.scale});
}

// weights [units][depth]
inline std::vector<int8_t> fully_connected(const FullyConnectedSpec& s, const std::vector<int8_t>& input,
                                           const std::vector<int8_t>& weights, const std::vector<int32_t>& bias) {
  const ClampRange range = clamp_range(s.act, s.out);
  std::vector<int8_t> out(static_cast<size_t>(s.batches) * s.units);
  for (int b = 0; b < s.batches; ++b)
    for (int u = 0; u < s.units; ++u) {
      const Multiplier m = fc_multiplier(s, u);
      i128 acc = bias.empty() ? 0 : bias[static_cast<size_t>(u)];
      for (int d = 0; d < s.depth; ++d)
        acc += i128{weights[static_cast<size_t>(u) * s.depth + d]} *
               (input[static_cast<size_t>(b) * s.depth + d] - s.in.zero_point);
      out[static_cast<size_t>(b) * s.units + u] =
          clamp_to(requantize(wrap32(acc), m.multiplier, m.shift) + s.out.zero_point, range);
    }
  return out;
}

struct PoolSpec {
  Dims input;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  Pad pad = Pad::kValid;
  Act act = Act::kNone;
  Quant out;  // only for the activation range
};

inline Dims pool_output_dims(const PoolSpec& s) {
  return {s.input.n, window_axis(s.pad, s.input.h, s.kernel_h, s.stride_h, 1).out,
          window_axis(s.pad, s.input.w, s.kernel_w, s.stride_w, 1).out, s.input.c};
}

// reduce(values) over the in-bounds window values of each output element.
template <class Reduce>
std::vector<int8_t> pool(const PoolSpec& s, const std::vector<int8_t>& input, Reduce reduce) {
  const Dims od = pool_output_dims(s);
  const Axis ay = window_axis(s.pad, s.input.h, s.kernel_h, s.stride_h, 1);
  const Axis ax = window_axis(s.pad, s.input.w, s.kernel_w, s.stride_w, 1);
  const ClampRange range = clamp_range(s.act, s.out);
  std::vector<int8_t> out(static_cast<size_t>(od.size()));
  for (int b = 0; b < od.n; ++b)
    for (int oy = 0; oy < od.h; ++oy)
      for (int ox = 0; ox < od.w; ++ox)
        for (int c = 0; c < od.c; ++c) {
          std::vector<int32_t> values;
          for (int ky = 0; ky < s.kernel_h; ++ky)
            for (int kx = 0; kx < s.kernel_w; ++kx) {
              const int iy = oy * s.stride_h - ay.pad_before + ky;
              const int ix = ox * s.stride_w - ax.pad_before + kx;
              if (iy >= 0 && iy < s.input.h && ix >= 0 && ix < s.input.w)
                values.push_back(input[static_cast<size_t>(s.input.at(b, iy, ix, c))]);
            }
          out[static_cast<size_t>(od.at(b, oy, ox, c))] = clamp_to(reduce(values), range);
        }
  return out;
}

inline std::vector<int8_t> max_pool(const PoolSpec& s, const std::vector<int8_t>& input) {
  return pool(s, input, [](const std::vector<int32_t>& v) { return *std::max_element(v.begin(), v.end()); });
}

// Mean rounded half away from zero: sign * floor((2|sum| + count) / (2 count)).
inline std::vector<int8_t> avg_pool(const PoolSpec& s, const std::vector<int8_t>& input) {
  return pool(s, input, [](const std::vector<int32_t>& v) {
    int64_t sum = 0;
    for (int32_t x : v) sum += x;
    const int64_t count = static_cast<int64_t>(v.size());
    const int64_t magnitude = (2 * (sum < 0 ? -sum : sum) + count) / (2 * count);
    return static_cast<int32_t>(sum < 0 ? -magnitude : magnitude);
  });
}

struct AddSpec {
  Quant in1, in2, out;
  Act act = Act::kNone;
};

struct AddMultipliers {
  Multiplier in1, in2, out;
};

// Each input goes to a common scale 2*max(s1,s2)/2^20; the sum to the output scale.
inline AddMultipliers add_multipliers(const AddSpec& s) {
  const double twice_max = 2.0 * double{std::max(s.in1.scale, s.in2.scale)};
  return {multiplier_of(double{s.in1.scale} / twice_max), multiplier_of(double{s.in2.scale} / twice_max),
          multiplier_of(twice_max / (1048576.0 * double{s.out.scale}))};
}

inline std::vector<int8_t> add(const AddSpec& s, const std::vector<int8_t>& a, const std::vector<int8_t>& b) {
  const AddMultipliers m = add_multipliers(s);
  const Multiplier &m1 = m.in1, &m2 = m.in2, &mo = m.out;
  const ClampRange range = clamp_range(s.act, s.out);
  std::vector<int8_t> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const int32_t x1 = requantize((a[i] - s.in1.zero_point) * (1 << 20), m1.multiplier, m1.shift);
    const int32_t x2 = requantize((b[i] - s.in2.zero_point) * (1 << 20), m2.multiplier, m2.shift);
    out[i] = clamp_to(requantize(x1 + x2, mo.multiplier, mo.shift) + s.out.zero_point, range);
  }
  return out;
}

// ------------------------------------------------------------------ softmax
// gemmlowp's fixed-point exp and reciprocal, written out on raw integers.
// Q<m> = m integer bits, 31 - m fractional bits.

// Saturating x * 2^e for e > 0, rounding x / 2^-e for e < 0.
inline int32_t times_pow2(int32_t x, int e) {
  if (e <= 0) return shift_right_round_away(x, -e);
  const i128 y = i128{x} * pow2(e);
  return static_cast<int32_t>(std::min<i128>(std::max<i128>(y, INT32_MIN), INT32_MAX));
}

// exp(x) for Q0 x in [-1/4, 0): exp(-1/8) * (1 + t + t^2/2 + t^3/6 + t^4/24), t = x + 1/8.
inline int32_t exp_quarter(int32_t x) {
  const int32_t t = x + (1 << 28);
  const int32_t t2 = doubling_high_mul(t, t), t3 = doubling_high_mul(t2, t), t4 = doubling_high_mul(t2, t2);
  const int32_t poly = times_pow2(doubling_high_mul(times_pow2(t4, -2) + t3, 715827883) + t2, -1);
  return 1895147668 + doubling_high_mul(1895147668, t + poly);
}

// exp(a) for a <= 0 in Q5 (the softmax format), result Q0.
inline int32_t exp_q5(int32_t a) {
  if (a == 0) return INT32_MAX;
  const int32_t quarter = 1 << 24;  // 1/4 in Q5
  const int32_t r = (a & (quarter - 1)) - quarter;
  int32_t result = exp_quarter(times_pow2(r, 5));
  const uint32_t whole = static_cast<uint32_t>(r - a);  // multiple of 1/4, >= 0
  const int32_t factors[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = 0; k < 7; ++k)  // bit 24 + k of 'whole' stands for 2^(k-2)
    if ((whole >> (24 + k)) & 1u) result = doubling_high_mul(result, factors[k]);
  return result;
}

// 1 / (1 + x) for Q0 x in [0, 1) by three Newton-Raphson steps on d = (1+x)/2.
inline int32_t reciprocal_one_plus(int32_t x) {
  const int32_t d = static_cast<int32_t>((i128{x} + INT32_MAX + 1) / 2);  // (x + 1)/2 half away, sum >= 0
  int32_t r = 1515870810 + doubling_high_mul(d, -1010580540);            // Q2
  for (int i = 0; i < 3; ++i) r += times_pow2(doubling_high_mul(r, (1 << 29) - doubling_high_mul(d, r)), 2);
  return times_pow2(r, 1);
}

struct SoftmaxSpec {
  int rows = 1, depth = 1;
  float input_scale = 1.0f;
  float beta = 1.0f;
};

// beta * input_scale * 2^26 (capped at 2^31 - 1) as the multiplier of the
// int8 differences into Q5.
inline Multiplier softmax_multiplier(const SoftmaxSpec& s) {
  return multiplier_of(std::min(double{s.beta} * double{s.input_scale} * 67108864.0, 2147483647.0));
}

// Largest |difference| still evaluated: floor(31 * 2^26 / 2^shift), exact.
inline int64_t softmax_radius(const Multiplier& m) { return (int64_t{31} << 26) >> m.shift; }

inline std::vector<int8_t> softmax(const SoftmaxSpec& s, const std::vector<int8_t>& input) {
  const Multiplier m = softmax_multiplier(s);
  const int64_t radius = softmax_radius(m);
  std::vector<int8_t> out(input.size());
  for (int row = 0; row < s.rows; ++row) {
    const int8_t* in = input.data() + static_cast<size_t>(row) * s.depth;
    const int32_t mx = *std::max_element(in, in + s.depth);
    auto exp_of = [&](int32_t diff) { return exp_q5(doubling_high_mul(wrap32(i128{diff} * pow2(m.shift)), m.multiplier)); };
    int32_t sum = 0;  // Q12
    for (int c = 0; c < s.depth; ++c)
      if (mx - in[c] <= radius) sum += shift_right_round_away(exp_of(in[c] - mx), 12);
    int clz = 0;
    while (!((static_cast<uint32_t>(sum) << clz) & 0x80000000u)) ++clz;
    const int32_t recip = reciprocal_one_plus(static_cast<int32_t>((static_cast<uint32_t>(sum) << clz) - 0x80000000u));
    const int exponent = (12 - clz) + 23;  // 1/sum = recip * 2^-(12-clz); output in 1/256
    for (int c = 0; c < s.depth; ++c) {
      int32_t v = -128;
      if (mx - in[c] <= radius)
        v = std::min(127, shift_right_round_away(doubling_high_mul(recip, exp_of(in[c] - mx)), exponent) - 128);
      out[static_cast<size_t>(row) * s.depth + c] = static_cast<int8_t>(v);
    }
  }
  return out;
}

// ------------------------------------------------------ quantize/dequantize

inline int8_t quantize(float x, const Quant& q) {
  const int64_t v = round_float_division(x, q.scale) + q.zero_point;
  return static_cast<int8_t>(std::min<int64_t>(127, std::max<int64_t>(-128, v)));
}

// scale * (q - zp) is exact as an integer times a power of two; round it to
// float once.
inline float dequantize(int8_t v, const Quant& q) {
  const Binary s = binary_of(q.scale);
  const int64_t exact = static_cast<int64_t>(s.mantissa) * (int32_t{v} - q.zero_point);
  return std::ldexp(static_cast<float>(exact), s.exponent);
}

}  // namespace tinyskip::naive
