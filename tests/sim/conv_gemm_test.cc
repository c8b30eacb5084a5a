// The fast int8 conv / fully connected path (im2col + byte GEMM) against the
// readable reference kernels: randomized differential tests at every SIMD
// level this CPU supports (the portable level always), with and without weight
// masks, plus hand-worked cases and the masked-channel property.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/kernels/conv_s8.h"
#include "sim/kernels/conv_s8_gemm.h"
#include "sim/kernels/fixed_point.h"
#include "sim/kernels/fully_connected_s8.h"
#include "sim/kernels/fully_connected_s8_gemm.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {
namespace {

using Rng = std::mt19937;

int uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
bool coin(Rng& rng, double p) { return std::bernoulli_distribution(p)(rng); }

std::vector<int8_t> random_bytes(Rng& rng, int64_t count, int lo = -128, int hi = 127) {
  std::vector<int8_t> values(static_cast<size_t>(count));
  for (int8_t& v : values) v = static_cast<int8_t>(uniform(rng, lo, hi));
  return values;
}

// Requantisation entries: shifts that keep outputs near int8 for these
// accumulators, or (extreme) any shift the kernels accept. An extreme shift can
// requantise to within 128 of an int32 limit, where adding a non-zero output
// offset overflows in the reference (undefined behaviour in C++), so callers
// pair extreme shifts with output offset 0.
ChannelRequant random_requant(Rng& rng, int channels, bool extreme) {
  ChannelRequant requant;
  for (int c = 0; c < channels; ++c) {
    int32_t multiplier = uniform(rng, 1 << 30, INT32_MAX);
    const int pick = uniform(rng, 0, 9);
    if (pick == 0) multiplier = 1 << 30;
    if (pick == 1) multiplier = INT32_MAX;
    if (pick == 2) multiplier = 0;
    requant.multiplier.push_back(multiplier);
    requant.shift.push_back(extreme ? uniform(rng, -31, 30) : uniform(rng, -14, -4));
  }
  return requant;
}

ActivationRange random_activation(Rng& rng) {
  switch (uniform(rng, 0, 3)) {
    case 0:
      return {-128, 127};  // NONE
    case 1:
      return {uniform(rng, -128, 20), 127};  // RELU with some zero point
    case 2: {
      const int lo = uniform(rng, -128, 100);  // RELU6-like
      return {lo, uniform(rng, lo, 127)};
    }
    default: {
      const int v = uniform(rng, -128, 127);  // a single admissible value
      return {v, v};
    }
  }
}

int32_t random_input_offset(Rng& rng) {
  switch (uniform(rng, 0, 4)) {
    case 0:
      return -127;  // zero point 127
    case 1:
      return 128;  // zero point -128 (ResNet-8's input)
    default:
      return uniform(rng, -127, 128);
  }
}

std::vector<int32_t> random_bias(Rng& rng, int channels, bool extreme) {
  std::vector<int32_t> bias(static_cast<size_t>(channels));
  for (int32_t& b : bias) {
    b = extreme ? std::uniform_int_distribution<int32_t>(INT32_MIN / 2, INT32_MAX / 2)(rng)
                : uniform(rng, -20000, 20000);
  }
  return bias;
}

// Skip flags: none, a random density, or whole output channels.
std::vector<uint8_t> random_mask(Rng& rng, int out_channels, int64_t per_channel) {
  std::vector<uint8_t> skip(static_cast<size_t>(out_channels * per_channel), 0);
  const double density = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  for (uint8_t& s : skip) s = coin(rng, density) ? 1 : 0;
  if (coin(rng, 0.3)) {
    const int channel = uniform(rng, 0, out_channels - 1);
    std::fill_n(skip.begin() + channel * per_channel, per_channel, uint8_t{1});
  }
  return skip;
}

// The filter the reference sees for a mask: skipped weights zeroed.
std::vector<int8_t> apply_mask(std::vector<int8_t> filter, const std::vector<uint8_t>& skip) {
  for (size_t i = 0; i < skip.size(); ++i) {
    if (skip[i] != 0) filter[i] = 0;
  }
  return filter;
}

struct ConvCase {
  ConvParams params;
  ChannelRequant requant;
  Shape4 input_shape, filter_shape, output_shape;
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;  // empty: no bias
  std::vector<uint8_t> skip;  // empty: no mask

