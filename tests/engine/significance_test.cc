// Significance scores: a hand-worked conv, the zero-denominator rule, and the
// fast implementation against the naive one (tests/engine/naive_significance.h)
// on random small layers.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "engine/significance/significance.h"
#include "sim/model_error.h"
#include "tests/engine/naive_significance.h"
#include "tests/engine/significance_graphs.h"

using tinyskip::engine::compute_significance;
using tinyskip::engine::LayerScores;
using tinyskip::engine::SignificanceError;
using tinyskip::engine::SignificanceMetric;
using tinyskip::engine::SignificanceOptions;
using tinyskip::sim::OpType;
using tinyskip::sim::Padding;
using tinyskip::test::LayerSpec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

LayerScores scores_of(const LayerSpec& spec, const std::vector<int8_t>& inputs,
                      SignificanceMetric metric = SignificanceMetric::kPaper, int threads = 0) {
  const tinyskip::sim::Graph graph = tinyskip::test::layer_graph(spec);
  SignificanceOptions options;
  options.metric = metric;
  options.threads = threads;
  return compute_significance(graph, 0, inputs, options);
}

// |a - b| <= 1e-12 * max(|a|, |b|), with infinities equal only to themselves.
bool close(double a, double b) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

void check_against_naive(const LayerSpec& spec, const std::vector<int8_t>& inputs) {
  const LayerScores fast = scores_of(spec, inputs);
  const tinyskip::test::NaiveScores naive = tinyskip::test::naive_paper_significance(spec, inputs);
  REQUIRE(fast.layout.rows == naive.rows);
  REQUIRE(fast.layout.depth == naive.depth);
  CHECK(fast.column_calls[0] == naive.calls[0]);
  CHECK(fast.column_calls[1] == naive.calls[1]);
  int mismatches = 0;
  for (size_t i = 0; i < naive.column_mean.size(); ++i)
    mismatches += !close(fast.column_mean[i], naive.column_mean[i]);
  for (size_t i = 0; i < naive.score.size(); ++i) mismatches += !close(fast.score[i], naive.score[i]);
  CHECK(mismatches == 0);

  const LayerScores fast_magnitude = scores_of(spec, inputs, SignificanceMetric::kMagnitude);
  const tinyskip::test::NaiveScores naive_magnitude = tinyskip::test::naive_magnitude_significance(spec, inputs);
  int magnitude_mismatches = 0;
  for (size_t i = 0; i < naive_magnitude.score.size(); ++i)
    magnitude_mismatches += !close(fast_magnitude.score[i], naive_magnitude.score[i]);
  CHECK(magnitude_mismatches == 0);
  CHECK(fast_magnitude.column_mean.empty());
}

}  // namespace

