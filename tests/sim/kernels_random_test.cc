// Randomised differential tests: every int8 op, prepared from a one-op graph
// by sim/kernels/op_params and run by the simulator's reference kernel, must
// match the naive oracle of naive_int8.h byte for byte. Shapes, strides,
// dilations, padding, zero points, scales (several decades, including
// multipliers that flush to zero and ones that need a left shift),
// per-channel / per-tensor weights, activations and batch sizes are drawn
// with fixed seeds, so a failure is reproducible from the printed case.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "tests/sim/kernel_test_graphs.h"

namespace {

using namespace tinyskip;
using test::OpType;

class Rng {
 public:
  explicit Rng(uint32_t seed) : engine_(seed) {}
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(engine_); }
  bool chance(double p) { return real(0, 1) < p; }
  // 2^u with u uniform in [lo, hi]: scales spread evenly over decades.
  float log_scale(double lo, double hi) { return static_cast<float>(std::exp2(real(lo, hi))); }
  int zero_point() { return uniform(-128, 127); }
  naive::Act act() { return static_cast<naive::Act>(uniform(0, 2)); }
  naive::Pad pad() { return chance(0.5) ? naive::Pad::kSame : naive::Pad::kValid; }
  std::vector<int8_t> int8s(int64_t n) {
    std::vector<int8_t> v(static_cast<size_t>(n));
    // Sometimes a narrow range, so clamps and ties are hit, not only noise.
    const int lo = chance(0.2) ? uniform(-128, 120) : -128;
    const int hi = chance(0.2) ? uniform(lo, std::min(127, lo + 8)) : 127;
    for (auto& x : v) x = static_cast<int8_t>(uniform(lo, hi));
    return v;
  }
  std::vector<int32_t> bias(int n) {
    if (chance(0.15)) return {};  // no bias operand
    const int magnitude = chance(0.2) ? (1 << 26) : (1 << 14);
    std::vector<int32_t> v(static_cast<size_t>(n));
    for (auto& x : v) x = uniform(-magnitude, magnitude);
    return v;
  }

 private:
  std::mt19937 engine_;
};

std::string describe(const naive::ConvSpec& s) {
  std::ostringstream o;
  o << "input " << s.input.n << "x" << s.input.h << "x" << s.input.w << "x" << s.input.c << " out_c "
    << s.out_channels << " kernel " << s.kernel_h << "x" << s.kernel_w << " stride " << s.stride_h << ","
    << s.stride_w << " dilation " << s.dilation_h << "," << s.dilation_w << " pad "
    << (s.pad == naive::Pad::kSame ? "SAME" : "VALID") << " act " << static_cast<int>(s.act) << " zp "
    << s.in.zero_point << "/" << s.out.zero_point << " scales " << s.in.scale << "/" << s.out.scale << " x"
    << s.filter_scales.size();
  return o.str();
}

// A random conv or depthwise spec whose output is non-empty. The output
// scale is chosen so the effective multiplier in*filter/out spans 2^-38
// (flushed to zero) .. 2^3 (left shift).
naive::ConvSpec random_conv_spec(Rng& rng, bool depthwise) {
  for (;;) {
    naive::ConvSpec s;
    s.input = {rng.uniform(1, 3), rng.uniform(1, 9), rng.uniform(1, 9), rng.uniform(1, 6)};
    s.out_channels = depthwise ? s.input.c * rng.uniform(1, 3) : rng.uniform(1, 6);
    s.kernel_h = rng.uniform(1, 4);
    s.kernel_w = rng.uniform(1, 4);
    s.stride_h = rng.uniform(1, 3);
    s.stride_w = rng.uniform(1, 3);
    s.dilation_h = rng.uniform(1, 2);
    s.dilation_w = rng.uniform(1, 2);
    s.pad = rng.pad();
    s.act = rng.act();
    s.in = {rng.log_scale(-10, 2), rng.zero_point()};
    const int scale_count = rng.chance(0.5) ? 1 : s.out_channels;
    for (int i = 0; i < scale_count; ++i) s.filter_scales.push_back(rng.chance(0.05) ? 0.0f : rng.log_scale(-12, 0));
    const double reference_filter_scale = std::exp2(-6.0);
    s.out = {static_cast<float>(s.in.scale * reference_filter_scale / std::exp2(rng.real(-32, 3))), rng.zero_point()};
    const naive::Dims od = naive::conv_output_dims(s);
    if (od.h > 0 && od.w > 0) return s;
  }
}