  std::string describe() const {
    std::ostringstream s;
    s << "input " << input_shape.n << "x" << input_shape.h << "x" << input_shape.w << "x"
      << input_shape.c << " filter " << filter_shape.n << "x" << filter_shape.h << "x"
      << filter_shape.w << " output " << output_shape.h << "x" << output_shape.w << " stride "
      << params.stride_h << "," << params.stride_w << " dilation " << params.dilation_h << ","
      << params.dilation_w << " pad " << params.pad_h << "," << params.pad_w << " in_offset "
      << params.input_offset << " mask " << !skip.empty() << " bias " << !bias.empty();
    return s.str();
  }
};

// Output size and leading padding along one axis, derived independently of
// the simulator: SAME gives ceil(in / stride) outputs and pads half of the
// missing extent before; VALID fits whole windows; "free" picks any padding.
bool window_axis(Rng& rng, int mode, int in, int filter, int stride, int dilation, int& out,
                 int& pad) {
  const int extent = (filter - 1) * dilation + 1;
  if (mode == 0) {
    out = (in + stride - 1) / stride;
    pad = std::max(0, (out - 1) * stride + extent - in) / 2;
  } else if (mode == 1) {
    pad = 0;
    out = in >= extent ? (in - extent) / stride + 1 : 0;
  } else {
    pad = uniform(rng, 0, 3);
    out = in + 2 * pad >= extent ? (in + 2 * pad - extent) / stride + 1 : 0;
  }
  return out > 0;
}

ConvCase random_conv_case(Rng& rng) {
  ConvCase c;
  for (;;) {
    c.input_shape = {uniform(rng, 1, 5), uniform(rng, 1, 10), uniform(rng, 1, 10),
                     uniform(rng, 1, 20)};
    const int out_channels = coin(rng, 0.2) ? uniform(rng, 40, 80) : uniform(rng, 1, 36);
    c.filter_shape = {out_channels, uniform(rng, 1, 4), uniform(rng, 1, 4), c.input_shape.c};
    c.params.stride_h = uniform(rng, 1, 3);
    c.params.stride_w = uniform(rng, 1, 3);
    c.params.dilation_h = uniform(rng, 1, 2);
    c.params.dilation_w = uniform(rng, 1, 2);
    const int mode = uniform(rng, 0, 2);
    if (window_axis(rng, mode, c.input_shape.h, c.filter_shape.h, c.params.stride_h,
                    c.params.dilation_h, c.output_shape.h, c.params.pad_h) &&
        window_axis(rng, mode, c.input_shape.w, c.filter_shape.w, c.params.stride_w,
                    c.params.dilation_w, c.output_shape.w, c.params.pad_w)) {
      break;
    }
  }
  c.output_shape.n = c.input_shape.n;
  c.output_shape.c = c.filter_shape.n;
  c.params.input_offset = random_input_offset(rng);
  const bool extreme_requant = coin(rng, 0.3);
  c.params.output_offset = extreme_requant ? 0 : uniform(rng, -128, 127);
  c.params.activation = random_activation(rng);
  c.requant = random_requant(rng, c.filter_shape.n, extreme_requant);
  c.input = random_bytes(rng, c.input_shape.elements());
  c.filter = random_bytes(rng, c.filter_shape.elements());
  if (coin(rng, 0.8)) c.bias = random_bias(rng, c.filter_shape.n, coin(rng, 0.1));
  if (coin(rng, 0.5)) c.skip = random_mask(rng, c.filter_shape.n, c.filter_shape.image_elements());
  return c;
}

std::vector<int8_t> run_reference(const ConvCase& c) {
  std::vector<int8_t> output(static_cast<size_t>(c.output_shape.elements()));
  const std::vector<int8_t> filter = c.skip.empty() ? c.filter : apply_mask(c.filter, c.skip);
  conv_s8_nhwc(c.params, c.requant, c.input_shape, c.input.data(), c.filter_shape, filter.data(),
               c.bias.empty() ? nullptr : c.bias.data(), c.output_shape, output.data());
  return output;
}

std::vector<int8_t> run_gemm(const ConvCase& c, GemmScratch& scratch) {
  const PackedFilter packed =
      pack_filter(c.filter.data(), c.filter_shape, c.skip.empty() ? nullptr : c.skip.data());
  // Poison the output so that an unwritten byte cannot pass by accident.
  std::vector<int8_t> output(static_cast<size_t>(c.output_shape.elements()), int8_t{0x5A});
  conv_s8_nhwc_gemm(c.params, c.requant, c.input_shape, c.input.data(), packed,
                    c.bias.empty() ? nullptr : c.bias.data(), c.output_shape, output.data(),
                    scratch);
  return output;
}

// Index of the first differing byte, or -1.
int64_t first_difference(const std::vector<int8_t>& a, const std::vector<int8_t>& b) {
  if (a.size() != b.size()) return 0;
  const auto diff = std::mismatch(a.begin(), a.end(), b.begin());
  return diff.first == a.end() ? -1 : diff.first - a.begin();
}

}  // namespace

