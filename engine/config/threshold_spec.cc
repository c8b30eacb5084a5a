#include "engine/config/threshold_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace tinyskip::engine {
namespace {

// How far from a whole number of steps (max - min) / step may be and still
// count as whole: generous against representation error (0.01 / 0.001 is
// 10.000000000000002), tiny against any step a user would mean.
constexpr double kWholeStepsTolerance = 1e-9;

}  // namespace

double round_significant(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return x;
  // Printing in scientific notation with digits - 1 decimals and reading back
  // is exact decimal rounding, unlike scaling by powers of ten in binary.
  char text[64];
  std::snprintf(text, sizeof text, "%.*e", digits - 1, x);
  return std::strtod(text, nullptr);
}

std::vector<double> expand_threshold_range(double min, double max, double step) {
  if (!std::isfinite(min) || !std::isfinite(max) || !std::isfinite(step))
    throw std::invalid_argument("threshold range values must be finite");
  if (min < 0) throw std::invalid_argument(fmt::format("min must be >= 0, got {}", min));
  if (max < min) throw std::invalid_argument(fmt::format("max ({}) must be >= min ({})", max, min));
  if (!(step > 0)) throw std::invalid_argument(fmt::format("step must be > 0, got {}", step));

  const double steps = (max - min) / step;
  if (steps >= kMaxThresholdCandidates)
    throw std::invalid_argument(fmt::format("min {} to max {} in steps of {} gives more than {} thresholds", min, max,
                                            step, kMaxThresholdCandidates));
  const double nearest = std::round(steps);
  const bool whole = std::abs(steps - nearest) <= kWholeStepsTolerance * std::max(1.0, nearest);
  const int last = static_cast<int>(whole ? nearest : std::floor(steps));

  std::vector<double> values;
  values.reserve(static_cast<size_t>(last) + 1);
  for (int i = 0; i <= last; ++i) values.push_back(round_significant(min + i * step, 12));
  return values;
}

std::vector<double> ThresholdSpec::candidates() const {
  if (by_skip_fraction())
    throw std::logic_error("thresholds by skip fraction come from the layer's significance (skip_masks.h)");
  return is_range ? expand_threshold_range(min, max, step) : values;
}

namespace {

// A non-empty, strictly ascending list of numbers in [0, maximum].
std::vector<double> read_ascending(const JsonValue& list, double maximum, const char* what, const char* noun) {
  std::vector<double> numbers;
  for (const JsonValue& element : list.as_array()) {
    const double number = element.as_number();
    if (number < 0 || number > maximum) element.expected(what);
    if (!numbers.empty() && number <= numbers.back())
      element.fail(fmt::format("values must be strictly ascending, got {} after {}", number, numbers.back()));
    numbers.push_back(number);
  }
  if (numbers.empty()) list.fail(fmt::format("expected at least one {}", noun));
  if (numbers.size() > static_cast<size_t>(kMaxThresholdCandidates))
    list.fail(fmt::format("more than {} {}s", kMaxThresholdCandidates, noun));
  return numbers;
}

}  // namespace

ThresholdSpec read_threshold_spec(const JsonValue& value) {
  const JsonObject object = value.as_object({"min", "max", "step", "values", "skip_fraction"});
  ThresholdSpec spec;
  const auto values = object.get("values"), fractions = object.get("skip_fraction");
  if ((values || fractions) && (object.get("min") || object.get("max") || object.get("step") || (values && fractions)))
    value.fail("give one of \"values\", \"skip_fraction\" or \"min\"/\"max\"/\"step\"");
  if (values) {
    spec.is_range = false;
    spec.values = read_ascending(*values, std::numeric_limits<double>::infinity(), "a threshold >= 0", "threshold");
    return spec;
  }
  if (fractions) {
    spec.is_range = false;
    spec.skip_fractions = read_ascending(*fractions, 1.0, "a skip fraction in [0, 1]", "skip fraction");
    return spec;
  }
  spec.is_range = true;
  spec.min = object.required("min").as_number();
  spec.max = object.required("max").as_number();
  spec.step = object.required("step").as_number();
  try {
    expand_threshold_range(spec.min, spec.max, spec.step);
  } catch (const std::invalid_argument& error) {
    value.fail(error.what());
  }
  return spec;
}

nlohmann::json to_json(const ThresholdSpec& spec) {
  if (spec.is_range) return {{"min", spec.min}, {"max", spec.max}, {"step", spec.step}};
  if (spec.by_skip_fraction()) return {{"skip_fraction", spec.skip_fractions}};
  return {{"values", spec.values}};
}

}  // namespace tinyskip::engine
