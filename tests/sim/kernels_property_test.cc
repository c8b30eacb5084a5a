// Property tests of the int8 kernels: relations that must hold whatever the
// shapes and quantisation are (identities, invariances, bounds), checked on
// random cases with fixed seeds. They complement the golden tests (exact
// hand-worked values) and the differential tests (a second implementation).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "tests/shared_paths.h"
#include "tests/sim/kernel_test_graphs.h"

namespace {

using namespace tinyskip;
using test::OpType;

int uniform(std::mt19937& g, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g); }
float log_scale(std::mt19937& g, double lo, double hi) {
  return static_cast<float>(std::exp2(std::uniform_real_distribution<double>(lo, hi)(g)));
}
std::vector<int8_t> random_int8s(std::mt19937& g, int64_t n) {
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<int8_t>(uniform(g, -128, 127));
  return v;
}

// Real-valued softmax of int8 logits with the given scale and beta, in 1/256
// units minus 128 (the int8 encoding), before rounding.
std::vector<double> float_softmax_256ths(const std::vector<int8_t>& logits, float scale, float beta) {
  const int8_t max = *std::max_element(logits.begin(), logits.end());
  std::vector<double> e;
  double sum = 0;
  for (int8_t x : logits) {
    e.push_back(std::exp(double{beta} * scale * (x - max)));
    sum += e.back();
  }
  for (double& v : e) v = v / sum * 256.0 - 128.0;
  return e;
}

}  // namespace

TEST_CASE("conv: an all-zero filter channel outputs its requantised bias everywhere") {
  std::mt19937 g(101);
  for (int trial = 0; trial < 50; ++trial) {
    naive::ConvSpec s;
    s.input = {uniform(g, 1, 2), uniform(g, 3, 8), uniform(g, 3, 8), uniform(g, 1, 4)};
    s.out_channels = uniform(g, 2, 5);
    s.kernel_h = s.kernel_w = uniform(g, 1, 3);
    s.stride_h = s.stride_w = uniform(g, 1, 2);
    s.pad = uniform(g, 0, 1) ? naive::Pad::kSame : naive::Pad::kValid;
    s.in = {log_scale(g, -8, 0), uniform(g, -128, 127)};
    s.out = {log_scale(g, -8, 0), uniform(g, -128, 127)};
    for (int c = 0; c < s.out_channels; ++c) s.filter_scales.push_back(log_scale(g, -10, -2));
    const int zero_channel = uniform(g, 0, s.out_channels - 1);
    std::vector<int8_t> filter = random_int8s(g, int64_t{s.out_channels} * s.kernel_h * s.kernel_w * s.input.c);
    const int64_t per_channel = int64_t{s.kernel_h} * s.kernel_w * s.input.c;
    std::fill_n(filter.begin() + zero_channel * per_channel, per_channel, int8_t{0});
    std::vector<int32_t> bias;
    for (int c = 0; c < s.out_channels; ++c) bias.push_back(uniform(g, -100000, 100000));

    const sim::Graph graph = test::conv_graph(s, false, filter, bias);
    const auto [params, requant] = sim::make_conv_params(graph, graph.ops[0]);
    const auto out = test::run_conv_sim(graph, random_int8s(g, s.input.size()));
    // Whatever the input, the accumulator of that channel is exactly the bias.
    const int32_t expected = std::clamp(
        naive::requantize(bias[static_cast<size_t>(zero_channel)], requant.multiplier[static_cast<size_t>(zero_channel)],
                          requant.shift[static_cast<size_t>(zero_channel)]) +
            s.out.zero_point,
        -128, 127);
    for (size_t i = static_cast<size_t>(zero_channel); i < out.size(); i += static_cast<size_t>(s.out_channels))
      REQUIRE(out[i] == expected);
  }
}

TEST_CASE("conv and depthwise: unit filters at unit scale copy the input, shifted by the zero points") {
  std::mt19937 g(102);
  for (int trial = 0; trial < 50; ++trial) {
    const int channels = uniform(g, 1, 5);
    const int zp_in = uniform(g, -128, 127), zp_out = uniform(g, -128, 127);
    naive::ConvSpec s;
    s.input = {uniform(g, 1, 3), uniform(g, 1, 6), uniform(g, 1, 6), channels};
    s.out_channels = channels;
    s.in = {0.5f, zp_in};
    s.out = {0.25f, zp_out};
    s.filter_scales = {0.5f};  // 0.5 * 0.5 / 0.25 = 1: requantisation is the identity
    const auto input = random_int8s(g, s.input.size());
    std::vector<int8_t> identity(static_cast<size_t>(channels * channels), 0);
    for (int c = 0; c < channels; ++c) identity[static_cast<size_t>(c * channels + c)] = 1;
    const auto conv_out = test::run_conv_sim(test::conv_graph(s, false, identity, {}), input);
    const auto depthwise_out =
        test::run_conv_sim(test::conv_graph(s, true, std::vector<int8_t>(static_cast<size_t>(channels), 1), {}), input);
    for (size_t i = 0; i < input.size(); ++i) {
      const int8_t expected = static_cast<int8_t>(std::clamp(input[i] - zp_in + zp_out, -128, 127));
      REQUIRE(conv_out[i] == expected);
      REQUIRE(depthwise_out[i] == expected);
    }
  }
}