void check_conv_case(Rng& rng, bool depthwise) {
  const naive::ConvSpec s = random_conv_spec(rng, depthwise);
  const std::vector<int8_t> input = rng.int8s(s.input.size());
  const int64_t filter_size = int64_t{s.out_channels} * s.kernel_h * s.kernel_w * (depthwise ? 1 : s.input.c);
  const std::vector<int8_t> filter = rng.int8s(filter_size);
  const std::vector<int32_t> bias = rng.bias(s.out_channels);
  const auto expected = depthwise ? naive::depthwise_conv(s, input, filter, bias) : naive::conv(s, input, filter, bias);
  const sim::Graph graph = test::conv_graph(s, depthwise, filter, bias);
  INFO(describe(s));
  // The derived multipliers themselves, not only their effect on outputs
  // (a last-bit multiplier difference rarely changes a random output).
  const sim::ChannelRequant requant = depthwise ? sim::make_depthwise_params(graph, graph.ops[0]).second
                                                : sim::make_conv_params(graph, graph.ops[0]).second;
  for (int oc = 0; oc < s.out_channels; ++oc) {
    const naive::Multiplier m = naive::channel_multiplier(s, oc);
    REQUIRE(requant.multiplier[static_cast<size_t>(oc)] == m.multiplier);
    REQUIRE(requant.shift[static_cast<size_t>(oc)] == m.shift);
  }
  REQUIRE(test::run_conv_sim(graph, input) == expected);
}

}  // namespace

TEST_CASE("conv_s8 matches the naive oracle on random cases") {
  Rng rng(20240601);
  for (int i = 0; i < 2000; ++i) check_conv_case(rng, false);
}

TEST_CASE("depthwise_conv_s8 matches the naive oracle on random cases") {
  Rng rng(20240602);
  for (int i = 0; i < 2000; ++i) check_conv_case(rng, true);
}

TEST_CASE("fully_connected_s8 matches the naive oracle on random cases") {
  Rng rng(20240603);
  for (int i = 0; i < 3000; ++i) {
    naive::FullyConnectedSpec s;
    s.batches = rng.uniform(1, 4);
    s.depth = rng.uniform(1, 40);
    s.units = rng.uniform(1, 10);
    s.act = rng.act();
    s.in = {rng.log_scale(-10, 2), rng.zero_point()};
    const int scale_count = rng.chance(0.5) ? 1 : s.units;
    for (int u = 0; u < scale_count; ++u) s.weight_scales.push_back(rng.log_scale(-12, 0));
    s.out = {static_cast<float>(s.in.scale * std::exp2(-6.0) / std::exp2(rng.real(-32, 3))), rng.zero_point()};
    const auto input = rng.int8s(int64_t{s.batches} * s.depth);
    const auto weights = rng.int8s(int64_t{s.units} * s.depth);
    const auto bias = rng.bias(s.units);
    INFO("case " << i << " batches " << s.batches << " depth " << s.depth << " units " << s.units << " scales "
                 << s.weight_scales.size());
    const sim::Graph graph = test::fully_connected_graph(s, weights, bias);
    const sim::ChannelRequant requant = sim::make_fully_connected_params(graph, graph.ops[0]).second;
    for (int u = 0; u < s.units; ++u) {
      REQUIRE(requant.multiplier[static_cast<size_t>(u)] == naive::fc_multiplier(s, u).multiplier);
      REQUIRE(requant.shift[static_cast<size_t>(u)] == naive::fc_multiplier(s, u).shift);
    }
    REQUIRE(test::run_fully_connected_sim(graph, input) == naive::fully_connected(s, input, weights, bias));
  }
}

TEST_CASE("max_pool_s8 and avg_pool_s8 match the naive oracle on random cases") {
  Rng rng(20240604);
  for (int i = 0; i < 1500; ++i) {
    naive::PoolSpec s;
    s.input = {rng.uniform(1, 3), rng.uniform(1, 9), rng.uniform(1, 9), rng.uniform(1, 5)};
    s.kernel_h = rng.uniform(1, 4);
    s.kernel_w = rng.uniform(1, 4);
    s.stride_h = rng.uniform(1, 3);
    s.stride_w = rng.uniform(1, 3);
    s.pad = rng.pad();
    s.act = rng.act();
    s.out = {rng.log_scale(-8, 1), rng.zero_point()};
    const naive::Dims od = naive::pool_output_dims(s);
    if (od.h <= 0 || od.w <= 0) continue;
    const auto input = rng.int8s(s.input.size());
    INFO("case " << i << " input " << s.input.h << "x" << s.input.w << " kernel " << s.kernel_h << "x" << s.kernel_w
                 << " stride " << s.stride_h << "," << s.stride_w);
    REQUIRE(test::run_pool_sim(test::pool_graph(s, OpType::kMaxPool2D), input) == naive::max_pool(s, input));
    REQUIRE(test::run_pool_sim(test::pool_graph(s, OpType::kAveragePool2D), input) == naive::avg_pool(s, input));
  }
}

