#include "sim/data/cifar10.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace tinyskip::sim {
namespace {

constexpr int kRecordBytes = 1 + ImageSet::kPixelsPerImage;
constexpr int kPlane = ImageSet::kHeight * ImageSet::kWidth;
constexpr int kNumClasses = 10;

std::vector<uint8_t> read_whole_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DataError(fmt::format("{}: no such data file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open data file", path));
  std::vector<uint8_t> bytes(std::filesystem::file_size(path));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw DataError(fmt::format("{}: read failed", path));
  return bytes;
}

}  // namespace

ImageSet read_cifar10_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_whole_file(path);
  if (bytes.empty()) throw DataError(fmt::format("{}: empty data file", path));
  if (bytes.size() % kRecordBytes != 0)
    throw DataError(fmt::format(
        "{}: {} bytes is not a whole number of CIFAR-10 records ({} bytes each): {} records "
        "and a partial one of {} bytes",
        path, bytes.size(), kRecordBytes, bytes.size() / kRecordBytes, bytes.size() % kRecordBytes));
  const size_t count = bytes.size() / kRecordBytes;

  ImageSet set;
  set.source = path;
  set.labels.resize(count);
  set.pixels.resize(count * ImageSet::kPixelsPerImage);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* record = bytes.data() + i * kRecordBytes;
    if (record[0] >= kNumClasses)
      throw DataError(fmt::format("{}: record {} has label {}, outside [0, 9]", path, i, record[0]));
    set.labels[i] = record[0];
    // Planar R, G, B -> interleaved HWC.
    const uint8_t* planes = record + 1;
    uint8_t* hwc = set.pixels.data() + i * ImageSet::kPixelsPerImage;
    for (int p = 0; p < kPlane; ++p)
      for (int c = 0; c < ImageSet::kChannels; ++c) hwc[p * ImageSet::kChannels + c] = planes[c * kPlane + p];
  }
  return set;
}

ImageSet slice(const ImageSet& set, int begin, int end) {
  if (begin < 0 || begin > end)
    throw DataError(fmt::format("{}: invalid image range [{}, {})", set.source, begin, end));
  end = std::min(end, set.size());
  begin = std::min(begin, end);
  ImageSet out;
  out.source = fmt::format("{}[{}:{}]", set.source, begin, end);
  out.labels.assign(set.labels.begin() + begin, set.labels.begin() + end);
  out.pixels.assign(set.pixels.begin() + static_cast<ptrdiff_t>(begin) * ImageSet::kPixelsPerImage,
                    set.pixels.begin() + static_cast<ptrdiff_t>(end) * ImageSet::kPixelsPerImage);
  return out;
}

ImageSet concatenate(const std::vector<ImageSet>& sets) {
  ImageSet out;
  for (const ImageSet& s : sets) {
    out.source += (out.source.empty() ? "" : "+") + s.source;
    out.labels.insert(out.labels.end(), s.labels.begin(), s.labels.end());
    out.pixels.insert(out.pixels.end(), s.pixels.begin(), s.pixels.end());
  }
  return out;
}

ImageSet load_cifar10(const std::string& file_or_directory) {
  std::error_code ec;
  if (std::filesystem::is_directory(file_or_directory, ec)) {
    const auto test_file = std::filesystem::path(file_or_directory) / "test_batch.bin";
    if (!std::filesystem::exists(test_file, ec))
      throw DataError(fmt::format("{}: directory has no test_batch.bin (expected a "
                                  "cifar-10-batches-bin directory or a .bin file)",
                                  file_or_directory));
    return read_cifar10_file(test_file.string());
  }
  return read_cifar10_file(file_or_directory);
}

}  // namespace tinyskip::sim
