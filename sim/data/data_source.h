// Where a data set's samples come from, as a config split or a command line
// names them, and the one reader for every format:
// - CIFAR-10 binary batch files, read one after the other (uint8 images of
//   shape (32, 32, 3) with labels, sim/data/cifar10.h);
// - a NumPy pair: an inputs array (N, *sample_shape) of int8, uint8 or
//   float32, and optionally a labels array (N,) of non-negative integers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/data/tensor_set.h"

namespace tinyskip::sim {

struct DataSource {
  enum class Format { kCifar10, kNpy };
  Format format = Format::kCifar10;
  std::vector<std::filesystem::path> cifar10_files;  // kCifar10
  std::filesystem::path npy_inputs;                  // kNpy
  std::filesystem::path npy_labels;                  // kNpy; empty: unlabelled

  std::string describe() const;  // for messages: the files
  std::vector<std::filesystem::path> files() const;  // every file it reads
  // True when both read the same samples (same files in the same order), so
  // that overlapping ranges of them overlap.
  bool same_samples(const DataSource& other) const;
};

TensorSet read_data_source(const DataSource& source);

// An inputs .npy and an optional labels .npy (empty path: none) as one set.
// DataError naming the file: an inputs dtype other than int8, uint8 or
// float32, fewer than 2 dimensions, no samples, labels that are not 1-D
// integers, negative or beyond int32, or a label count other than N.
TensorSet read_npy_samples(const std::filesystem::path& inputs, const std::filesystem::path& labels);

// What a user names on the command line: a .npy file (with `labels`, maybe
// empty), a CIFAR-10 .bin file or a cifar-10-batches-bin directory (its
// test_batch.bin). DataError when the path does not exist.
DataSource data_source_for(const std::string& data, const std::string& labels);

// The file sample `index` of the source's concatenation is in, and its index
// there (for run records: which input the latency was measured on).
struct SampleOrigin {
  std::string file;
  int64_t index = 0;
};
SampleOrigin origin_of(const DataSource& source, int64_t index);

}  // namespace tinyskip::sim
