#include "sim/input_encoding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/kernels/quantize_f32_s8.h"

namespace tinyskip::sim {
namespace {

float parse_positive_float(const std::string& text, const std::string& whole) {
  size_t used = 0;
  float value = 0;
  try {
    value = std::stof(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(value > 0) || !std::isfinite(value))
    throw std::invalid_argument(
        fmt::format("pixel scale '{}' is not a positive number or fraction like 1/255", whole));
  return value;
}

}  // namespace

PixelScale PixelScale::parse(const std::string& text) {
  PixelScale scale;
  const size_t slash = text.find('/');
  if (slash == std::string::npos) {
    scale.numerator = parse_positive_float(text, text);
  } else {
    scale.numerator = parse_positive_float(text.substr(0, slash), text);
    scale.denominator = parse_positive_float(text.substr(slash + 1), text);
  }
  return scale;
}

std::string PixelScale::to_string() const {
  return denominator == 1.0f ? fmt::format("{}", numerator) : fmt::format("{}/{}", numerator, denominator);
}

void encode_input(const Graph& graph, const PixelScale& scale, const uint8_t* pixels, int count,
                  uint8_t* input_tensor) {
  const Tensor& input = graph.tensor(graph.input);
  if (input.type == DataType::kFloat32) {
    for (int i = 0; i < count; ++i) {
      const float value = scale.real_value(pixels[i]);
      std::memcpy(input_tensor + static_cast<size_t>(i) * sizeof(float), &value, sizeof(float));
    }
    return;
  }
  // int8 input: quantised exactly as a QUANTIZE op would do it.
  const float input_scale = input.quant.scale.at(0);
  const int32_t zero_point = input.quant.zero_point.at(0);
  for (int i = 0; i < count; ++i)
    input_tensor[i] =
        static_cast<uint8_t>(quantize_value_f32_s8(scale.real_value(pixels[i]), input_scale, zero_point));
}

}  // namespace tinyskip::sim
