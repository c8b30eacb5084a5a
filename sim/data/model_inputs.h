// A data set encoded for one model: its samples become the model's input
// tensors, in the input's type, so the simulator only copies bytes.
//
// How a sample's values become the input depends on how they are stored:
// - int8 samples go in as stored (the model's input must be int8);
// - uint8 samples are pixels: the real value fed to the network is
//   pixel * pixel_scale, computed in float ("1/255" gives exactly the
//   pixel / 255.0f the LeNet model was trained with), which depends on how
//   the model was trained, so pixel_scale is a setting and required here;
// - float32 samples are real values.
// A float32-input model receives the real value and runs its own QUANTIZE; an
// int8-input model gets it quantised with its input tensor's scale and zero
// point, exactly as QUANTIZE would.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/data/tensor_set.h"
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

class ModelInputs {
 public:
  // DataError naming the data and the model when a sample's shape is not the
  // model input's (less a leading batch dimension of 1), when int8 samples
  // meet a float32 input, or uint8 samples come without a pixel scale.
  ModelInputs(const Graph& graph, TensorSet samples, std::optional<PixelScale> pixel_scale);

  int size() const { return samples_.size(); }
  const std::string& source() const { return samples_.source; }
  const TensorSet& samples() const { return samples_; }
  bool labelled() const { return samples_.labelled(); }
  const std::vector<int32_t>& labels() const { return samples_.labels; }
  DataType input_type() const { return input_type_; }
  int64_t bytes_per_input() const { return samples_.elements_per_sample() * data_type_size(input_type_); }

  // Inputs [first, first + count) as the model's input tensors, back to back
  // (count * bytes_per_input() bytes at `destination`).
  void encode(int first, int count, uint8_t* destination) const;
  std::vector<uint8_t> encoded(int first, int count) const;

  // Inputs [begin, end) (end clamped), encoded the same way.
  ModelInputs slice(int begin, int end) const;
  // The inputs in another order (sim::permuted), encoded the same way.
  ModelInputs permuted(const std::vector<int>& order) const;

 private:
  ModelInputs() = default;
  ModelInputs with_samples(TensorSet samples) const;  // this encoding, other samples

  TensorSet samples_;
  DataType input_type_ = DataType::kInt8;
  float input_scale_ = 1.0f;
  int32_t input_zero_point_ = 0;
  std::optional<PixelScale> pixel_scale_;
};

// The shape one sample must have for this model: its input's, less a
// leading batch dimension of 1.
std::vector<int64_t> sample_shape_of(const Graph& graph);

}  // namespace tinyskip::sim