TEST_CASE("add_s8 matches the naive oracle on random cases") {
  Rng rng(20240605);
  for (int i = 0; i < 3000; ++i) {
    naive::AddSpec s;
    s.in1 = {rng.log_scale(-8, 2), rng.zero_point()};
    s.in2 = {static_cast<float>(s.in1.scale * std::exp2(rng.real(-12, 12))), rng.zero_point()};
    // Output multiplier 2*max/(2^20*out) must stay below 1: out > 2*max/2^20.
    const double max_in = std::max(s.in1.scale, s.in2.scale);
    s.out = {static_cast<float>(max_in * std::exp2(rng.real(-12, 5))), rng.zero_point()};
    s.act = rng.act();
    const naive::Dims dims{rng.uniform(1, 3), rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(1, 8)};
    const auto a = rng.int8s(dims.size());
    const auto b = rng.int8s(dims.size());
    INFO("case " << i << " scales " << s.in1.scale << " " << s.in2.scale << " -> " << s.out.scale);
    const sim::Graph graph = test::add_graph(s, dims);
    const sim::AddParams params = sim::make_add_params(graph, graph.ops[0]);
    const naive::AddMultipliers m = naive::add_multipliers(s);
    REQUIRE(params.input1.multiplier == m.in1.multiplier);
    REQUIRE(params.input1.shift == m.in1.shift);
    REQUIRE(params.input2.multiplier == m.in2.multiplier);
    REQUIRE(params.input2.shift == m.in2.shift);
    REQUIRE(params.output.multiplier == m.out.multiplier);
    REQUIRE(params.output.shift == m.out.shift);
    REQUIRE(test::run_add_sim(graph, a, b) == naive::add(s, a, b));
  }
}

TEST_CASE("softmax_s8 matches the naive oracle on random cases") {
  Rng rng(20240606);
  const float betas[] = {1.0f, 0.5f, 2.0f, 0.1f};
  for (int i = 0; i < 5000; ++i) {
    naive::SoftmaxSpec s;
    s.rows = rng.uniform(1, 5);
    s.depth = rng.chance(0.5) ? 10 : rng.uniform(1, 40);
    // From 2^-9 (every logit within a few units of exp(0)) to 2^6 (the
    // multiplier caps at 2^31 - 1 and only the maxima survive).
    s.input_scale = rng.log_scale(-9, 6);
    s.beta = betas[rng.uniform(0, 3)];
    if (double{s.beta} * s.input_scale * 67108864.0 <= 1.0) continue;  // rejected by TFLM too
    const auto input = rng.int8s(int64_t{s.rows} * s.depth);
    INFO("case " << i << " rows " << s.rows << " depth " << s.depth << " scale " << s.input_scale << " beta "
                 << s.beta);
    const sim::Graph graph = test::softmax_graph(s);
    const sim::SoftmaxParams params = sim::make_softmax_params(graph, graph.ops[0]);
    const naive::Multiplier m = naive::softmax_multiplier(s);
    REQUIRE(params.input_multiplier == m.multiplier);
    REQUIRE(params.input_left_shift == m.shift);
    REQUIRE(params.diff_min == -naive::softmax_radius(m));
    REQUIRE(test::run_softmax_sim(graph, input) == naive::softmax(s, input));
  }
}

TEST_CASE("quantize_f32_s8 matches the naive float-division emulation on random cases") {
  Rng rng(20240607);
  for (int i = 0; i < 1000; ++i) {
    const naive::Quant q{rng.log_scale(-12, 4), rng.zero_point()};
    std::vector<float> values;
    for (int k = 0; k < 64; ++k) {
      const double units = rng.chance(0.3) ? rng.uniform(-300, 300) + 0.5 : rng.real(-300, 300);
      values.push_back(static_cast<float>(units * q.scale));  // near or on rounding ties
    }
    values.push_back(0.0f);
    values.push_back(1e30f);
    values.push_back(-1e30f);
    INFO("case " << i << " scale " << q.scale << " zero point " << q.zero_point);
    std::vector<int8_t> expected;
    for (float v : values) expected.push_back(naive::quantize(v, q));
    REQUIRE(test::run_quantize_sim(test::quantize_graph(q, static_cast<int>(values.size())), values) == expected);
  }
}

TEST_CASE("dequantize_s8_f32 matches the exact-product-then-round oracle for all int8 values") {
  Rng rng(20240608);
  std::vector<int8_t> all(256);
  for (int v = -128; v <= 127; ++v) all[static_cast<size_t>(v + 128)] = static_cast<int8_t>(v);
  for (int i = 0; i < 200; ++i) {
    const naive::Quant q{rng.log_scale(-20, 10), rng.zero_point()};
    const auto actual = test::run_dequantize_sim(test::dequantize_graph(q, 256), all);
    INFO("case " << i << " scale " << q.scale << " zero point " << q.zero_point);
    for (size_t k = 0; k < all.size(); ++k) {
      const float expected = naive::dequantize(all[k], q);
      REQUIRE(std::memcmp(&actual[k], &expected, sizeof(float)) == 0);
    }
  }
}
