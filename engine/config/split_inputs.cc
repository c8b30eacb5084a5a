#include "engine/config/split_inputs.h"

#include <fmt/format.h>

namespace tinyskip::engine {

sim::ModelInputs load_split(const ExperimentConfig& config, const sim::Graph& graph, const DataSplit& split,
                            const std::string& split_name) {
  sim::TensorSet all = sim::read_data_source(split.source);
  const int64_t end = split.end.value_or(all.size());
  if (split.begin >= all.size() || end > all.size())
    throw sim::DataError(fmt::format("split '{}': samples [{}, {}) asked of {} ({} samples)", split_name, split.begin,
                                     end, all.source, all.size()));
  sim::TensorSet samples = sim::slice(all, static_cast<int>(split.begin), static_cast<int>(end));
  samples.source = fmt::format("{} {}", split_name, samples.source);
  return sim::ModelInputs(graph, std::move(samples), config.pixel_scale);
}

sim::ModelInputs latency_reference_inputs(const ExperimentConfig& config, const sim::Graph& graph, int count,
                                          sim::SampleOrigin* origin) {
  const DataSplit& calibration = config.splits.calibration;
  const sim::ModelInputs split = load_split(config, graph, calibration, "calibration");
  if (count < 1 || count > split.size())
    throw sim::DataError(fmt::format("{} latency reference input(s) asked of the calibration split ({}, {} samples)",
                                     count, split.source(), split.size()));
  if (origin) *origin = sim::origin_of(calibration.source, calibration.begin);
  return split.slice(0, count);
}

}  // namespace tinyskip::engine