TEST_CASE("significance: hand-worked 2x1 conv over two images") {
  // Input 2x2x1 with zero point 1 (input offset -1), filter 2x1 (ky = 0, 1),
  // VALID: output 1x2, i.e. one kernel call per image with pixel 0 (ox = 0) as
  // column p = 0 and pixel 1 (ox = 1) as p = 1. Column of ox = (in[0][ox],
  // in[1][ox]) - 1.
  LayerSpec spec;
  spec.in_h = 2, spec.in_w = 2, spec.in_c = 1, spec.out_c = 2;
  spec.filter_h = 2, spec.filter_w = 1;
  spec.input_zero_point = 1;
  spec.filter = {1, 2,    // row 0: w = (1, 2)
                 3, -1};  // row 1: w = (3, -1)
  // Image A [[3, 2], [5, -1]] -> x: p0 = (2, 4), p1 = (1, -2).
  // Image B [[1, 4], [-2, 3]] -> x: p0 = (0, -3), p1 = (3, 2).
  const std::vector<int8_t> inputs = {3, 2, 5, -1, 1, 4, -2, 3};
  //                den    d(0)      d(1)
  // row 0, A, p0:  10    2/10      8/10
  // row 0, B, p0:  -6    0         6/6
  // row 0, A, p1:  -3    1/3       4/3
  // row 0, B, p1:   7    3/7       4/7
  // row 1, A, p0:   2    6/2       4/2
  // row 1, B, p0:   3    0         3/3
  // row 1, A, p1:   5    3/5       2/5
  // row 1, B, p1:   7    9/7       2/7
  // D = mean over the two images; score = max over p.
  const LayerScores scores = scores_of(spec, inputs);
  CHECK(scores.images == 2);
  CHECK(scores.column_calls[0] == 2);
  CHECK(scores.column_calls[1] == 2);
  CHECK(scores.column_mean_at(0, 0, 0) == Approx(0.1).epsilon(1e-15));
  CHECK(scores.column_mean_at(0, 0, 1) == Approx(0.9).epsilon(1e-15));
  CHECK(scores.column_mean_at(1, 0, 0) == Approx(8.0 / 21).epsilon(1e-15));   // (1/3 + 3/7) / 2
  CHECK(scores.column_mean_at(1, 0, 1) == Approx(20.0 / 21).epsilon(1e-15));  // (4/3 + 4/7) / 2
  CHECK(scores.column_mean_at(0, 1, 0) == Approx(1.5).epsilon(1e-15));
  CHECK(scores.column_mean_at(0, 1, 1) == Approx(1.5).epsilon(1e-15));
  CHECK(scores.column_mean_at(1, 1, 0) == Approx(33.0 / 35).epsilon(1e-15));  // (3/5 + 9/7) / 2
  CHECK(scores.column_mean_at(1, 1, 1) == Approx(12.0 / 35).epsilon(1e-15));  // (2/5 + 2/7) / 2
  CHECK(scores.score_at(0, 0) == Approx(8.0 / 21).epsilon(1e-15));
  CHECK(scores.score_at(0, 1) == Approx(20.0 / 21).epsilon(1e-15));
  CHECK(scores.score_at(1, 0) == Approx(1.5).epsilon(1e-15));
  CHECK(scores.score_at(1, 1) == Approx(1.5).epsilon(1e-15));

  // Magnitude: sum over the 4 pixels of |x| per index: k0 = 2+1+0+3 = 6,
  // k1 = 4+2+3+2 = 11. Row 0: |w| = (1, 2) -> 6 and 22 of 28. Row 1: (3, 1)
  // -> 18 and 11 of 29.
  const LayerScores magnitude = scores_of(spec, inputs, SignificanceMetric::kMagnitude);
  CHECK(magnitude.score_at(0, 0) == Approx(6.0 / 28).epsilon(1e-15));
  CHECK(magnitude.score_at(0, 1) == Approx(22.0 / 28).epsilon(1e-15));
  CHECK(magnitude.score_at(1, 0) == Approx(18.0 / 29).epsilon(1e-15));
  CHECK(magnitude.score_at(1, 1) == Approx(11.0 / 29).epsilon(1e-15));
}

TEST_CASE("significance: zero denominators are left out, or give 0 / infinity") {
  // Input 1x2x2 (two pixels, two channels), zero point 0, 1x1 filter: the
  // column of a pixel is its two channel values.
  LayerSpec spec;
  spec.in_h = 1, spec.in_w = 2, spec.in_c = 2, spec.out_c = 3;
  spec.filter = {1, -1,   // row 0
                 2, 0,    // row 1 (second weight already zero)
                 0, 3};   // row 2
  // Image A: p0 x = (3, 3), p1 x = (0, 0). Image B: p0 x = (1, 2), p1 x = (-4, -4).
  const std::vector<int8_t> inputs = {3, 3, 0, 0, 1, 2, -4, -4};
  const LayerScores s = scores_of(spec, inputs);
  // Row 0, p0: A has den 0 (left out), B den -1 -> d = (1, 2).
  CHECK(s.column_mean_at(0, 0, 0) == 1.0);
  CHECK(s.column_mean_at(0, 0, 1) == 2.0);
  // Row 0, p1: A den 0 with zero numerators, B den 0 with numerators (-4, 4):
  // no call left and a non-zero numerator -> never skip.
  CHECK(s.column_mean_at(1, 0, 0) == kInf);
  CHECK(s.column_mean_at(1, 0, 1) == kInf);
  CHECK(s.score_at(0, 0) == kInf);
  // Row 1 (2, 0): p0 dens 6 and 2 -> d(0) = 1 both; p1: A den 0 left out,
  // B den -8 -> d(0) = 1. The zero weight scores 0.
  CHECK(s.column_mean_at(0, 1, 0) == 1.0);
  CHECK(s.column_mean_at(1, 1, 0) == 1.0);
  CHECK(s.score_at(1, 1) == 0.0);
  // Row 2 (0, 3): p0 dens 9 and 6 -> d(1) = 1; p1: A left out, B den -12 -> 1.
  CHECK(s.score_at(2, 0) == 0.0);
  CHECK(s.score_at(2, 1) == 1.0);
  check_against_naive(spec, inputs);
}