TEST_CASE("conv_s8_nhwc_gemm equals conv_s8_nhwc on random convolutions at every SIMD level") {
  for (const SimdLevel level : supported_simd_levels()) {
    Rng rng(20240611);
    GemmScratch scratch(level);  // reused across cases, as by a simulator worker
    for (int i = 0; i < 250; ++i) {
      const ConvCase c = random_conv_case(rng);
      INFO("level " << simd_level_name(level) << " case " << i << ": " << c.describe());
      REQUIRE(first_difference(run_gemm(c, scratch), run_reference(c)) == -1);
    }
  }
}

TEST_CASE("conv_s8_nhwc_gemm equals conv_s8_nhwc on ResNet-8 layer shapes and many GEMM tiles") {
  Rng rng(7);
  struct Layer {
    Shape4 input;
    int out_channels, filter, stride;
  };
  // A 3-channel 3x3 stem over two images (2048 rows: several GEMM tiles), a
  // 16 -> 32 stride-2 conv, a 1x1 stride-2 shortcut, a 64 -> 64 3x3 (four
  // channel blocks in one register tile), all SAME; then pointwise 1x1
  // stride-1 convs, where the converted input is used as the GEMM rows
  // directly (depth 8, 5 x 300 rows) or, for depth 6, still goes through im2col.
  const Layer layers[] = {{{2, 32, 32, 3}, 16, 3, 1},  {{1, 16, 16, 16}, 32, 3, 2},
                          {{1, 16, 16, 32}, 64, 1, 2}, {{1, 8, 8, 64}, 64, 3, 1},
                          {{5, 15, 20, 8}, 24, 1, 1},  {{2, 4, 4, 6}, 10, 1, 1}};
  for (const SimdLevel level : supported_simd_levels()) {
    GemmScratch scratch(level);
    for (const Layer& layer : layers) {
      ConvCase c;
      c.input_shape = layer.input;
      c.filter_shape = {layer.out_channels, layer.filter, layer.filter, layer.input.c};
      c.params.stride_h = c.params.stride_w = layer.stride;
      c.output_shape = {layer.input.n, (layer.input.h + layer.stride - 1) / layer.stride,
                        (layer.input.w + layer.stride - 1) / layer.stride, layer.out_channels};
      // SAME: total padding (out - 1) * stride + filter - in, half before.
      const int pad =
          std::max(0, (c.output_shape.h - 1) * layer.stride + layer.filter - layer.input.h) / 2;
      c.params.pad_h = c.params.pad_w = pad;
      c.params.input_offset = 128;
      c.params.output_offset = -128;
      c.params.activation = {-128, 127};
      c.requant = random_requant(rng, layer.out_channels, false);
      c.input = random_bytes(rng, c.input_shape.elements());
      c.filter = random_bytes(rng, c.filter_shape.elements());
      c.bias = random_bias(rng, layer.out_channels, false);
      INFO("level " << simd_level_name(level) << ": " << c.describe());
      REQUIRE(first_difference(run_gemm(c, scratch), run_reference(c)) == -1);
      c.skip = random_mask(rng, c.filter_shape.n, c.filter_shape.image_elements());
      REQUIRE(first_difference(run_gemm(c, scratch), run_reference(c)) == -1);
    }
  }
}

