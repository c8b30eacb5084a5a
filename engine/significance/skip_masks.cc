#include "engine/significance/skip_masks.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace tinyskip::engine {

namespace {

bool has_tail(const ReductionLayout& layout) { return layout.depth % 2 != 0; }
bool is_tail(const ReductionLayout& layout, int k) { return has_tail(layout) && k == layout.depth - 1; }

// Adds one pair or tail with `effective` effective weights to the counts.
void count_group(PairCounts& counts, bool tail, int effective) {
  if (tail) {
    (effective > 0 ? counts.kept_tails : counts.skipped_tails) += 1;
    return;
  }
  if (effective == 2) ++counts.kept_pairs;
  else if (effective == 1) ++counts.split_pairs;
  else ++counts.skipped_pairs;
}

void check_threshold(double threshold) {
  if (std::isnan(threshold)) throw SignificanceError("skip threshold is NaN");
}

}  // namespace

SkipGranularity parse_skip_granularity(std::string_view name) {
  if (name == "weight") return SkipGranularity::kWeight;
  if (name == "pair") return SkipGranularity::kPair;
  throw SignificanceError(fmt::format("unknown skip granularity '{}' (valid: weight, pair)", name));
}

const char* skip_granularity_name(SkipGranularity granularity) {
  return granularity == SkipGranularity::kWeight ? "weight" : "pair";
}

PairCounts count_pairs(const ReductionLayout& layout, std::span<const int8_t> weights, const sim::WeightMask& mask) {
  if (static_cast<int64_t>(weights.size()) != layout.weight_count() ||
      static_cast<int64_t>(mask.skip.size()) != layout.weight_count())
    throw SignificanceError(fmt::format("op {}: pair counts need {} weights and mask entries, got {} and {}",
                                        layout.op_index, layout.weight_count(), weights.size(), mask.skip.size()));
  const auto effective = [&](int row, int k) {
    return weights[static_cast<size_t>(int64_t{row} * layout.depth + k)] != 0 &&
           mask.skip[static_cast<size_t>(layout.weight_index(row, k))] == 0;
  };
  PairCounts counts;
  for (int row = 0; row < layout.rows; ++row) {
    for (int k = 0; k < layout.depth; k += 2) {
      const bool tail = is_tail(layout, k);
      count_group(counts, tail, int{effective(row, k)} + (tail ? 0 : int{effective(row, k + 1)}));
    }
  }
  return counts;
}

LayerSkipOrder::LayerSkipOrder(const LayerScores& scores, SkipGranularity granularity)
    : layout_(scores.layout), granularity_(granularity) {
  if (static_cast<int64_t>(scores.score.size()) != layout_.weight_count() ||
      static_cast<int64_t>(scores.weights.size()) != layout_.weight_count())
    throw SignificanceError(fmt::format("op {}: scores hold {} values and {} weights, expected {}",
                                        layout_.op_index, scores.score.size(), scores.weights.size(),
                                        layout_.weight_count()));
  const int64_t units = int64_t{layout_.rows} * units_per_row();
  std::vector<double> unit_score(static_cast<size_t>(units));
  for (int64_t unit = 0; unit < units; ++unit) {
    int row = 0, first = 0, size = 0;
    unit_members(unit, &row, &first, &size);
    double score = scores.score_at(row, first);
    for (int k = first + 1; k < first + size; ++k) score = std::max(score, scores.score_at(row, k));
    if (std::isnan(score))
      throw SignificanceError(fmt::format("op {}: score of row {} index {} is NaN", layout_.op_index, row, first));
    unit_score[static_cast<size_t>(unit)] = score;
  }
  order_.resize(static_cast<size_t>(units));
  for (int64_t unit = 0; unit < units; ++unit) order_[static_cast<size_t>(unit)] = unit;
  std::stable_sort(order_.begin(), order_.end(), [&](int64_t a, int64_t b) {
    return unit_score[static_cast<size_t>(a)] < unit_score[static_cast<size_t>(b)];
  });
  sorted_scores_.reserve(order_.size());
  for (int64_t unit : order_) sorted_scores_.push_back(unit_score[static_cast<size_t>(unit)]);
  for (int8_t weight : scores.weights) zero_weights_ += weight == 0;
  build_prefix_table(scores.weights);
}

int LayerSkipOrder::units_per_row() const {
  return granularity_ == SkipGranularity::kWeight ? layout_.depth : (layout_.depth + 1) / 2;
}

void LayerSkipOrder::unit_members(int64_t unit, int* row, int* first, int* size) const {
  const int per_row = units_per_row();
  *row = static_cast<int>(unit / per_row);
  const int within = static_cast<int>(unit % per_row);
  if (granularity_ == SkipGranularity::kWeight) {
    *first = within;
    *size = 1;
    return;
  }
  *first = 2 * within;
  *size = std::min(2, layout_.depth - *first);
}