TEST_CASE("significance: inputs at the zero point give 0 everywhere") {
  // Every column is 0, so every denominator and numerator is 0: no call is
  // counted and D = 0 (nothing measurable, nothing at stake).
  LayerSpec spec;
  spec.type = OpType::kFullyConnected;
  spec.in_c = 3, spec.out_c = 2;
  spec.input_zero_point = -7;
  spec.filter = {1, 2, 3, -4, 5, -6};
  const std::vector<int8_t> inputs(9, -7);  // three images
  for (const SignificanceMetric metric : {SignificanceMetric::kPaper, SignificanceMetric::kMagnitude}) {
    const LayerScores s = scores_of(spec, inputs, metric);
    for (double value : s.score) CHECK(value == 0.0);
  }
  const LayerScores paper = scores_of(spec, inputs);
  CHECK(paper.column_calls[0] == 3);  // one call per image, column 0 only
  CHECK(paper.column_calls[1] == 0);
}

TEST_CASE("significance: fully connected, one call per image") {
  // in = (x0, x1) with zero point 0; w = (1, 3). Image A x = (2, 1): den 5,
  // d = (2/5, 3/5). Image B x = (-1, 1): den 2, d = (1/2, 3/2).
  LayerSpec spec;
  spec.type = OpType::kFullyConnected;
  spec.in_c = 2, spec.out_c = 1;
  spec.filter = {1, 3};
  const LayerScores s = scores_of(spec, {2, 1, -1, 1});
  CHECK(s.score_at(0, 0) == Approx(0.45).epsilon(1e-15));  // (2/5 + 1/2) / 2
  CHECK(s.score_at(0, 1) == Approx(1.05).epsilon(1e-15));  // (3/5 + 3/2) / 2
}

TEST_CASE("significance: random convolutions match the naive reference") {
  std::mt19937 rng(20240917);
  for (int trial = 0; trial < 40; ++trial) {
    LayerSpec spec;
    std::uniform_int_distribution<int> small(1, 3);
    spec.in_h = std::uniform_int_distribution<int>(3, 7)(rng);
    spec.in_w = std::uniform_int_distribution<int>(3, 7)(rng);
    spec.in_c = small(rng);
    spec.out_c = std::uniform_int_distribution<int>(1, 5)(rng);
    spec.filter_h = small(rng);
    spec.filter_w = small(rng);
    spec.padding = trial % 2 ? Padding::kSame : Padding::kValid;
    spec.stride_h = std::uniform_int_distribution<int>(1, 2)(rng);
    spec.stride_w = std::uniform_int_distribution<int>(1, 2)(rng);
    spec.dilation_h = trial % 5 == 0 ? 2 : 1;
    spec.dilation_w = trial % 7 == 0 ? 2 : 1;
    if (spec.padding == Padding::kValid) {  // make the dilated filter fit
      spec.filter_h = std::min(spec.filter_h, (spec.in_h - 1) / spec.dilation_h + 1);
      spec.filter_w = std::min(spec.filter_w, (spec.in_w - 1) / spec.dilation_w + 1);
    }
    spec.input_zero_point = std::uniform_int_distribution<int>(-128, 127)(rng);
    // Every third trial draws from {-1, 0, 1}: many zero weights, zero columns
    // and zero denominators.
    const bool narrow = trial % 3 == 0;
    const int low = narrow ? -1 : -128, high = narrow ? 1 : 127;
    if (narrow) spec.input_zero_point = 0;
    const int weights = spec.out_c * spec.filter_h * spec.filter_w * spec.in_c;
    spec.filter = tinyskip::test::random_int8(rng, static_cast<size_t>(weights), low, high);
    const int images = std::uniform_int_distribution<int>(1, 5)(rng);
    const auto inputs = tinyskip::test::random_int8(rng, static_cast<size_t>(images * spec.input_elements()), low, high);
    INFO("trial " << trial << ": " << spec.in_h << "x" << spec.in_w << "x" << spec.in_c << " -> " << spec.out_c
                  << ", filter " << spec.filter_h << "x" << spec.filter_w << ", stride " << spec.stride_h << ","
                  << spec.stride_w << ", dilation " << spec.dilation_h << "," << spec.dilation_w << ", "
                  << (spec.padding == Padding::kSame ? "SAME" : "VALID") << ", zp " << spec.input_zero_point);
    check_against_naive(spec, inputs);
  }
}