TEST_CASE("conv: a batch computes each image independently") {
  std::mt19937 g(103);
  naive::ConvSpec s;
  s.input = {3, 7, 6, 3};
  s.out_channels = 4;
  s.kernel_h = 3;
  s.kernel_w = 2;
  s.stride_h = 2;
  s.dilation_w = 2;
  s.pad = naive::Pad::kSame;
  s.act = naive::Act::kRelu6;
  s.in = {0.02f, -3};
  s.out = {0.05f, 11};
  s.filter_scales = {0.01f, 0.02f, 0.005f, 0.03f};
  const auto filter = random_int8s(g, 4 * 3 * 2 * 3);
  const auto input = random_int8s(g, s.input.size());
  const auto batched = test::run_conv_sim(test::conv_graph(s, false, filter, {7, -7, 70, -70}), input);
  naive::ConvSpec single = s;
  single.input.n = 1;
  const size_t in_image = static_cast<size_t>(single.input.size());
  const size_t out_image = batched.size() / 3;
  for (size_t b = 0; b < 3; ++b) {
    const std::vector<int8_t> image(input.begin() + static_cast<long>(b * in_image),
                                    input.begin() + static_cast<long>((b + 1) * in_image));
    const auto alone = test::run_conv_sim(test::conv_graph(single, false, filter, {7, -7, 70, -70}), image);
    REQUIRE(std::equal(alone.begin(), alone.end(), batched.begin() + static_cast<long>(b * out_image)));
  }
}

TEST_CASE("fully connected: one-hot weights at unit scale select an input") {
  std::mt19937 g(104);
  for (int trial = 0; trial < 50; ++trial) {
    naive::FullyConnectedSpec s;
    s.batches = uniform(g, 1, 3);
    s.depth = uniform(g, 1, 20);
    s.units = uniform(g, 1, 6);
    s.in = {0.5f, uniform(g, -128, 127)};
    s.out = {0.5f, uniform(g, -128, 127)};
    s.weight_scales = {1.0f};
    std::vector<int8_t> weights(static_cast<size_t>(s.units * s.depth), 0);
    std::vector<int> picked;
    for (int u = 0; u < s.units; ++u) {
      picked.push_back(uniform(g, 0, s.depth - 1));
      weights[static_cast<size_t>(u * s.depth + picked.back())] = 1;
    }
    const auto input = random_int8s(g, int64_t{s.batches} * s.depth);
    const auto out = test::run_fully_connected_sim(test::fully_connected_graph(s, weights, {}), input);
    for (int b = 0; b < s.batches; ++b)
      for (int u = 0; u < s.units; ++u)
        REQUIRE(out[static_cast<size_t>(b * s.units + u)] ==
                std::clamp(input[static_cast<size_t>(b * s.depth + picked[static_cast<size_t>(u)])] - s.in.zero_point +
                               s.out.zero_point,
                           -128, 127));
  }
}

TEST_CASE("pooling a constant image gives the constant, clamped to the activation") {
  std::mt19937 g(105);
  for (int trial = 0; trial < 100; ++trial) {
    naive::PoolSpec s;
    s.input = {uniform(g, 1, 2), uniform(g, 1, 7), uniform(g, 1, 7), uniform(g, 1, 3)};
    s.kernel_h = uniform(g, 1, 3);
    s.kernel_w = uniform(g, 1, 3);
    s.stride_h = uniform(g, 1, 3);
    s.stride_w = uniform(g, 1, 3);
    s.pad = naive::Pad::kSame;  // every window has at least one in-bounds tap
    s.act = uniform(g, 0, 1) ? naive::Act::kRelu : naive::Act::kNone;
    s.out = {0.1f, uniform(g, -128, 127)};
    const int8_t value = static_cast<int8_t>(uniform(g, -128, 127));
    const std::vector<int8_t> input(static_cast<size_t>(s.input.size()), value);
    // RELU clamps below at the zero point (real 0).
    const int8_t expected = s.act == naive::Act::kRelu ? std::max<int8_t>(value, static_cast<int8_t>(s.out.zero_point))
                                                       : value;
    for (OpType type : {OpType::kMaxPool2D, OpType::kAveragePool2D}) {
      const auto out = test::run_pool_sim(test::pool_graph(s, type), input);
      REQUIRE(std::all_of(out.begin(), out.end(), [&](int8_t v) { return v == expected; }));
    }
  }
}