// Walks the order once, tracking how many effective weights each pair still
// has, and records the counts after every prefix.
void LayerSkipOrder::build_prefix_table(const std::vector<int8_t>& weights) {
  const auto weight = [&](int row, int k) { return weights[static_cast<size_t>(int64_t{row} * layout_.depth + k)]; };
  const int pairs_per_row = (layout_.depth + 1) / 2;
  std::vector<int8_t> effective(static_cast<size_t>(int64_t{layout_.rows} * pairs_per_row));
  for (int row = 0; row < layout_.rows; ++row)
    for (int k = 0; k < layout_.depth; ++k)
      effective[static_cast<size_t>(int64_t{row} * pairs_per_row + k / 2)] += weight(row, k) != 0;
  const sim::WeightMask nothing_skipped{std::vector<uint8_t>(static_cast<size_t>(layout_.weight_count()), 0)};
  const PairCounts start = count_pairs(layout_, weights, nothing_skipped);
  PrefixState state{static_cast<int32_t>(start.kept_pairs), static_cast<int32_t>(start.split_pairs),
                    static_cast<int32_t>(start.skipped_pairs), static_cast<int32_t>(start.kept_tails),
                    static_cast<int32_t>(start.skipped_tails), 0};
  prefix_.reserve(order_.size() + 1);
  prefix_.push_back(state);
  for (int64_t unit : order_) {
    int row = 0, first = 0, size = 0;
    unit_members(unit, &row, &first, &size);
    for (int k = first; k < first + size; ++k) {
      if (weight(row, k) == 0) continue;  // already ineffective
      ++state.skipped_nonzero;
      int8_t& left = effective[static_cast<size_t>(int64_t{row} * pairs_per_row + k / 2)];
      if (is_tail(layout_, k)) {
        --state.kept_tails;
        ++state.skipped_tails;
      } else if (left == 2) {
        --state.kept_pairs;
        ++state.split_pairs;
      } else {
        --state.split_pairs;
        ++state.skipped_pairs;
      }
      --left;
    }
    prefix_.push_back(state);
  }
}

int64_t LayerSkipOrder::units_skipped_at(double threshold) const {
  check_threshold(threshold);
  return std::lower_bound(sorted_scores_.begin(), sorted_scores_.end(), threshold) - sorted_scores_.begin();
}

sim::WeightMask LayerSkipOrder::mask_at(double threshold) const {
  sim::WeightMask mask;
  mask.skip.assign(static_cast<size_t>(layout_.weight_count()), 0);
  const int64_t prefix = units_skipped_at(threshold);
  for (int64_t s = 0; s < prefix; ++s) {
    int row = 0, first = 0, size = 0;
    unit_members(order_[static_cast<size_t>(s)], &row, &first, &size);
    for (int k = first; k < first + size; ++k) mask.skip[static_cast<size_t>(layout_.weight_index(row, k))] = 1;
  }
  return mask;
}

int64_t LayerSkipOrder::skipped_weights_at(double threshold) const {
  return prefix_[static_cast<size_t>(units_skipped_at(threshold))].skipped_nonzero;
}

int64_t LayerSkipOrder::ineffective_weights_at(double threshold) const {
  return zero_weights_ + skipped_weights_at(threshold);
}

PairCounts LayerSkipOrder::pair_counts_at(double threshold) const {
  const PrefixState& state = prefix_[static_cast<size_t>(units_skipped_at(threshold))];
  return {state.kept_pairs, state.split_pairs, state.skipped_pairs, state.kept_tails, state.skipped_tails};
}

std::string encode_mask_rle(const sim::WeightMask& mask) {
  std::string text;
  bool skipped = false;  // the kind of the current run; the first run is kept
  int64_t run = 0;
  for (uint8_t entry : mask.skip) {
    if ((entry != 0) != skipped) {
      text += fmt::format("{},", run);
      skipped = !skipped;
      run = 0;
    }
    ++run;
  }
  text += fmt::format("{}", run);
  return text;
}

sim::WeightMask decode_mask_rle(std::string_view text, int64_t expected_size) {
  const auto fail = [&](const std::string& what) {
    const std::string shown = text.size() > 60 ? std::string(text.substr(0, 60)) + "..." : std::string(text);
    return SignificanceError(fmt::format("mask run-length text '{}': {}", shown, what));
  };
  if (expected_size < 0) throw fail(fmt::format("expected size {} is negative", expected_size));
  sim::WeightMask mask;
  mask.skip.reserve(static_cast<size_t>(expected_size));
  bool skipped = false;
  size_t position = 0;
  for (int run_index = 0;; ++run_index) {
    const size_t end = std::min(text.find(',', position), text.size());
    const std::string_view field = text.substr(position, end - position);
    int64_t run = 0;
    const auto [last, error] = std::from_chars(field.data(), field.data() + field.size(), run);
    if (field.empty() || error != std::errc() || last != field.data() + field.size() || field[0] == '-' ||
        field[0] == '+')
      throw fail(fmt::format("run {} '{}' is not a non-negative decimal number", run_index, field));
    if (run == 0 && run_index > 0)
      throw fail(fmt::format("run {} is empty (only the first run may be 0)", run_index));
    if (run > expected_size - static_cast<int64_t>(mask.skip.size()))
      throw fail(fmt::format("runs exceed the expected {} weights", expected_size));
    mask.skip.insert(mask.skip.end(), static_cast<size_t>(run), skipped ? 1 : 0);
    skipped = !skipped;
    if (end == text.size()) break;
    position = end + 1;
  }
  if (static_cast<int64_t>(mask.skip.size()) != expected_size)
    throw fail(fmt::format("runs add up to {} weights, expected {}", mask.skip.size(), expected_size));
  return mask;
}

std::vector<double> thresholds_for_skip_fractions(const LayerSkipOrder& order, const std::vector<double>& fractions) {
  const std::span<const double> scores = order.sorted_scores();
  const auto units = static_cast<double>(scores.size());
  std::vector<double> thresholds;
  for (double fraction : fractions) {
    const auto skip = static_cast<size_t>(std::llround(fraction * units));
    // Units with score < T are skipped: just above the skip-th smallest score
    // skips it and every unit tied with it.
    const double threshold =
        skip == 0 ? 0.0 : std::nextafter(scores[skip - 1], std::numeric_limits<double>::infinity());
    if (thresholds.empty() || threshold > thresholds.back()) thresholds.push_back(threshold);
  }
  return thresholds;
}

}  // namespace tinyskip::engine
