// `tinyskip eval`: the exact model on a data set (CIFAR-10 or .npy): top-1
// accuracy when there are labels, throughput, and optionally every sample's
// raw output and top-1 class.
#include <chrono>
#include <fstream>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "engine/cli/commands.h"
#include "engine/report/progress.h"
#include "engine/report/statistics.h"
#include "sim/data/data_source.h"
#include "sim/data/model_inputs.h"
#include "sim/kernels/simd_level.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"

namespace tinyskip::cli {
namespace {

struct EvalOptions {
  std::string model, data, labels, pixel_scale, outputs_path, predictions_path;
  int limit = 0, offset = 0, threads = 0;
};

void write_outputs(const std::string& path, const sim::RunOutput& run) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(run.outputs.data()), static_cast<std::streamsize>(run.outputs.size()));
  if (!out) throw std::runtime_error(path + ": cannot write outputs");
}

// One row per input; the label column is empty for unlabelled data.
void write_predictions(const std::string& path, const std::vector<int>& top1, const sim::ModelInputs& inputs,
                       int first_index) {
  std::ofstream out(path);
  out << "sample,label,top1\n";
  for (size_t i = 0; i < top1.size(); ++i) {
    out << first_index + static_cast<int64_t>(i) << ',';
    if (inputs.labelled()) out << inputs.labels()[i];
    out << ',' << top1[i] << '\n';
  }
  if (!out) throw std::runtime_error(path + ": cannot write predictions");
}

int run_eval(const EvalOptions& options) {
  const sim::Graph graph = sim::load_tflite(options.model);
  std::optional<sim::PixelScale> pixel_scale;
  if (!options.pixel_scale.empty()) pixel_scale = sim::PixelScale::parse(options.pixel_scale);
  sim::TensorSet samples = sim::read_data_source(sim::data_source_for(options.data, options.labels));
  if (options.offset >= samples.size())
    throw sim::DataError(fmt::format("--offset {} is past the {} samples of {}", options.offset, samples.size(),
                                     samples.source));
  const int end = options.limit > 0 ? options.offset + options.limit : samples.size();
  const sim::ModelInputs inputs(graph, sim::slice(samples, options.offset, end), pixel_scale);

  const sim::Simulator simulator(graph);
  engine::Progress progress("eval", inputs.size());
  sim::RunOptions run_options;
  run_options.threads = options.threads;
  run_options.progress = [&](int done, int) { progress.update(done); };

  const auto start = std::chrono::steady_clock::now();
  const sim::RunOutput run = simulator.run(inputs, run_options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();

  const std::vector<int> top1 = sim::top1_classes(run, simulator.output_type(), simulator.num_classes());
  const int64_t macs_per_input = sim::total_macs(graph);
  const double macs = static_cast<double>(macs_per_input) * inputs.size();
  fmt::print("model       {}\n", options.model);
  fmt::print("data        {} ({} samples, {}{})\n", inputs.source(), inputs.size(),
             sim::data_type_name(inputs.samples().type),
             pixel_scale ? fmt::format(", pixel scale {}", pixel_scale->to_string()) : std::string());
  if (inputs.labelled()) {
    const engine::Accuracy accuracy{sim::count_correct(run, inputs, simulator.output_type(), simulator.num_classes()),
                                    inputs.size()};
    fmt::print("top-1       {}  (95% Wilson CI; ties -> lowest class)\n", accuracy.to_string());
  } else {
    std::map<int, int> histogram;
    for (int c : top1) ++histogram[c];
    std::string classes;
    for (const auto& [c, n] : histogram) classes += fmt::format("{}{}: {}", classes.empty() ? "" : ", ", c, n);
    fmt::print("top-1       no labels, not scored; predicted classes {}\n", classes);
  }
  fmt::print("throughput  {:.1f} samples/s, {:.2f} GMAC/s ({:.3f} s, {} MMAC/sample), SIMD level {}\n",
             inputs.size() / seconds, macs / seconds / 1e9, seconds, macs_per_input / 1e6,
             sim::simd_level_name(sim::active_simd_level()));
  if (!options.outputs_path.empty()) write_outputs(options.outputs_path, run);
  if (!options.predictions_path.empty()) write_predictions(options.predictions_path, top1, inputs, options.offset);
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* eval = app.add_subcommand("eval", "Exact outputs, top-1 accuracy and throughput of a model on a data set");
  eval->add_option("--model", options->model, "int8 .tflite model")->required();
  eval->add_option("--data", options->data,
                   "inputs: a .npy array (N, *input_shape) of int8, uint8 or float32, a CIFAR-10 .bin file, or a "
                   "cifar-10-batches-bin directory (its test_batch.bin)")
      ->required();
  eval->add_option("--labels", options->labels, "labels for .npy inputs: a .npy array (N,) of integers");
  eval->add_option("--pixel-scale", options->pixel_scale,
                   "for 8-bit pixel data (CIFAR-10, uint8 .npy): real input value = pixel * scale, e.g. 1/255 "
                   "(LeNet) or 1 (ResNet-8); depends on training");
  eval->add_option("--limit", options->limit, "Evaluate at most N images (0: all)")->check(CLI::NonNegativeNumber);
  eval->add_option("--offset", options->offset, "Skip the first N images")->check(CLI::NonNegativeNumber);
  eval->add_option("--threads", options->threads, "Worker threads (0: all cores)")->check(CLI::NonNegativeNumber);
  eval->add_option("--outputs", options->outputs_path, "Write every sample's raw output tensor bytes here");
  eval->add_option("--predictions", options->predictions_path, "Write sample,label,top1 CSV here");
  return [options] { return run_eval(*options); };
}

}  // namespace tinyskip::cli
