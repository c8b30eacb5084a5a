// The images a config's data splits name, and the latency reference input.
#pragma once

#include <string>

#include "engine/config/experiment_config.h"
#include "sim/data/cifar10.h"

namespace tinyskip::engine {

// The images a split names: its files concatenated, then [begin, end).
// sim::DataError when the range does not fit the files.
sim::ImageSet load_split(const DataSplit& split, const std::string& split_name);

// Where an image of a split comes from: a file and the index in it.
struct ImageOrigin {
  std::string file;
  int64_t index = 0;
};

// The input every latency is measured on: the first `count` images of the
// calibration split (one decision, read by the measured latency table and by
// the check program `tinyskip codegen` embeds, so that a generated winner
// runs exactly what the exploration timed). `origin`, when given, receives
// the file and index of the first image. DataError when the split has fewer.
sim::ImageSet latency_reference_images(const ExperimentConfig& config, int count, ImageOrigin* origin = nullptr);

}  // namespace tinyskip::engine