TEST_CASE("significance: random depthwise and fully connected layers match the naive reference") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    LayerSpec spec;
    const bool narrow = trial % 3 == 0;
    const int low = narrow ? -1 : -128, high = narrow ? 1 : 127;
    spec.input_zero_point = narrow ? 0 : std::uniform_int_distribution<int>(-128, 127)(rng);
    spec.in_h = std::uniform_int_distribution<int>(2, 6)(rng);
    spec.in_w = std::uniform_int_distribution<int>(2, 6)(rng);
    spec.in_c = std::uniform_int_distribution<int>(1, 3)(rng);
    if (trial % 2 == 0) {
      spec.type = OpType::kDepthwiseConv2D;
      spec.out_c = spec.in_c * std::uniform_int_distribution<int>(1, 3)(rng);
      spec.filter_h = std::min(spec.in_h, 3);
      spec.filter_w = std::min(spec.in_w, 2);
      spec.padding = trial % 4 == 0 ? Padding::kSame : Padding::kValid;
      spec.stride_w = 1 + trial % 3 / 2;
      const int weights = spec.filter_h * spec.filter_w * spec.out_c;
      spec.filter = tinyskip::test::random_int8(rng, static_cast<size_t>(weights), low, high);
    } else {
      spec.type = OpType::kFullyConnected;
      spec.out_c = std::uniform_int_distribution<int>(1, 6)(rng);
      spec.filter = tinyskip::test::random_int8(rng, static_cast<size_t>(spec.out_c * spec.input_elements()), low, high);
    }
    const int images = std::uniform_int_distribution<int>(1, 4)(rng);
    const auto inputs = tinyskip::test::random_int8(rng, static_cast<size_t>(images * spec.input_elements()), low, high);
    INFO("trial " << trial);
    check_against_naive(spec, inputs);
  }
}

TEST_CASE("significance: odd pixel counts put the trailing pixel in column 0 only") {
  // 1x3 output (3 pixels): calls (0, 1) and (2) per image.
  LayerSpec spec;
  spec.in_h = 1, spec.in_w = 3, spec.in_c = 1, spec.out_c = 1;
  spec.filter = {2};
  const LayerScores s = scores_of(spec, {1, 2, 3, 4, 5, 6});
  CHECK(s.column_calls[0] == 4);
  CHECK(s.column_calls[1] == 2);
  // A single weight always carries the whole sum: d = 1 in every call.
  CHECK(s.score_at(0, 0) == 1.0);
}

TEST_CASE("significance: results are bit-identical for any thread count") {
  // 8x8 output = 64 pixels: 16 images per block, so 100 images make 7 blocks
  // that two threads would sum in a different order from one if the
  // reduction were not deterministic.
  std::mt19937 rng(99);
  LayerSpec spec;
  spec.in_h = 8, spec.in_w = 8, spec.in_c = 4, spec.out_c = 6;
  spec.filter_h = 3, spec.filter_w = 3;
  spec.padding = Padding::kSame;
  spec.input_zero_point = -128;
  spec.filter = tinyskip::test::random_int8(rng, 6 * 3 * 3 * 4);
  const auto inputs = tinyskip::test::random_int8(rng, static_cast<size_t>(100 * spec.input_elements()));
  const LayerScores one = scores_of(spec, inputs, SignificanceMetric::kPaper, 1);
  const LayerScores two = scores_of(spec, inputs, SignificanceMetric::kPaper, 2);
  CHECK(one.score == two.score);
  CHECK(one.column_mean == two.column_mean);
}

TEST_CASE("significance: bad input is rejected with a clear message") {
  LayerSpec spec;
  spec.in_h = 2, spec.in_w = 2, spec.in_c = 1, spec.out_c = 1;
  spec.filter = {1};
  const tinyskip::sim::Graph graph = tinyskip::test::layer_graph(spec);
  const std::vector<int8_t> three(3, 0);
  CHECK_THROWS_WITH(compute_significance(graph, 0, three),
                    Catch::Contains("op 0 (CONV_2D)") && Catch::Contains("3 values") && Catch::Contains("4"));
  CHECK_THROWS_AS(compute_significance(graph, 0, std::vector<int8_t>{}), SignificanceError);
  CHECK_THROWS_WITH(compute_significance(graph, 5, std::vector<int8_t>(4, 0)), Catch::Contains("op index 5"));
  tinyskip::sim::Graph pool = graph;
  pool.ops[0].type = OpType::kMaxPool2D;
  CHECK_THROWS_WITH(compute_significance(pool, 0, std::vector<int8_t>(4, 0)), Catch::Contains("MAX_POOL_2D"));
  CHECK_THROWS_WITH(tinyskip::engine::parse_significance_metric("paperish"), Catch::Contains("paperish"));
  CHECK(tinyskip::engine::parse_significance_metric("magnitude") == SignificanceMetric::kMagnitude);
}
