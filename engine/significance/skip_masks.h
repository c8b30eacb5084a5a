// Skip masks derived from significance scores (method.md, "Computation
// skipping"). At threshold T a layer skips every skip unit whose score is
// below T. Sorting the units by score once makes every mask a prefix of that
// order, so masks are nested (a higher threshold skips a superset) and each
// query costs a binary search plus the prefix.
//
// Skip units: with SkipGranularity::kWeight a unit is one weight (r, k), its
// score s(r, k). With kPair (the SMLAD path) a unit is the pair (2j, 2j + 1)
// of consecutive reduction indices of row r -- one packed SMLAD operand -- and
// its score is the larger member score, so a pair is skipped only when both
// weights qualify; when the depth is odd the last index of each row is a unit
// of its own (the kernel's scalar tail).
//
// Already-zero weights are "skipped for free": they score 0, so every T > 0
// puts them in the mask (which changes nothing), and every count below treats
// them as emitting no instruction even at T = 0, as the unpacked kernel does.
// skipped_weights_at counts only the non-zero weights a mask removes -- the
// approximation proper.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/significance/reduction_layout.h"
#include "engine/significance/significance.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

enum class SkipGranularity { kWeight, kPair };

// "weight" or "pair"; anything else throws SignificanceError.
SkipGranularity parse_skip_granularity(std::string_view name);
const char* skip_granularity_name(SkipGranularity granularity);

// What the unpacked kernel of a layer has to compute, over the whole layer.
// Reduction indices of each row pair up as (2j, 2j + 1); a weight is
// "effective" when it is non-zero and not skipped.
struct PairCounts {
  int64_t kept_pairs = 0;     // both weights effective: one SMLAD
  int64_t split_pairs = 0;    // exactly one effective: one single MAC
  int64_t skipped_pairs = 0;  // neither: no instruction
  int64_t kept_tails = 0;     // odd depth: the row's last weight is effective
  int64_t skipped_tails = 0;  // odd depth: it is not

  bool operator==(const PairCounts&) const = default;
};

// Pair counts of an arbitrary mask (e.g. one decoded from a results file).
// `weights` in (row, k) order as LayerScores::weights; the mask in the filter's
// stored layout. Throws SignificanceError on size mismatches.
PairCounts count_pairs(const ReductionLayout& layout, std::span<const int8_t> weights, const sim::WeightMask& mask);

class LayerSkipOrder {
 public:
  LayerSkipOrder(const LayerScores& scores, SkipGranularity granularity);

  const ReductionLayout& layout() const { return layout_; }
  SkipGranularity granularity() const { return granularity_; }
  int64_t unit_count() const { return static_cast<int64_t>(order_.size()); }
  // Unit scores in ascending order (ties in unit index order: row-major over
  // (row, unit within row)). The mask changes only where T crosses one of them.
  std::span<const double> sorted_scores() const { return sorted_scores_; }

  // Number of units with score < threshold: the length of the skipped prefix.
  // Throws SignificanceError for a NaN threshold.
  int64_t units_skipped_at(double threshold) const;
  // The mask skipping those units, in the filter's stored layout.
  sim::WeightMask mask_at(double threshold) const;
  // Non-zero weights the mask at threshold skips.
  int64_t skipped_weights_at(double threshold) const;
  // Weights that emit no instruction: already zero or skipped.
  int64_t ineffective_weights_at(double threshold) const;
  PairCounts pair_counts_at(double threshold) const;

 private:
  // Pair counts and skipped non-zero weights after skipping a prefix; int32
  // suffices (tensors hold < 2^28 weights) and halves the table.
  struct PrefixState {
    int32_t kept_pairs, split_pairs, skipped_pairs, kept_tails, skipped_tails;
    int32_t skipped_nonzero;
  };

  int units_per_row() const;
  // Reduction indices [first, first + size) of row `row` covered by a unit.
  void unit_members(int64_t unit, int* row, int* first, int* size) const;
  void build_prefix_table(const std::vector<int8_t>& weights);

  ReductionLayout layout_;
  SkipGranularity granularity_;
  int64_t zero_weights_ = 0;
  std::vector<int64_t> order_;          // unit ids, ascending score
  std::vector<double> sorted_scores_;   // score of order_[s]
  std::vector<PrefixState> prefix_;     // state after skipping order_[0 .. s)
};

// Run-length text of a mask, for results files: the lengths of alternating
// runs of kept and skipped weights, in the filter's stored order, starting
// with a kept run, as decimal numbers separated by commas. Only the first run
// may be 0 (a mask that starts with a skipped weight); "12,3,5" = 12 kept,
// 3 skipped, 5 kept. An empty mask is "0".
std::string encode_mask_rle(const sim::WeightMask& mask);
// Inverse of encode_mask_rle. Throws SignificanceError for anything but the
// canonical form above or when the runs do not add up to expected_size (the
// filter's element count).
sim::WeightMask decode_mask_rle(std::string_view text, int64_t expected_size);

// Thresholds that skip the given fractions (ascending, in [0, 1]) of the
// order's units: for fraction f, the smallest threshold that skips at least
// round(f * units) of them (0 for none). Ties among unit scores can make two
// fractions give one threshold; the result keeps it once, so it is strictly
// ascending and may be shorter than `fractions`.
std::vector<double> thresholds_for_skip_fractions(const LayerSkipOrder& order, const std::vector<double>& fractions);

}  // namespace tinyskip::engine
