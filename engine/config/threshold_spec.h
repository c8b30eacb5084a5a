// Candidate thresholds T_l of one approximated layer, as a config gives them:
// a regular range {"min", "max", "step"}, an explicit {"values": [...]}, or
// {"skip_fraction": [...]}: the fractions of the layer's skip units to skip,
// turned into thresholds from the layer's significance on the calibration
// split (thresholds_for_skip_fractions, engine/significance/skip_masks.h), so
// that one config fits any model. Each gives an ascending list of distinct
// values; the search picks one entry per layer (engine/search/design_space.h).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config/json_reader.h"

namespace tinyskip::engine {

// Upper limit on the candidates of one layer: far beyond anything a search
// could use, low enough that a typo ("step": 1e-9) is caught, not allocated.
inline constexpr int kMaxThresholdCandidates = 10000;

struct ThresholdSpec {
  bool is_range = true;
  double min = 0.0, max = 0.01, step = 0.001;  // range form (the paper's grid)
  std::vector<double> values;                  // list form: ascending, distinct, >= 0
  std::vector<double> skip_fractions;          // skip-fraction form: ascending, distinct, in [0, 1]

  bool by_skip_fraction() const { return !skip_fractions.empty(); }

  // The ascending candidate list: the range expanded by expand_threshold_range,
  // or `values` (std::logic_error for the skip-fraction form).
  std::vector<double> candidates() const;
};

// min, min + step, ..., up to max. Each value is computed as min + i * step
// (never by repeated addition, which drifts) and rounded to 12 significant
// digits, so 0 + 3 * 0.001 is exactly the double nearest 0.003. max is
// included when it is a whole number of steps from min (up to rounding).
// Requires finite min >= 0, max >= min, step > 0 and at most
// kMaxThresholdCandidates values; throws std::invalid_argument otherwise.
std::vector<double> expand_threshold_range(double min, double max, double step);

// `x` rounded to `digits` significant decimal digits (x itself for 0).
double round_significant(double x, int digits);

// Reads a threshold spec object; errors name the JSON path of the bad member.
ThresholdSpec read_threshold_spec(const JsonValue& value);
nlohmann::json to_json(const ThresholdSpec& spec);

}  // namespace tinyskip::engine
