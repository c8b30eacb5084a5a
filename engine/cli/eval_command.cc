// `tinyskip eval`: exact top-1 accuracy and throughput of a model on a
// CIFAR-10 file, optionally writing every image's raw output.
#include <chrono>
#include <fstream>

#include <spdlog/spdlog.h>

#include "engine/cli/commands.h"
#include "engine/report/progress.h"
#include "engine/report/statistics.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"

namespace tinyskip::cli {
namespace {

struct EvalOptions {
  std::string model, data, pixel_scale, outputs_path, predictions_path;
  int limit = 0, offset = 0, threads = 0;
};

void write_outputs(const std::string& path, const sim::RunOutput& run) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(run.outputs.data()), static_cast<std::streamsize>(run.outputs.size()));
  if (!out) throw std::runtime_error(path + ": cannot write outputs");
}

void write_predictions(const std::string& path, const sim::RunOutput& run, const sim::ImageSet& images,
                       const sim::Simulator& simulator, int first_index) {
  std::ofstream out(path);
  out << "image,label,top1\n";
  for (int i = 0; i < run.images; ++i)
    out << first_index + i << ',' << int{images.labels[static_cast<size_t>(i)]} << ','
        << sim::top1_class(run.output(i), simulator.output_type(), simulator.num_classes()) << '\n';
  if (!out) throw std::runtime_error(path + ": cannot write predictions");
}

int run_eval(const EvalOptions& options) {
  const sim::Graph graph = sim::load_tflite(options.model);
  const sim::PixelScale pixel_scale = sim::PixelScale::parse(options.pixel_scale);
  sim::ImageSet images = sim::load_cifar10(options.data);
  const int end = options.limit > 0 ? options.offset + options.limit : images.size();
  if (options.offset >= images.size())
    throw std::runtime_error(fmt::format("--offset {} is past the {} images of {}", options.offset,
                                         images.size(), images.source));
  images = sim::slice(images, options.offset, end);

  const sim::Simulator simulator(graph);
  engine::Progress progress("eval", images.size());
  sim::RunOptions run_options;
  run_options.threads = options.threads;
  run_options.progress = [&](int done, int) { progress.update(done); };

  const auto start = std::chrono::steady_clock::now();
  const sim::RunOutput run = simulator.run(images, pixel_scale, run_options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();

  const engine::Accuracy accuracy{sim::count_correct(run, images, simulator.output_type(), simulator.num_classes()),
                                  images.size()};
  const int64_t macs_per_image = sim::total_macs(graph);
  const double macs = static_cast<double>(macs_per_image) * images.size();
  fmt::print("model       {}\n", options.model);
  fmt::print("data        {} ({} images, pixel scale {})\n", images.source, images.size(), pixel_scale.to_string());
  fmt::print("top-1       {}  (95% Wilson CI; ties -> lowest class)\n", accuracy.to_string());
  fmt::print("throughput  {:.1f} images/s, {:.2f} GMAC/s ({:.3f} s, {} MMAC/image)\n", images.size() / seconds,
             macs / seconds / 1e9, seconds, macs_per_image / 1e6);
  if (!options.outputs_path.empty()) write_outputs(options.outputs_path, run);
  if (!options.predictions_path.empty())
    write_predictions(options.predictions_path, run, images, simulator, options.offset);
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* eval = app.add_subcommand("eval", "Exact top-1 accuracy and throughput of a model on CIFAR-10");
  eval->add_option("--model", options->model, "int8 .tflite model")->required();
  eval->add_option("--data", options->data, "cifar-10-batches-bin directory (its test_batch.bin) or a .bin file")
      ->required();
  eval->add_option("--pixel-scale", options->pixel_scale,
                   "real input value = pixel * scale, e.g. 1/255 (LeNet) or 1 (ResNet-8); depends on training")
      ->required();
  eval->add_option("--limit", options->limit, "Evaluate at most N images (0: all)")->check(CLI::NonNegativeNumber);
  eval->add_option("--offset", options->offset, "Skip the first N images")->check(CLI::NonNegativeNumber);
  eval->add_option("--threads", options->threads, "Worker threads (0: all cores)")->check(CLI::NonNegativeNumber);
  eval->add_option("--outputs", options->outputs_path, "Write every image's raw output tensor bytes here");
  eval->add_option("--predictions", options->predictions_path, "Write image,label,top1 CSV here");
  return [options] { return run_eval(*options); };
}

}  // namespace tinyskip::cli
