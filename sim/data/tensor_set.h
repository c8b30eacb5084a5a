// A data set as tinyskip holds it: `count` samples of one element type and
// shape, stored back to back in C order, with an optional integer label per
// sample. Readers (CIFAR-10 binary, .npy) produce one as the file stores it;
// sim/data/model_inputs.h turns it into a model's input tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/data/data_error.h"
#include "sim/graph.h"

namespace tinyskip::sim {

struct TensorSet {
  std::string source;                   // what was read, for messages and run records
  DataType type = DataType::kUInt8;     // kUInt8, kInt8 or kFloat32
  std::vector<int64_t> sample_shape;    // per sample, e.g. {32, 32, 3}
  std::vector<uint8_t> bytes;           // count * bytes_per_sample()
  std::vector<int32_t> labels;          // one per sample, or empty: unlabelled
  int count = 0;

  int size() const { return count; }
  bool labelled() const { return !labels.empty(); }
  int64_t elements_per_sample() const;
  int64_t bytes_per_sample() const { return elements_per_sample() * data_type_size(type); }
  const uint8_t* sample(int i) const { return bytes.data() + static_cast<size_t>(i) * bytes_per_sample(); }
};

std::string shape_string(const std::vector<int64_t>& shape);  // "(32, 32, 3)"

// Samples [begin, end) as a new set (end is clamped to the size).
TensorSet slice(const TensorSet& set, int begin, int end);

// The samples in the order given: sample i of the result is set's order[i]
// (DataError unless order is a permutation of 0 .. size-1).
TensorSet permuted(const TensorSet& set, const std::vector<int>& order);

// Several sets one after the other (e.g. data_batch_1..5). DataError unless
// all have the same type and sample shape, and all or none have labels.
TensorSet concatenate(const std::vector<TensorSet>& sets);

}  // namespace tinyskip::sim
