// Scoring a design point's run on a split against the exact model's run on
// the same inputs, for the config's score kind (engine/report/score.h):
// top-1 against the labels, top-1 agreement, or output fidelity (MAE in real
// output units, SNR in dB).
#pragma once

#include <vector>

#include "engine/report/score.h"
#include "sim/data/model_inputs.h"
#include "sim/graph.h"
#include "sim/simulator.h"

namespace tinyskip::engine {

// What any score of a split compares with: the exact model's outputs on it.
struct ExactOutputs {
  std::vector<int> top1;    // per sample
  std::vector<double> real;  // per sample, every output element dequantised (real units)
  int elements = 0;         // output elements per sample
};

ExactOutputs exact_outputs(const sim::Graph& graph, const sim::RunOutput& run);

// The score of `run` (the same inputs as `exact`). Top-1 needs labels on
// `inputs` (sim::SimulatorError otherwise: the experiment checks first).
Score score_run(ScoreKind kind, const sim::Graph& graph, const sim::RunOutput& run, const sim::ModelInputs& inputs,
                const ExactOutputs& exact);

// Count scores: how many samples of `run` match (top-1 against the label, or
// against the exact model's top-1); the run covers samples [first, first +
// run.images) of `inputs` and `exact`.
int count_matches(ScoreKind kind, const sim::Graph& graph, const sim::RunOutput& run, const sim::ModelInputs& inputs,
                  const ExactOutputs& exact, int first);

}  // namespace tinyskip::engine
