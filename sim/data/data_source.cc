#include "sim/data/data_source.h"

#include <limits>

#include <fmt/format.h>

#include "sim/data/cifar10.h"
#include "sim/data/npy.h"

namespace tinyskip::sim {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kCifar10RecordBytes = 1 + kCifar10Height * kCifar10Width * kCifar10Channels;

DataType input_type_of(const NpyArray& array) {
  switch (array.type) {
    case NpyType::kInt8: return DataType::kInt8;
    case NpyType::kUint8: return DataType::kUInt8;
    case NpyType::kFloat32: return DataType::kFloat32;
    default:
      throw DataError(fmt::format("{}: inputs of dtype {} are not supported; store int8, uint8 or float32",
                                  array.source, npy_type_name(array.type)));
  }
}

std::vector<int32_t> read_labels(const fs::path& path, int64_t samples) {
  const NpyArray array = read_npy_file(path.string());
  if (!array.is_integer())
    throw DataError(fmt::format("{}: labels must be integers, the file holds {}", path.string(),
                                npy_type_name(array.type)));
  if (array.shape.size() != 1)
    throw DataError(fmt::format("{}: labels must be a 1-D array (N,), the file has shape {}", path.string(),
                                shape_string(array.shape)));
  if (array.shape[0] != samples)
    throw DataError(fmt::format("{}: {} labels for {} input samples", path.string(), array.shape[0], samples));
  std::vector<int32_t> labels(static_cast<size_t>(samples));
  for (int64_t i = 0; i < samples; ++i) {
    const int64_t label = array.integer(i);
    if (label < 0 || label > std::numeric_limits<int32_t>::max())
      throw DataError(fmt::format("{}: label {} is {}, not a class index", path.string(), i, label));
    labels[static_cast<size_t>(i)] = static_cast<int32_t>(label);
  }
  return labels;
}

}  // namespace

std::string DataSource::describe() const {
  if (format == Format::kNpy)
    return npy_labels.empty() ? npy_inputs.string() : fmt::format("{} (labels {})", npy_inputs.string(),
                                                                  npy_labels.string());
  std::string files;
  for (const fs::path& file : cifar10_files) files.append(files.empty() ? "" : "+").append(file.string());
  return files;
}

std::vector<fs::path> DataSource::files() const {
  if (format == Format::kCifar10) return cifar10_files;
  std::vector<fs::path> both = {npy_inputs};
  if (!npy_labels.empty()) both.push_back(npy_labels);
  return both;
}

bool DataSource::same_samples(const DataSource& other) const {
  if (format != other.format) return false;
  return format == Format::kNpy ? npy_inputs == other.npy_inputs : cifar10_files == other.cifar10_files;
}

TensorSet read_npy_samples(const fs::path& inputs, const fs::path& labels) {
  NpyArray array = read_npy_file(inputs.string());
  TensorSet set;
  set.source = inputs.string();
  set.type = input_type_of(array);
  if (array.shape.size() < 2)
    throw DataError(fmt::format("{}: inputs must have shape (N, *input_shape), the file has shape {}",
                                inputs.string(), shape_string(array.shape)));
  if (array.shape[0] == 0) throw DataError(fmt::format("{}: the inputs array holds no samples", inputs.string()));
  if (array.shape[0] > std::numeric_limits<int>::max())
    throw DataError(fmt::format("{}: {} samples is more than tinyskip handles", inputs.string(), array.shape[0]));
  set.count = static_cast<int>(array.shape[0]);
  set.sample_shape.assign(array.shape.begin() + 1, array.shape.end());
  set.bytes = std::move(array.data);
  if (!labels.empty()) set.labels = read_labels(labels, set.count);
  return set;
}

TensorSet read_data_source(const DataSource& source) {
  if (source.format == DataSource::Format::kNpy) return read_npy_samples(source.npy_inputs, source.npy_labels);
  std::vector<TensorSet> parts;
  for (const fs::path& file : source.cifar10_files) parts.push_back(read_cifar10_file(file.string()));
  return concatenate(parts);
}

DataSource data_source_for(const std::string& data, const std::string& labels) {
  std::error_code ec;
  if (!fs::exists(data, ec)) throw DataError(fmt::format("{}: no such data file or directory", data));
  DataSource source;
  if (fs::path(data).extension() == ".npy") {
    source.format = DataSource::Format::kNpy;
    source.npy_inputs = data;
    source.npy_labels = labels;
    if (!labels.empty() && !fs::exists(labels, ec))
      throw DataError(fmt::format("{}: no such labels file", labels));
    return source;
  }
  if (!labels.empty())
    throw DataError(fmt::format("{}: a labels file goes with .npy inputs; CIFAR-10 files carry their labels", labels));
  source.format = DataSource::Format::kCifar10;
  source.cifar10_files = {fs::is_directory(data, ec) ? fs::path(data) / kCifar10TestFile : fs::path(data)};
  return source;
}

SampleOrigin origin_of(const DataSource& source, int64_t index) {
  if (source.format == DataSource::Format::kNpy) return {source.npy_inputs.string(), index};
  for (const fs::path& file : source.cifar10_files) {
    std::error_code ec;
    const auto bytes = static_cast<int64_t>(fs::file_size(file, ec));
    const int64_t records = ec ? 0 : bytes / kCifar10RecordBytes;
    if (index < records) return {file.string(), index};
    index -= records;
  }
  throw DataError(fmt::format("{}: has no sample {}", source.describe(), index));
}

}  // namespace tinyskip::sim
