// The model inputs a config's data splits name, and the latency reference
// input.
#pragma once

#include <string>

#include "engine/config/experiment_config.h"
#include "sim/data/data_source.h"
#include "sim/data/model_inputs.h"
#include "sim/graph.h"

namespace tinyskip::engine {

// The samples a split names (its source, then [begin, end)), encoded for the
// model with the config's pixel scale. sim::DataError when the range does
// not fit the source or the samples do not fit the model.
sim::ModelInputs load_split(const ExperimentConfig& config, const sim::Graph& graph, const DataSplit& split,
                            const std::string& split_name);

// The input every latency is measured on: the first `count` samples of the
// calibration split (one decision, read by the measured latency table and by
// the check program `tinyskip codegen` embeds, so that a generated winner
// runs exactly what the exploration timed). `origin`, when given, receives
// the file and index of the first sample. DataError when the split has fewer.
sim::ModelInputs latency_reference_inputs(const ExperimentConfig& config, const sim::Graph& graph, int count,
                                          sim::SampleOrigin* origin = nullptr);

}  // namespace tinyskip::engine
