#include "engine/report/statistics.h"

#include <cmath>

#include <fmt/format.h>

namespace tinyskip::engine {
namespace {

constexpr double kZ95 = 1.959963984540054;  // two-sided 95 % normal quantile

// Wilson score interval bound: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
double wilson_bound(int correct, int total, double sign) {
  if (total <= 0) return 0.0;
  const double n = total;
  const double p = correct / n;
  const double z2 = kZ95 * kZ95;
  const double centre = p + z2 / (2 * n);
  const double spread = kZ95 * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return (centre + sign * spread) / (1 + z2 / n);
}

}  // namespace

double Accuracy::ci_low() const { return wilson_bound(correct, total, -1.0); }
double Accuracy::ci_high() const { return wilson_bound(correct, total, +1.0); }

std::string Accuracy::to_string() const {
  return fmt::format("{:.2f} % [{:.2f}, {:.2f}] ({}/{})", 100 * value(), 100 * ci_low(), 100 * ci_high(),
                     correct, total);
}

}  // namespace tinyskip::engine
