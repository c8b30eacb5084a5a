// CIFAR-10 in its official binary format: records of 1 label byte followed by
// 3072 pixel bytes (1024 R, 1024 G, 1024 B, each a row-major 32x32 plane).
// Images are converted to NHWC once at load time, the layout every model here
// expects, so the simulator never transposes on the hot path.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tinyskip::sim {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A set of 8-bit RGB images with labels, pixels NHWC.
struct ImageSet {
  static constexpr int kHeight = 32, kWidth = 32, kChannels = 3;
  static constexpr int kPixelsPerImage = kHeight * kWidth * kChannels;

  std::string source;            // what was read, for messages and run records
  std::vector<uint8_t> pixels;   // size() * kPixelsPerImage bytes, NHWC
  std::vector<uint8_t> labels;   // one class index in [0, 9] per image

  int size() const { return static_cast<int>(labels.size()); }
  const uint8_t* image(int i) const { return pixels.data() + static_cast<size_t>(i) * kPixelsPerImage; }
};

// Reads one CIFAR-10 .bin file. Accepts any whole number of records (the
// stand-in training files are shorter than official ones); a trailing partial
// record, an empty file or a label outside [0, 9] is a DataError.
ImageSet read_cifar10_file(const std::string& path);

// Images [begin, end) of a set, as a new set (end is clamped to the size).
ImageSet slice(const ImageSet& set, int begin, int end);

// Several sets one after the other (e.g. data_batch_1..5).
ImageSet concatenate(const std::vector<ImageSet>& sets);

// Loads what a user names on the command line: a .bin file, or a
// cifar-10-batches-bin directory (meaning its test_batch.bin).
ImageSet load_cifar10(const std::string& file_or_directory);

}  // namespace tinyskip::sim