TEST_CASE("add: a zero second input leaves the first unchanged at equal quantisation") {
  std::mt19937 g(106);
  for (int trial = 0; trial < 200; ++trial) {
    naive::AddSpec s;
    s.in1 = {log_scale(g, -8, 2), uniform(g, -128, 127)};
    s.in2 = {static_cast<float>(s.in1.scale * std::exp2(uniform(g, -8, 8))), uniform(g, -128, 127)};
    s.out = s.in1;
    const auto a = random_int8s(g, 64);
    const std::vector<int8_t> zero(64, static_cast<int8_t>(s.in2.zero_point));
    // a + 0 with the output quantised like a: the 2^20 headroom makes every
    // intermediate rounding vanish, so the result is a itself.
    REQUIRE(test::run_add_sim(test::add_graph(s, {1, 1, 1, 64}), a, zero) == a);
    // With another output scale it is a requantised, within one unit of the
    // real-valued result.
    s.out = {log_scale(g, -8, 2), uniform(g, -128, 127)};
    if (2.0 * std::max(s.in1.scale, s.in2.scale) / (1048576.0 * s.out.scale) >= 1.0) continue;
    const auto out = test::run_add_sim(test::add_graph(s, {1, 1, 1, 64}), a, zero);
    for (size_t i = 0; i < a.size(); ++i) {
      const double real = double{s.in1.scale} / s.out.scale * (a[i] - s.in1.zero_point) + s.out.zero_point;
      REQUIRE(std::abs(out[i] - std::clamp(real, -128.0, 127.0)) <= 1.0);
    }
  }
}

TEST_CASE("softmax: monotone, shift-invariant, within one unit of the real softmax") {
  std::mt19937 g(107);
  for (int trial = 0; trial < 300; ++trial) {
    naive::SoftmaxSpec s;
    s.depth = uniform(g, 2, 20);
    s.input_scale = log_scale(g, -7, 1);
    s.beta = uniform(g, 0, 1) ? 1.0f : 0.5f;
    // Logits within [-100, 100] so a shift by up to 27 stays in int8.
    std::vector<int8_t> logits(static_cast<size_t>(s.depth));
    for (auto& x : logits) x = static_cast<int8_t>(uniform(g, -100, 100));
    const auto out = test::run_softmax_sim(test::softmax_graph(s), logits);
    const auto real = float_softmax_256ths(logits, s.input_scale, s.beta);
    int sum = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      INFO("trial " << trial << " class " << i << " real " << real[i]);
      REQUIRE(std::abs(out[i] - std::clamp(real[i], -128.0, 127.0)) <= 1.0);
      for (size_t j = 0; j < out.size(); ++j)
        if (logits[i] >= logits[j]) REQUIRE(out[i] >= out[j]);
      sum += out[i] + 128;
    }
    // Each output is a rounding (+-0.5) of p * 256, and the largest may lose
    // one more count to the 127 clamp: the counts sum to 256 within depth/2 + 1.
    REQUIRE(std::abs(sum - 256) <= s.depth / 2 + 1);
    std::vector<int8_t> shifted = logits;
    const int shift = uniform(g, -27, 27);
    for (auto& x : shifted) x = static_cast<int8_t>(x + shift);
    REQUIRE(test::run_softmax_sim(test::softmax_graph(s), shifted) == out);
  }
}

TEST_CASE("TFLM's ResNet-8 softmax outputs satisfy the int8 softmax bounds") {
  // The inputs to that softmax are not available; what can be checked is
  // that every reference row is a possible int8 softmax output: counts summing
  // to 256 within depth/2 + 1 = 6, and a maximum of at least 256/10 counts.
  std::ifstream file(test::shared_path("reference/resnet8_test_0-999_tflm_out_i8.bin"), std::ios::binary);
  REQUIRE(file);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(file), {}};
  REQUIRE(bytes.size() == 10000);
  for (size_t row = 0; row < 1000; ++row) {
    int sum = 0, max = -128;
    for (size_t c = 0; c < 10; ++c) {
      const int v = static_cast<int8_t>(bytes[row * 10 + c]);
      sum += v + 128;
      max = std::max(max, v);
    }
    INFO("image " << row);
    REQUIRE(std::abs(sum - 256) <= 6);
    REQUIRE(max + 128 >= 25);
  }
}

TEST_CASE("quantize(dequantize(q)) == q for every int8 value and scale") {
  std::mt19937 g(108);
  std::vector<int8_t> all;
  for (int v = -128; v <= 127; ++v) all.push_back(static_cast<int8_t>(v));
  for (int trial = 0; trial < 200; ++trial) {
    // Any normal scale: (q - zp) * s rounds to float with relative error
    // 2^-24, dividing back by s in float stays within 3e-5 of the integer.
    const naive::Quant q{log_scale(g, -30, 20), uniform(g, -128, 127)};
    const auto real = test::run_dequantize_sim(test::dequantize_graph(q, 256), all);
    INFO("scale " << q.scale << " zero point " << q.zero_point);
    REQUIRE(test::run_quantize_sim(test::quantize_graph(q, 256), real) == all);
  }
}
