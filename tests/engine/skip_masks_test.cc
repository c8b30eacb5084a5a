// Skip orders and masks: threshold semantics per unit, nestedness, pair
// counts against a naive count, stored-layout mapping, run-length text.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>

#include "engine/significance/skip_masks.h"

using tinyskip::engine::decode_mask_rle;
using tinyskip::engine::encode_mask_rle;
using tinyskip::engine::LayerScores;
using tinyskip::engine::LayerSkipOrder;
using tinyskip::engine::PairCounts;
using tinyskip::engine::SignificanceError;
using tinyskip::engine::SkipGranularity;
using tinyskip::sim::OpType;
using tinyskip::sim::WeightMask;

namespace {

// Scores on a rows x depth layer without running any model: random weights
// (about one in five zero, scoring 0 like the real metric), random scores
// drawn from a few distinct values so that ties occur.
LayerScores random_scores(std::mt19937& rng, int rows, int depth, OpType type = OpType::kConv2D) {
  LayerScores scores;
  scores.layout.op_type = type;
  scores.layout.rows = rows;
  scores.layout.depth = depth;
  std::uniform_int_distribution<int> weight(-3, 3);
  std::uniform_int_distribution<int> level(0, 9);
  for (int i = 0; i < rows * depth; ++i) {
    const auto w = static_cast<int8_t>(weight(rng) * (level(rng) < 2 ? 0 : 1));
    scores.weights.push_back(w);
    scores.score.push_back(w == 0 ? 0.0 : 0.001 * (1 + level(rng)));
  }
  return scores;
}

bool skipped(const LayerScores& scores, const WeightMask& mask, int row, int k) {
  return mask.skip[static_cast<size_t>(scores.layout.weight_index(row, k))] != 0;
}

// Straight count over rows and pairs (2j, 2j + 1) of the effective weights.
PairCounts naive_pair_counts(const LayerScores& scores, const WeightMask& mask) {
  PairCounts counts;
  const int depth = scores.layout.depth;
  const auto effective = [&](int row, int k) {
    return scores.weight_at(row, k) != 0 && !skipped(scores, mask, row, k);
  };
  for (int row = 0; row < scores.layout.rows; ++row) {
    for (int j = 0; 2 * j + 1 < depth; ++j) {
      const int kept = effective(row, 2 * j) + effective(row, 2 * j + 1);
      if (kept == 2) counts.kept_pairs++;
      if (kept == 1) counts.split_pairs++;
      if (kept == 0) counts.skipped_pairs++;
    }
    if (depth % 2 == 1) (effective(row, depth - 1) ? counts.kept_tails : counts.skipped_tails)++;
  }
  return counts;
}

std::vector<double> random_thresholds(std::mt19937& rng) {
  std::vector<double> thresholds = {0.0, 0.001, 0.0055, 0.01, 0.0105, 1.0,
                                    std::numeric_limits<double>::infinity()};
  std::uniform_real_distribution<double> uniform(0.0, 0.011);
  for (int i = 0; i < 20; ++i) thresholds.push_back(uniform(rng));
  std::sort(thresholds.begin(), thresholds.end());
  return thresholds;
}

}  // namespace

TEST_CASE("skip masks: weight units are skipped exactly when their score is below T") {
  std::mt19937 rng(1);
  const LayerScores scores = random_scores(rng, 5, 7);
  const LayerSkipOrder order(scores, SkipGranularity::kWeight);
  CHECK(order.unit_count() == 35);
  for (double t : random_thresholds(rng)) {
    const WeightMask mask = order.mask_at(t);
    REQUIRE(mask.skip.size() == 35);
    int64_t expected_units = 0, expected_nonzero = 0, zeros = 0;
    for (int row = 0; row < 5; ++row) {
      for (int k = 0; k < 7; ++k) {
        const bool below = scores.score_at(row, k) < t;
        CHECK(skipped(scores, mask, row, k) == below);
        expected_units += below;
        expected_nonzero += below && scores.weight_at(row, k) != 0;
        zeros += scores.weight_at(row, k) == 0;
      }
    }
    CHECK(order.units_skipped_at(t) == expected_units);
    CHECK(order.skipped_weights_at(t) == expected_nonzero);
    CHECK(order.ineffective_weights_at(t) == zeros + expected_nonzero);
  }
  CHECK(order.mask_at(0.0).skipped_count() == 0);  // nothing scores below 0
}

TEST_CASE("skip masks: a pair is skipped only when both its weights score below T") {
  std::mt19937 rng(2);
  for (int depth : {6, 7}) {  // even, and odd with a tail unit per row
    const LayerScores scores = random_scores(rng, 4, depth);
    const LayerSkipOrder order(scores, SkipGranularity::kPair);
    CHECK(order.unit_count() == 4 * ((depth + 1) / 2));
    for (double t : random_thresholds(rng)) {
      const WeightMask mask = order.mask_at(t);
      for (int row = 0; row < 4; ++row) {
        for (int k = 0; k + 1 < depth; k += 2) {
          const bool both_below = scores.score_at(row, k) < t && scores.score_at(row, k + 1) < t;
          CHECK(skipped(scores, mask, row, k) == both_below);
          CHECK(skipped(scores, mask, row, k + 1) == both_below);
        }
        if (depth % 2) CHECK(skipped(scores, mask, row, depth - 1) == (scores.score_at(row, depth - 1) < t));
      }
    }
  }
}

