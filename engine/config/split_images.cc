#include "engine/config/split_images.h"

#include <fmt/format.h>

namespace tinyskip::engine {

sim::ImageSet load_split(const DataSplit& split, const std::string& split_name) {
  std::vector<sim::ImageSet> parts;
  for (const auto& file : split.files) parts.push_back(sim::read_cifar10_file(file.string()));
  sim::ImageSet all = sim::concatenate(parts);
  const int64_t end = split.end.value_or(all.size());
  if (split.begin >= all.size() || end > all.size())
    throw sim::DataError(fmt::format("split '{}': images [{}, {}) asked of {} ({} images)", split_name, split.begin,
                                     end, all.source, all.size()));
  sim::ImageSet images = sim::slice(all, static_cast<int>(split.begin), static_cast<int>(end));
  images.source = fmt::format("{} {}", split_name, images.source);
  return images;
}

sim::ImageSet latency_reference_images(const ExperimentConfig& config, int count, ImageOrigin* origin) {
  const DataSplit& calibration = config.splits.calibration;
  const sim::ImageSet split = load_split(calibration, "calibration");
  if (count < 1 || count > split.size())
    throw sim::DataError(fmt::format("{} latency reference image(s) asked of the calibration split ({}, {} images)",
                                     count, split.source, split.size()));
  if (origin) {
    int64_t index = calibration.begin;
    for (const auto& file : calibration.files) {
      const int64_t images = sim::read_cifar10_file(file.string()).size();
      if (index < images) {
        *origin = {file.string(), index};
        break;
      }
      index -= images;
    }
  }
  sim::ImageSet images = sim::slice(split, 0, count);
  images.source = split.source;
  return images;
}

}  // namespace tinyskip::engine
