// The model's answer for one operator.
#pragma once

#include <cstdint>
#include <string>

namespace tinyskip::mcu {

struct LayerEstimate {
  int op_index = -1;
  std::string op_name;  // TFLite builtin name, "CONV_2D"
  std::string kind;     // "cmsis-nn", "tflm" (reference kernel) or "unpacked"
  std::string kernel;   // the function that runs it, "arm_convolve_s8" or "unpacked"
  std::string library;  // key of the shared library code it links (counted once per network)
  double cycles = 0;
  int64_t code_bytes = 0;   // layer-specific code: the straight-line code of an unpacked kernel
  int64_t const_bytes = 0;  // layer data in flash: weights + bias, or literals + bias + requant tables
  int64_t macs = 0;         // nominal MACs (all batches), the MLPerf convention
  int64_t kept_macs = 0;    // MACs the kernel actually issues (nominal for the baseline)
  bool fetch_bound = false; // an unpacked kernel limited by flash fetch bandwidth
};

}  // namespace tinyskip::mcu
