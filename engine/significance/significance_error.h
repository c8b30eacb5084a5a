// The error every significance and skip-mask step throws for bad input: an
// op that is not a MAC layer, calibration data of the wrong size, an unknown
// metric name, a malformed mask encoding. Messages name the model file and op
// ("<source>: op 3 (CONV_2D): ...") where one is involved.
#pragma once

#include <stdexcept>

namespace tinyskip::engine {

class SignificanceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::engine