TEST_CASE("conv_s8_nhwc_gemm: extreme inputs, weights and offsets stay exact") {
  // Every value at an int8 end: the largest accumulators a layer can form
  // (|acc| up to 576 * 255 * 128 here) and every padded-tap byte extreme.
  Rng rng(99);
  for (const SimdLevel level : supported_simd_levels()) {
    GemmScratch scratch(level);
    for (int i = 0; i < 20; ++i) {
      ConvCase c;
      c.input_shape = {2, 5, 6, 64};
      c.filter_shape = {uniform(rng, 1, 40), 3, 3, 64};
      c.output_shape = {2, 5, 6, c.filter_shape.n};
      c.params.pad_h = c.params.pad_w = 1;
      c.params.input_offset = coin(rng, 0.5) ? -127 : 128;
      c.params.output_offset = coin(rng, 0.5) ? -128 : 127;
      c.params.activation = random_activation(rng);
      c.requant = random_requant(rng, c.filter_shape.n, false);
      c.input = random_bytes(rng, c.input_shape.elements());
      c.filter = random_bytes(rng, c.filter_shape.elements());
      for (int8_t& v : c.input) v = v < 0 ? int8_t{-128} : int8_t{127};
      for (int8_t& v : c.filter) v = v < 0 ? int8_t{-128} : int8_t{127};
      c.bias = random_bias(rng, c.filter_shape.n, true);
      INFO("level " << simd_level_name(level) << " case " << i << ": " << c.describe());
      REQUIRE(first_difference(run_gemm(c, scratch), run_reference(c)) == -1);
    }
  }
}

TEST_CASE("conv_s8_nhwc_gemm: hand-worked 1x2 convolution with a padded tap") {
  // One image 1x2x1, input {3, -5}, input_offset 1, two output channels,
  // filter 1x2 (kx = 0, 1), pad_w = 1, output 1x2:
  //   out x=0 sees taps (pad, 3), x=1 sees (3, -5).
  //   channel 0, w = {2, 4}, bias 10:  x=0: 10 + 4*(3+1) = 26
  //                                    x=1: 10 + 2*(3+1) + 4*(-5+1) = 2
  //   channel 1, w = {-1, 7}, bias -3: x=0: -3 + 7*4 = 25
  //                                    x=1: -3 - 4 + 7*(-4) = -35
  // Requant multiplier 2^30 (0.5), shift 0: high_mul(a, 2^30) = floor((a*2^30
  // + 2^30) / 2^31) = floor((a + 1) / 2): 26 -> 13, 2 -> 1, 25 -> 13, -35 -> -17.
  // Output offset 5: {18, 6, 18, -12}; clamp [-10, 17]: {17, 6, 17, -10}.
  ConvParams params;
  params.input_offset = 1;
  params.output_offset = 5;
  params.pad_w = 1;
  params.activation = {-10, 17};
  const ChannelRequant requant{{1 << 30, 1 << 30}, {0, 0}};
  const int8_t input[] = {3, -5};
  const int8_t filter[] = {2, 4, -1, 7};
  const int32_t bias[] = {10, -3};
  const Shape4 input_shape{1, 1, 2, 1}, filter_shape{2, 1, 2, 1}, output_shape{1, 1, 2, 2};
  const PackedFilter packed = pack_filter(filter, filter_shape, nullptr);
  for (const SimdLevel level : supported_simd_levels()) {
    GemmScratch scratch(level);
    int8_t output[4] = {};
    conv_s8_nhwc_gemm(params, requant, input_shape, input, packed, bias, output_shape, output,
                      scratch);
    INFO("level " << simd_level_name(level));
    CHECK(std::vector<int>(output, output + 4) == std::vector<int>{17, 17, 6, -10});
  }
}

