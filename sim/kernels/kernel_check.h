// Up-front argument checks shared by the int8 kernels. A kernel called with
// inconsistent shapes would read or write out of bounds, so every kernel
// validates its shapes before touching memory and throws KernelError naming
// the kernel and the field that is wrong.
#pragma once

#include <stdexcept>
#include <string>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

class KernelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws KernelError("<kernel>: <what>") when condition is false.
inline void kernel_check(bool condition, const char* kernel, const std::string& what) {
  if (!condition) throw KernelError(std::string(kernel) + ": " + what);
}

// All four dimensions positive.
inline void check_shape_positive(const Shape4& shape, const char* kernel, const char* name) {
  kernel_check(shape.n > 0 && shape.h > 0 && shape.w > 0 && shape.c > 0, kernel,
               std::string(name) + " shape has a non-positive dimension (" +
                   std::to_string(shape.n) + "x" + std::to_string(shape.h) + "x" +
                   std::to_string(shape.w) + "x" + std::to_string(shape.c) + ")");
}

inline void check_activation_range(const ActivationRange& range, const char* kernel) {
  kernel_check(range.min >= -128 && range.max <= 127 && range.min <= range.max, kernel,
               "activation range [" + std::to_string(range.min) + ", " +
                   std::to_string(range.max) + "] is not a non-empty sub-range of int8");
}

// Requantisation entries exist for every output channel and are in range.
inline void check_channel_requant(const ChannelRequant& requant, int channels, const char* kernel) {
  kernel_check(requant.multiplier.size() == static_cast<size_t>(channels) &&
                   requant.shift.size() == static_cast<size_t>(channels),
               kernel,
               "requantisation has " + std::to_string(requant.multiplier.size()) +
                   " multipliers and " + std::to_string(requant.shift.size()) + " shifts for " +
                   std::to_string(channels) + " output channels");
  for (int c = 0; c < channels; ++c) {
    const int shift = requant.shift[static_cast<size_t>(c)];
    kernel_check(requant.multiplier[static_cast<size_t>(c)] >= 0 && shift >= -31 && shift <= 31,
                 kernel, "requantisation of channel " + std::to_string(c) + " is out of range");
  }
}

}  // namespace tinyskip::sim
