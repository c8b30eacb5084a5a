#include "engine/explore/scoring.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace tinyskip::engine {
namespace {

constexpr double kZ95 = 1.959963984540054;

// Output element e of sample i in real units: the dequantised int8 value, or
// the float32 the model outputs.
double real_output(const sim::Graph& graph, const sim::RunOutput& run, int i, int e) {
  const sim::Tensor& output = graph.tensor(graph.output);
  const uint8_t* bytes = run.output(i);
  if (output.type == sim::DataType::kFloat32) {
    float value;
    std::memcpy(&value, bytes + static_cast<size_t>(e) * sizeof(float), sizeof(float));
    return value;
  }
  const int q = static_cast<int8_t>(bytes[e]);
  return static_cast<double>(output.quant.scale.at(0)) * (q - output.quant.zero_point.at(0));
}

struct MeanInterval {
  double mean = 0, half_width = 0;
};

// Mean of per-sample values with its 95 % normal-approximation half width.
MeanInterval mean_interval(const std::vector<double>& values) {
  MeanInterval result;
  const double n = static_cast<double>(values.size());
  for (double v : values) result.mean += v / n;
  if (values.size() < 2) return result;
  double squares = 0;
  for (double v : values) squares += (v - result.mean) * (v - result.mean);
  result.half_width = kZ95 * std::sqrt(squares / (n - 1) / n);
  return result;
}

double snr_db(double signal, double noise) {
  if (noise <= 0) return kMaxSnrDb;
  if (signal <= 0) return -kMaxSnrDb;
  return std::clamp(10.0 * std::log10(signal / noise), -kMaxSnrDb, kMaxSnrDb);
}

Score fidelity(ScoreKind kind, const sim::Graph& graph, const sim::RunOutput& run, const ExactOutputs& exact) {
  const int n = run.images;
  std::vector<double> per_sample(static_cast<size_t>(n), 0.0);
  double signal = 0;
  for (int i = 0; i < n; ++i)
    for (int e = 0; e < exact.elements; ++e) {
      const double reference = exact.real[static_cast<size_t>(i) * exact.elements + e];
      const double difference = real_output(graph, run, i, e) - reference;
      per_sample[static_cast<size_t>(i)] +=
          kind == ScoreKind::kOutputMae ? std::abs(difference) / exact.elements : difference * difference;
      signal += reference * reference;
    }
  const MeanInterval interval = mean_interval(per_sample);
  if (kind == ScoreKind::kOutputMae)
    return Score::fidelity(kind, interval.mean, std::max(0.0, interval.mean - interval.half_width),
                           interval.mean + interval.half_width, n);
  // SNR over the whole split; its interval from the mean noise power's.
  const double samples = n;
  return Score::fidelity(kind, snr_db(signal, interval.mean * samples),
                         snr_db(signal, (interval.mean + interval.half_width) * samples),
                         snr_db(signal, (interval.mean - interval.half_width) * samples), n);
}

}  // namespace

ExactOutputs exact_outputs(const sim::Graph& graph, const sim::RunOutput& run) {
  ExactOutputs exact;
  const sim::Tensor& output = graph.tensor(graph.output);
  exact.elements = static_cast<int>(output.num_elements());
  exact.top1 = sim::top1_classes(run, output.type, exact.elements);
  exact.real.resize(static_cast<size_t>(run.images) * exact.elements);
  for (int i = 0; i < run.images; ++i)
    for (int e = 0; e < exact.elements; ++e)
      exact.real[static_cast<size_t>(i) * exact.elements + e] = real_output(graph, run, i, e);
  return exact;
}

int count_matches(ScoreKind kind, const sim::Graph& graph, const sim::RunOutput& run, const sim::ModelInputs& inputs,
                  const ExactOutputs& exact, int first) {
  if (first < 0 || first + run.images > static_cast<int>(exact.top1.size()))
    throw std::logic_error("count_matches: the run and the exact outputs are of different inputs");
  if (kind == ScoreKind::kTop1 && !inputs.labelled())
    throw sim::SimulatorError(fmt::format("{}: has no labels, so top-1 accuracy cannot be scored", inputs.source()));
  const sim::Tensor& output = graph.tensor(graph.output);
  const int classes = static_cast<int>(output.num_elements());
  int matches = 0;
  for (int i = 0; i < run.images; ++i) {
    const int sample = first + i;
    const int expected = kind == ScoreKind::kTop1 ? inputs.labels()[static_cast<size_t>(sample)]
                                                  : exact.top1[static_cast<size_t>(sample)];
    matches += sim::top1_class(run.output(i), output.type, classes) == expected;
  }
  return matches;
}

Score score_run(ScoreKind kind, const sim::Graph& graph, const sim::RunOutput& run, const sim::ModelInputs& inputs,
                const ExactOutputs& exact) {
  if (run.images != static_cast<int>(exact.top1.size()))
    throw std::logic_error("score_run: the run and the exact outputs are of different inputs");
  if (!is_count_score(kind)) return fidelity(kind, graph, run, exact);
  return Score::count(kind, count_matches(kind, graph, run, inputs, exact, 0), run.images);
}

}  // namespace tinyskip::engine