TEST_CASE("conv_s8_nhwc_gemm: a channel with every weight skipped outputs requant(bias)") {
  // With all of channel c's weights treated as zero its accumulator is just
  // bias[c] at every pixel (padded or not), whatever the input. The biases
  // and requantisation entries span the whole int32 / shift range.
  Rng rng(5);
  for (const SimdLevel level : supported_simd_levels()) {
    GemmScratch scratch(level);
    for (int i = 0; i < 40; ++i) {
      ConvCase c = random_conv_case(rng);
      const int out_channels = c.filter_shape.n;
      const int64_t per_channel = c.filter_shape.image_elements();
      c.skip.assign(static_cast<size_t>(out_channels * per_channel), 0);
      const int dead = uniform(rng, 0, out_channels - 1);
      std::fill_n(c.skip.begin() + dead * per_channel, per_channel, uint8_t{1});
      const bool has_bias = coin(rng, 0.8);
      c.bias = has_bias ? random_bias(rng, out_channels, false) : std::vector<int32_t>{};
      int32_t dead_bias = 0;
      if (has_bias) {
        const int32_t extremes[] = {INT32_MIN, INT32_MAX, -(1 << 30), 1 << 30, -1, 0};
        c.bias[static_cast<size_t>(dead)] =
            coin(rng, 0.5) ? extremes[uniform(rng, 0, 5)] : c.bias[static_cast<size_t>(dead)];
        dead_bias = c.bias[static_cast<size_t>(dead)];
      }
      c.requant.shift[static_cast<size_t>(dead)] = uniform(rng, -31, 30);
      // Keep "+ output offset" inside int32 (see random_requant).
      const int64_t scaled = multiply_by_quantized_multiplier(
          dead_bias, c.requant.multiplier[static_cast<size_t>(dead)],
          c.requant.shift[static_cast<size_t>(dead)]);
      if (scaled + c.params.output_offset !=
          static_cast<int32_t>(scaled + c.params.output_offset)) {
        c.params.output_offset = 0;
      }
      const int8_t expected = requantize_to_s8(
          dead_bias, c.requant.multiplier[static_cast<size_t>(dead)],
          c.requant.shift[static_cast<size_t>(dead)], c.params.output_offset, c.params.activation);
      const std::vector<int8_t> output = run_gemm(c, scratch);
      INFO("level " << simd_level_name(level) << " case " << i << " channel " << dead << " bias "
                    << dead_bias << ": " << c.describe());
      for (int64_t pixel = 0; pixel < c.output_shape.elements() / out_channels; ++pixel) {
        REQUIRE(int{output[static_cast<size_t>(pixel * out_channels + dead)]} == int{expected});
      }
    }
  }
}

