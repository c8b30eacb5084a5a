// CIFAR-10 in its official binary format: records of 1 label byte followed by
// 3072 pixel bytes (1024 R, 1024 G, 1024 B, each a row-major 32x32 plane).
// Images are converted to HWC once at load time, the layout every model here
// expects, so the simulator never transposes on the hot path.
#pragma once

#include <string>

#include "sim/data/tensor_set.h"

namespace tinyskip::sim {

constexpr int kCifar10Height = 32, kCifar10Width = 32, kCifar10Channels = 3;
// The file a cifar-10-batches-bin directory names when no file is given.
inline constexpr const char* kCifar10TestFile = "test_batch.bin";

// Reads one CIFAR-10 .bin file as uint8 samples of shape (32, 32, 3) with
// their labels. Accepts any whole number of records (the stand-in training
// files are shorter than official ones); a trailing partial record, an empty
// file or a label outside [0, 9] is a DataError.
TensorSet read_cifar10_file(const std::string& path);

// Loads what a user names on the command line: a .bin file, or a
// cifar-10-batches-bin directory (meaning its test_batch.bin).
TensorSet load_cifar10(const std::string& file_or_directory);

}  // namespace tinyskip::sim
