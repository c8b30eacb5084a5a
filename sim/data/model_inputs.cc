#include "sim/data/model_inputs.h"

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

float float_at(const uint8_t* bytes, int64_t i) {
  float value;
  std::memcpy(&value, bytes + i * static_cast<int64_t>(sizeof(float)), sizeof(float));
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

std::vector<int64_t> sample_shape_of(const Graph& graph) {
  const std::vector<int32_t>& shape = graph.tensor(graph.input).shape;
  const size_t first = shape.size() > 1 && shape[0] == 1 ? 1 : 0;
  return {shape.begin() + static_cast<std::ptrdiff_t>(first), shape.end()};
}

ModelInputs::ModelInputs(const Graph& graph, TensorSet samples, std::optional<PixelScale> pixel_scale)
    : samples_(std::move(samples)), pixel_scale_(pixel_scale) {
  const Tensor& input = graph.tensor(graph.input);
  input_type_ = input.type;
  const std::string what = fmt::format("{}: {} samples of shape {}", samples_.source, data_type_name(samples_.type),
                                       shape_string(samples_.sample_shape));
  if (input_type_ != DataType::kInt8 && input_type_ != DataType::kFloat32)
    throw DataError(fmt::format("{}: the model input is {}; tinyskip feeds int8 or float32 inputs", graph.source,
                                data_type_name(input_type_)));
  if (samples_.sample_shape != sample_shape_of(graph))
    throw DataError(fmt::format("{} do not fit the input of {}, which takes samples of shape {}", what, graph.source,
                                shape_string(sample_shape_of(graph))));
  if (samples_.type == DataType::kInt8 && input_type_ != DataType::kInt8)
    throw DataError(fmt::format("{} cannot feed the float32 input of {}: store the real values as float32",
                                what, graph.source));
  if (samples_.type == DataType::kUInt8 && !pixel_scale_)
    throw DataError(fmt::format("{} are 8-bit pixels: say how they map to real values with a pixel scale "
                                "(e.g. 1/255), which depends on how {} was trained",
                                what, graph.source));
  if (samples_.type != DataType::kUInt8 && samples_.type != DataType::kInt8 && samples_.type != DataType::kFloat32)
    throw DataError(fmt::format("{}: samples must be uint8, int8 or float32", what));
  if (input_type_ == DataType::kInt8) {
    if (!input.quant.present())
      throw DataError(fmt::format("{}: the int8 input tensor has no quantisation parameters", graph.source));
    input_scale_ = input.quant.scale.at(0);
    input_zero_point_ = input.quant.zero_point.at(0);
  }
}

void ModelInputs::encode(int first, int count, uint8_t* destination) const {
  if (first < 0 || count < 0 || first + count > size())
    throw DataError(fmt::format("{}: inputs [{}, {}) asked of {}", source(), first, first + count, size()));
  const int64_t elements = samples_.elements_per_sample() * count;
  const uint8_t* from = samples_.sample(first);
  if (samples_.type == input_type_) {  // int8 -> int8, float32 -> float32: as stored
    std::memcpy(destination, from, static_cast<size_t>(elements * data_type_size(input_type_)));
    return;
  }
  const auto real = [&](int64_t i) {
    return samples_.type == DataType::kUInt8 ? pixel_scale_->real_value(from[i]) : float_at(from, i);
  };
  if (input_type_ == DataType::kFloat32) {
    for (int64_t i = 0; i < elements; ++i) {
      const float value = real(i);
      std::memcpy(destination + i * static_cast<int64_t>(sizeof(float)), &value, sizeof(float));
    }
    return;
  }
  for (int64_t i = 0; i < elements; ++i)
    destination[i] = static_cast<uint8_t>(quantize_value_f32_s8(real(i), input_scale_, input_zero_point_));
}

std::vector<uint8_t> ModelInputs::encoded(int first, int count) const {
  std::vector<uint8_t> bytes(static_cast<size_t>(bytes_per_input() * count));
  encode(first, count, bytes.data());
  return bytes;
}

ModelInputs ModelInputs::slice(int begin, int end) const { return with_samples(sim::slice(samples_, begin, end)); }

ModelInputs ModelInputs::permuted(const std::vector<int>& order) const {
  return with_samples(sim::permuted(samples_, order));
}

ModelInputs ModelInputs::with_samples(TensorSet samples) const {
  ModelInputs out;  // not a copy of *this: that would copy every sample first
  out.samples_ = std::move(samples);
  out.input_type_ = input_type_;
  out.input_scale_ = input_scale_;
  out.input_zero_point_ = input_zero_point_;
  out.pixel_scale_ = pixel_scale_;
  return out;
}

}  // namespace tinyskip::sim