TEST_CASE("fully_connected_s8_gemm equals fully_connected_s8 at every SIMD level") {
  for (const SimdLevel level : supported_simd_levels()) {
    Rng rng(31337);
    GemmScratch scratch(level);
    for (int i = 0; i < 150; ++i) {
      const int units = coin(rng, 0.2) ? uniform(rng, 33, 100) : uniform(rng, 1, 20);
      const int depth = coin(rng, 0.2) ? uniform(rng, 200, 700) : uniform(rng, 1, 70);
      const int batches = uniform(rng, 1, 5);
      FullyConnectedParams params;
      params.input_offset = random_input_offset(rng);
      const bool extreme_requant = coin(rng, 0.3);
      params.output_offset = extreme_requant ? 0 : uniform(rng, -128, 127);
      params.activation = random_activation(rng);
      const ChannelRequant requant = random_requant(rng, units, extreme_requant);
      const std::vector<int8_t> input = random_bytes(rng, int64_t{batches} * depth);
      const std::vector<int8_t> weights = random_bytes(rng, int64_t{units} * depth);
      const std::vector<int32_t> bias = random_bias(rng, units, coin(rng, 0.1));
      const bool use_bias = coin(rng, 0.8);
      const std::vector<uint8_t> skip =
          coin(rng, 0.5) ? random_mask(rng, units, depth) : std::vector<uint8_t>{};
      // The weights as the reference takes them, and as a 2-D tensor extends.
      const Shape4 weights_shape{units, 1, 1, depth};
      const Shape4 tensor_shape = coin(rng, 0.5) ? Shape4{1, 1, units, depth} : weights_shape;
      // The batch may sit in n or, like an NHWC activation, in h.
      const Shape4 input_shape =
          coin(rng, 0.5) ? Shape4{batches, 1, 1, depth} : Shape4{1, batches, 1, depth};
      const Shape4 output_shape =
          input_shape.n == 1 ? Shape4{1, batches, 1, units} : Shape4{batches, 1, 1, units};
      const std::vector<int8_t> reference_weights =
          skip.empty() ? weights : apply_mask(weights, skip);
      std::vector<int8_t> expected(static_cast<size_t>(batches * units));
      fully_connected_s8(params, requant, input_shape, input.data(), weights_shape,
                         reference_weights.data(), use_bias ? bias.data() : nullptr, output_shape,
                         expected.data());
      const PackedFilter packed = pack_fully_connected_filter(weights.data(), tensor_shape,
                                                              skip.empty() ? nullptr : skip.data());
      std::vector<int8_t> actual(expected.size(), int8_t{0x5A});
      fully_connected_s8_gemm(params, requant, input_shape, input.data(), packed,
                              use_bias ? bias.data() : nullptr, output_shape, actual.data(),
                              scratch);
      INFO("level " << simd_level_name(level) << " case " << i << ": " << batches << "x" << depth
                    << " -> " << units << " mask " << !skip.empty());
      REQUIRE(first_difference(actual, expected) == -1);
    }
  }
}

TEST_CASE("fast conv / fully connected reject inconsistent arguments") {
  const int8_t filter[2 * 3 * 3 * 4] = {};
  const PackedFilter packed = pack_filter(filter, {2, 3, 3, 4}, nullptr);
  const ChannelRequant requant{{1 << 30, 1 << 30}, {-1, -1}};
  std::vector<int8_t> input(5 * 5 * 4), output(5 * 5 * 2);
  GemmScratch scratch(SimdLevel::kPortable);
  ConvParams params;
  params.pad_h = params.pad_w = 1;
  // Input depth 3 against a filter of depth 4.
  CHECK_THROWS_AS(conv_s8_nhwc_gemm(params, requant, {1, 5, 5, 3}, input.data(), packed, nullptr,
                                    {1, 5, 5, 2}, output.data(), scratch),
                  KernelError);
  // An input offset that is not minus an int8 zero point.
  params.input_offset = 129;
  CHECK_THROWS_WITH(conv_s8_nhwc_gemm(params, requant, {1, 5, 5, 4}, input.data(), packed, nullptr,
                                      {1, 5, 5, 2}, output.data(), scratch),
                    Catch::Contains("input_offset 129"));
  // Fully connected: 2 units over depth 36, but the output claims 3 units.
  const PackedFilter fc = pack_fully_connected_filter(filter, {2, 1, 1, 36}, nullptr);
  FullyConnectedParams fc_params;
  CHECK_THROWS_AS(fully_connected_s8_gemm(fc_params, requant, {1, 1, 1, 36}, input.data(), fc,
                                          nullptr, {1, 1, 1, 3}, output.data(), scratch),
                  KernelError);
  // A fully connected filter must not be a spatial one.
  CHECK_THROWS_AS(fully_connected_s8_gemm(fc_params, requant, {1, 1, 1, 36}, input.data(), packed,
                                          nullptr, {1, 1, 1, 2}, output.data(), scratch),
                  KernelError);
}

}  // namespace tinyskip::sim
