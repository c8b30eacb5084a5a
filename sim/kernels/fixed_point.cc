#include "sim/kernels/fixed_point.h"

#include <cmath>

namespace tinyskip::sim {

QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  QuantizedMultiplier result;
  if (real_multiplier == 0.0) return result;
  int exponent = 0;
  const double mantissa = std::frexp(real_multiplier, &exponent);  // in [0.5, 1)
  // std::llround rounds half away from zero, like the reference's TfLiteRound.
  int64_t fixed = std::llround(mantissa * static_cast<double>(int64_t{1} << 31));
  if (fixed == (int64_t{1} << 31)) {  // mantissa rounded up to 1.0
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) {  // every bit would be shifted out: flush to zero
    exponent = 0;
    fixed = 0;
  }
  result.multiplier = static_cast<int32_t>(fixed);
  result.shift = exponent;
  return result;
}

}  // namespace tinyskip::sim