TEST_CASE("skip masks: higher thresholds skip supersets") {
  std::mt19937 rng(3);
  for (SkipGranularity granularity : {SkipGranularity::kWeight, SkipGranularity::kPair}) {
    const LayerScores scores = random_scores(rng, 6, 9);
    const LayerSkipOrder order(scores, granularity);
    const std::vector<double> thresholds = random_thresholds(rng);
    for (size_t i = 1; i < thresholds.size(); ++i) {
      const WeightMask lower = order.mask_at(thresholds[i - 1]);
      const WeightMask higher = order.mask_at(thresholds[i]);
      for (size_t w = 0; w < lower.skip.size(); ++w)
        if (lower.skip[w]) CHECK(higher.skip[w]);
      CHECK(order.units_skipped_at(thresholds[i - 1]) <= order.units_skipped_at(thresholds[i]));
    }
    CHECK(std::is_sorted(order.sorted_scores().begin(), order.sorted_scores().end()));
  }
}

TEST_CASE("skip masks: pair counts match a naive count at every threshold") {
  std::mt19937 rng(4);
  for (SkipGranularity granularity : {SkipGranularity::kWeight, SkipGranularity::kPair}) {
    for (int depth : {1, 2, 5, 8}) {
      const LayerScores scores = random_scores(rng, 7, depth);
      const LayerSkipOrder order(scores, granularity);
      for (double t : random_thresholds(rng)) {
        const WeightMask mask = order.mask_at(t);
        const PairCounts expected = naive_pair_counts(scores, mask);
        CHECK(order.pair_counts_at(t) == expected);
        CHECK(tinyskip::engine::count_pairs(scores.layout, scores.weights, mask) == expected);
        // Every pair and tail is in exactly one class.
        CHECK(expected.kept_pairs + expected.split_pairs + expected.skipped_pairs == 7 * (depth / 2));
        CHECK(expected.kept_tails + expected.skipped_tails == 7 * (depth % 2));
      }
    }
  }
}

TEST_CASE("skip masks: hand-worked pair counts with zero weights") {
  // One row, depth 5: weights (4, 0, -2, 3, 7), scores (0.5, 0, 0.1, 0.2, 0.05).
  // Pairs (0,1), (2,3), tail 4. At T = 0: pair (4, 0) has one effective
  // weight (split), (-2, 3) kept, tail kept. Weight mode at T = 0.15 skips
  // indices 1 (score 0), 4 (0.05), 2 (0.1): (4, 0) split, (-2, 3) split, tail
  // skipped; 2 non-zero weights removed. Pair mode at T = 0.15: unit scores
  // max(0.5, 0) = 0.5, max(0.1, 0.2) = 0.2, 0.05 -> only the tail is skipped.
  LayerScores scores;
  scores.layout.rows = 1;
  scores.layout.depth = 5;
  scores.weights = {4, 0, -2, 3, 7};
  scores.score = {0.5, 0.0, 0.1, 0.2, 0.05};
  const LayerSkipOrder by_weight(scores, SkipGranularity::kWeight);
  CHECK(by_weight.pair_counts_at(0.0) == PairCounts{1, 1, 0, 1, 0});
  CHECK(by_weight.pair_counts_at(0.15) == PairCounts{0, 2, 0, 0, 1});
  CHECK(by_weight.skipped_weights_at(0.15) == 2);
  CHECK(by_weight.ineffective_weights_at(0.15) == 3);
  CHECK(by_weight.mask_at(0.15).skip == std::vector<uint8_t>{0, 1, 1, 0, 1});
  const LayerSkipOrder by_pair(scores, SkipGranularity::kPair);
  CHECK(by_pair.pair_counts_at(0.15) == PairCounts{1, 1, 0, 0, 1});
  CHECK(by_pair.mask_at(0.15).skip == std::vector<uint8_t>{0, 0, 0, 0, 1});
  CHECK(by_pair.pair_counts_at(0.3) == PairCounts{0, 1, 1, 0, 1});
  CHECK(by_pair.skipped_weights_at(0.3) == 3);
}

TEST_CASE("skip masks: depthwise masks use the 1HWC stored layout") {
  // 3 channels (rows), 2 taps each: weight (row r, tap k) is stored at
  // k * 3 + r. Only (row 2, tap 1) scores below T -> stored index 5.
  LayerScores scores;
  scores.layout.op_type = OpType::kDepthwiseConv2D;
  scores.layout.rows = 3;
  scores.layout.depth = 2;
  scores.weights = {1, 1, 1, 1, 1, 1};
  scores.score = {0.5, 0.5, 0.5, 0.5, 0.5, 0.01};
  const LayerSkipOrder order(scores, SkipGranularity::kWeight);
  CHECK(order.mask_at(0.1).skip == std::vector<uint8_t>{0, 0, 0, 0, 0, 1});
}

