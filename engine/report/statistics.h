// Accuracy with its uncertainty. Every accuracy tinyskip reports is a count of
// correct top-1 predictions out of n images of a named split, with a 95%
// Wilson score interval (well-behaved near 0 and 100 %, unlike the normal
// approximation).
#pragma once

#include <string>

namespace tinyskip::engine {

struct Accuracy {
  int correct = 0;
  int total = 0;
  double value() const { return total > 0 ? static_cast<double>(correct) / total : 0.0; }
  // Bounds of the 95 % Wilson score interval, as fractions.
  double ci_low() const;
  double ci_high() const;
  // "71.23 % [70.34, 72.10] (7123/10000)"
  std::string to_string() const;
};

}  // namespace tinyskip::engine
