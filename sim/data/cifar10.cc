#include "sim/data/cifar10.h"

#include <filesystem>

#include <fmt/format.h>

#include "sim/support/whole_file.h"

namespace tinyskip::sim {
namespace {

constexpr int kPlane = kCifar10Height * kCifar10Width;
constexpr int kPixelsPerImage = kPlane * kCifar10Channels;
constexpr int kRecordBytes = 1 + kPixelsPerImage;
constexpr int kNumClasses = 10;

}  // namespace

TensorSet read_cifar10_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(fmt::format("{}: no such data file", path));
  const std::optional<std::string> contents = support::read_whole_file(path);
  if (!contents) throw DataError(fmt::format("{}: cannot read data file", path));
  const std::string& bytes = *contents;
  if (bytes.empty()) throw DataError(fmt::format("{}: empty data file", path));
  if (bytes.size() % kRecordBytes != 0)
    throw DataError(fmt::format(
        "{}: {} bytes is not a whole number of CIFAR-10 records ({} bytes each): {} records "
        "and a partial one of {} bytes",
        path, bytes.size(), kRecordBytes, bytes.size() / kRecordBytes, bytes.size() % kRecordBytes));
  const size_t count = bytes.size() / kRecordBytes;

  TensorSet set;
  set.source = path;
  set.type = DataType::kUInt8;
  set.sample_shape = {kCifar10Height, kCifar10Width, kCifar10Channels};
  set.count = static_cast<int>(count);
  set.labels.resize(count);
  set.bytes.resize(count * kPixelsPerImage);
  for (size_t i = 0; i < count; ++i) {
    const auto* record = reinterpret_cast<const uint8_t*>(bytes.data()) + i * kRecordBytes;
    if (record[0] >= kNumClasses)
      throw DataError(fmt::format("{}: record {} has label {}, outside [0, 9]", path, i, record[0]));
    set.labels[i] = record[0];
    // Planar R, G, B -> interleaved HWC.
    const uint8_t* planes = record + 1;
    uint8_t* hwc = set.bytes.data() + i * kPixelsPerImage;
    for (int p = 0; p < kPlane; ++p)
      for (int c = 0; c < kCifar10Channels; ++c) hwc[p * kCifar10Channels + c] = planes[c * kPlane + p];
  }
  return set;
}

TensorSet load_cifar10(const std::string& file_or_directory) {
  std::error_code ec;
  if (std::filesystem::is_directory(file_or_directory, ec)) {
    const auto test_file = std::filesystem::path(file_or_directory) / kCifar10TestFile;
    if (!std::filesystem::exists(test_file, ec))
      throw DataError(fmt::format("{}: directory has no {} (expected a cifar-10-batches-bin directory or a .bin file)",
                                  file_or_directory, kCifar10TestFile));
    return read_cifar10_file(test_file.string());
  }
  return read_cifar10_file(file_or_directory);
}

}  // namespace tinyskip::sim
