// Errors of the Cortex-M4 model. Every message names what is wrong: the file
// and key for profiles and coefficient sets, the op for estimates.
#pragma once

#include <stdexcept>

namespace tinyskip::mcu {

// A board profile or coefficient file that is missing, unreadable, not JSON,
// or has a missing, unknown or ill-typed key.
class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A request the model cannot answer: an op it has no kernel for, a mask that
// does not fit its layer, a layer that cannot be unpacked.
class EstimateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::mcu