TEST_CASE("skip masks: scores of the wrong size and NaN thresholds are rejected") {
  LayerScores scores;
  scores.layout.rows = 2;
  scores.layout.depth = 2;
  scores.weights = {1, 2, 3, 4};
  scores.score = {0.1, 0.2, 0.3};
  CHECK_THROWS_AS(LayerSkipOrder(scores, SkipGranularity::kPair), SignificanceError);
  scores.score.push_back(0.4);
  const LayerSkipOrder order(scores, SkipGranularity::kPair);
  CHECK_THROWS_WITH(order.mask_at(std::numeric_limits<double>::quiet_NaN()), Catch::Contains("NaN"));
  CHECK_THROWS_WITH(tinyskip::engine::parse_skip_granularity("pairs"), Catch::Contains("pairs"));
}

TEST_CASE("mask RLE: hand-worked encodings") {
  // kept 2, skipped 3, kept 1
  CHECK(encode_mask_rle(WeightMask{{0, 0, 1, 1, 1, 0}}) == "2,3,1");
  // starts with a skipped weight: empty first kept run
  CHECK(encode_mask_rle(WeightMask{{1, 0}}) == "0,1,1");
  CHECK(encode_mask_rle(WeightMask{{0, 0, 0}}) == "3");
  CHECK(encode_mask_rle(WeightMask{{7, 7}}) == "0,2");  // any non-zero entry is skipped
  CHECK(encode_mask_rle(WeightMask{}) == "0");
  CHECK(decode_mask_rle("2,3,1", 6).skip == std::vector<uint8_t>{0, 0, 1, 1, 1, 0});
  CHECK(decode_mask_rle("0,1,1", 2).skip == std::vector<uint8_t>{1, 0});
  CHECK(decode_mask_rle("0", 0).skip.empty());
}

TEST_CASE("mask RLE: random masks round-trip") {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const int size = std::uniform_int_distribution<int>(0, 300)(rng);
    const double density = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    std::bernoulli_distribution skip(density);
    WeightMask mask;
    for (int i = 0; i < size; ++i) mask.skip.push_back(skip(rng) ? 1 : 0);
    const std::string text = encode_mask_rle(mask);
    CHECK(decode_mask_rle(text, size).skip == mask.skip);
  }
}

TEST_CASE("mask RLE: malformed text is rejected") {
  CHECK_THROWS_WITH(decode_mask_rle("2,3,1", 7), Catch::Contains("add up to 6") && Catch::Contains("expected 7"));
  CHECK_THROWS_WITH(decode_mask_rle("2,3,1", 5), Catch::Contains("exceed"));
  CHECK_THROWS_WITH(decode_mask_rle("2,0,1", 3), Catch::Contains("run 1 is empty"));
  CHECK_THROWS_AS(decode_mask_rle("", 0), SignificanceError);
  CHECK_THROWS_AS(decode_mask_rle("2,", 2), SignificanceError);
  CHECK_THROWS_AS(decode_mask_rle("2,x", 3), SignificanceError);
  CHECK_THROWS_AS(decode_mask_rle("-2", 2), SignificanceError);
  CHECK_THROWS_AS(decode_mask_rle(" 2", 2), SignificanceError);
  CHECK_THROWS_AS(decode_mask_rle("99999999999999999999999", 2), SignificanceError);
}

TEST_CASE("thresholds for skip fractions skip at least that share of the units, ties included") {
  // One row of 8 weights, single-weight units, scores (ascending after sort)
  // 0.1 0.2 0.2 0.2 0.5 0.6 0.7 0.9.
  LayerScores scores;
  scores.layout.op_type = OpType::kFullyConnected;
  scores.layout.rows = 1;
  scores.layout.depth = 8;
  scores.weights = {1, 2, 3, 4, 5, 6, 7, 8};
  scores.score = {0.5, 0.2, 0.9, 0.1, 0.2, 0.7, 0.2, 0.6};
  const LayerSkipOrder order(scores, SkipGranularity::kWeight);
  const std::vector<double> thresholds =
      tinyskip::engine::thresholds_for_skip_fractions(order, {0.0, 0.125, 0.25, 0.375, 0.5, 1.0});
  // 0 -> none; 1/8 -> 1 unit (above 0.1); 2/8 and 3/8 -> just above 0.2
  // (all three tied units: 4), kept once; 4/8 -> 4 units, the same again;
  // 8/8 -> above 0.9, everything.
  REQUIRE(thresholds.size() == 3 + 1);
  CHECK(thresholds[0] == 0.0);
  CHECK(order.units_skipped_at(thresholds[0]) == 0);
  CHECK(order.units_skipped_at(thresholds[1]) == 1);
  CHECK(thresholds[1] > 0.1);
  CHECK(thresholds[1] < 0.2);
  CHECK(order.units_skipped_at(thresholds[2]) == 4);
  CHECK(order.units_skipped_at(thresholds[3]) == 8);
  CHECK(thresholds[3] > 0.9);
}
