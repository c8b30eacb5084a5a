// How CIFAR-10 pixel bytes become the network's input. This depends on how
// the model was trained, so it is a setting: the real value fed to the network
// is pixel * numerator / denominator, computed in float ("1/255" gives exactly
// the pixel / 255.0f the LeNet model was trained with). A float-input model
// receives that float and runs its own QUANTIZE; an int8-input model gets it
// quantised with its input tensor's scale and zero point.
#pragma once

#include <cstdint>
#include <string>

#include "sim/graph.h"

namespace tinyskip::sim {

struct PixelScale {
  float numerator = 1.0f;
  float denominator = 1.0f;

  // Parses "1/255", "1", "0.5". Throws std::invalid_argument naming the text.
  static PixelScale parse(const std::string& text);
  std::string to_string() const;
  float real_value(uint8_t pixel) const { return static_cast<float>(pixel) * numerator / denominator; }
};

// Writes one image's input tensor (HWC, pixels.size() values) in the graph
// input's type: float32 values, or int8 quantised as QUANTIZE would.
void encode_input(const Graph& graph, const PixelScale& scale, const uint8_t* pixels, int count,
                  uint8_t* input_tensor);

}  // namespace tinyskip::sim
