#include "engine/calibrate/calibration_job.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/calibrate/fit_set.h"
#include "engine/calibrate/least_squares.h"
#include "engine/config/estimate_options.h"
#include "engine/config/experiment_config.h"
#include "engine/explore/network_timer.h"
#include "engine/results/atomic_file.h"
#include "mcu_model/cortex_m4_timing.h"
#include "mcu_model/errors.h"
#include "mcu_model/layer_geometry.h"
#include "mcu_model/unpacked_cost.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

// Small against the unit-norm columns: it only decides between features the
// fit set cannot separate, pulling them towards 0 together.
constexpr double kRidge = 1e-6;

Experiment calibration_experiment(const ExperimentConfig& config, const sim::Graph& graph, bool cmsis_nn,
                                  const std::string& opt_level) {
  Experiment experiment;
  experiment.config = config;
  experiment.config.flash.opt_level = opt_level;
  if (!cmsis_nn)
    experiment.config.cmsis_nn.reset();
  else if (experiment.config.cmsis_nn)
    experiment.config.cmsis_nn->opt_level = opt_level;
  experiment.graph = graph;
  for (const BoardRef& board : config.boards) experiment.boards.push_back(mcu::load_board_profile(board.file.string()));
  return experiment;
}

mcu::FitResiduals residuals_of(const Eigen::VectorXd& relative_errors) {
  mcu::FitResiduals r;
  r.samples = static_cast<int>(relative_errors.size());
  r.rms_relative_error = std::sqrt(relative_errors.squaredNorm() / static_cast<double>(relative_errors.size()));
  r.max_relative_error = relative_errors.cwiseAbs().maxCoeff();
  return r;
}

}  // namespace

std::vector<mcu::KernelFeatures> network_features(const sim::Graph& graph, const sim::MaskSet& masks,
                                                  const std::set<int>& unpacked_ops, const mcu::BoardProfile& board,
                                                  mcu::ExactKernels kernels) {
  std::vector<mcu::KernelFeatures> features;
  for (const sim::Op& op : graph.ops) {
    if (!unpacked_ops.count(op.index)) {
      features.push_back(mcu::exact_kernel_features(graph, op, kernels));
      continue;
    }
    const auto mask = masks.find(op.index);
    const mcu::UnpackedLayerCost layer(graph, op, board);
    features.push_back(
        mcu::unpacked_layer_features(graph, op, layer.count(mask == masks.end() ? nullptr : &mask->second)));
  }
  return features;
}

std::map<std::string, mcu::KernelCalibration> fit_kernels(const std::vector<CalibrationSample>& samples) {
  std::map<std::string, std::vector<const CalibrationSample*>> by_kernel;
  for (const CalibrationSample& sample : samples)
    by_kernel[mcu::calibration_key(sample.features.kernel, sample.opt_level)].push_back(&sample);
  std::map<std::string, mcu::KernelCalibration> kernels;
  for (const auto& [name, rows] : by_kernel) {
    const auto features = static_cast<Eigen::Index>(rows.front()->features.values.size());
    Eigen::MatrixXd a(static_cast<Eigen::Index>(rows.size()), features);
    Eigen::VectorXd b(a.rows());
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      const CalibrationSample& sample = *rows[static_cast<size_t>(i)];
      // Rows divided by the measurement: the fit minimises relative error.
      for (Eigen::Index j = 0; j < features; ++j)
        a(i, j) = sample.features.values[static_cast<size_t>(j)] / sample.measured_cycles;
      b(i) = 1.0;
    }
    const Eigen::VectorXd x = fit_nonnegative(a, b, Eigen::VectorXd::Zero(features), kRidge);
    mcu::KernelCalibration kernel;
    for (const char* feature : rows.front()->features.names) kernel.features.emplace_back(feature);
    kernel.cycles.assign(x.data(), x.data() + x.size());
    kernel.residuals = residuals_of(a * x - b);
    kernels[name] = std::move(kernel);
  }
  return kernels;
}

std::string samples_csv(const std::vector<CalibrationSample>& samples) {
  std::string csv = "program,op,opt_level,kernel,measured_cycles,features\n";
  for (const CalibrationSample& sample : samples) {
    csv.append(fmt::format("{},{},{},{},{:.0f},", sample.program, sample.op_index, sample.opt_level,
                           sample.features.kernel, sample.measured_cycles));
    for (size_t i = 0; i < sample.features.names.size(); ++i)
      csv.append(fmt::format("{}{}={:.0f}", i ? ";" : "", sample.features.names[i], sample.features.values[i]));
    csv.append("\n");
  }
  return csv;
}

std::string coefficient_file_text(const mcu::Calibration& calibration, const std::string& base_coefficients) {
  const nlohmann::ordered_json file = {
      {"name", "cortex-m4-calibrated-" + calibration.board},
      {"description",
       "Cycle model of " + calibration.board + " fitted to the Cortex-M4 timing engine by `tinyskip calibrate` "
       "(configs/mcu/README.md): per kernel type the cycles of each loop-count feature (mcu_model/kernel_features.h). "
       "Flash sizes and kernel types without a calibration come from the file this one extends. Generated; re-run "
       "the fit instead of editing."},
      {"extends", base_coefficients},
      {"calibration", mcu::calibration_json(calibration)}};
  return file.dump(2) + "\n";
}

CalibrationResult run_calibration(const CalibrationRequest& request) {
  const ExperimentConfig config = load_experiment_config(request.config);
  const std::vector<FitNetwork> fit_set = generate_fit_set(request.networks, request.seed);
  const size_t boards = config.boards.size();
  std::vector<std::vector<CalibrationSample>> samples(boards);
  std::string toolchain;
  int programs = 0;
  const std::string library_level = estimate_options(config).library_opt_level;
  if (config.cmsis_nn &&
      std::find(request.opt_levels.begin(), request.opt_levels.end(), library_level) == request.opt_levels.end())
    spdlog::warn("calibrate: the config's CMSIS-NN level {} is not among the levels fitted", library_level);
  for (const std::string& level : request.opt_levels)
    for (const FitNetwork& network : fit_set)
      for (const bool cmsis_nn : {true, false}) {
        const Experiment experiment = calibration_experiment(config, network.graph, cmsis_nn, level);
        NetworkTimer timer(experiment, {request.work_dir, level, request.cache_dir});
        toolchain = timer.toolchain_version();
        for (const FitProgram& program : network.programs) {
          if (program.cmsis_nn != cmsis_nn) continue;
          const std::string label = program.label + "_" + level.substr(1);
          spdlog::info("calibrate: timing {} ({} ops{})", label, network.graph.ops.size(),
                       program.unpacked_ops.empty() ? "" : fmt::format(", {} layers unpacked, {:.0f} % skipped",
                                                                       program.unpacked_ops.size(),
                                                                       100 * program.skip_fraction));
          const std::vector<NetworkCycles> timed = timer.time(program.masks, program.unpacked_ops, label);
          ++programs;
          const mcu::ExactKernels kernels = estimate_options(experiment.config).exact_kernels;
          for (size_t b = 0; b < boards; ++b) {
            const std::vector<mcu::KernelFeatures> features = network_features(
                network.graph, program.masks, program.unpacked_ops, experiment.boards[b], kernels);
            for (const auto& [op, cycles] : timed[b].op_cycles)
              samples[b].push_back(
                  {label, op, features.at(static_cast<size_t>(op)), level, static_cast<double>(cycles)});
          }
        }
      }

  CalibrationResult result;
  fs::create_directories(request.out_dir);
  for (size_t b = 0; b < boards; ++b) {
    mcu::Calibration calibration;
    calibration.board = config.boards[b].name;
    calibration.fit_set = {describe_fit_set(request.networks, request.seed), mcu::kTimingEngineVersion, toolchain,
                           request.opt_levels, programs};
    calibration.kernels = fit_kernels(samples[b]);
    const fs::path file = request.out_dir / ("cortex_m4_coefficients_" + calibration.board + ".json");
    write_file_atomically(file, coefficient_file_text(calibration, request.base_coefficients));
    write_file_atomically(request.out_dir / ("calibration_samples_" + calibration.board + ".csv"), samples_csv(samples[b]));
    for (const auto& [kernel, fit] : calibration.kernels)
      spdlog::info("calibrate: {} {:<28} n {:>3}  rms {:5.2f} %  max {:5.2f} %", calibration.board, kernel,
                   fit.residuals.samples, 100 * fit.residuals.rms_relative_error,
                   100 * fit.residuals.max_relative_error);
    result.files.push_back(file);
    result.calibrations.push_back(std::move(calibration));
  }
  return result;
}

}  // namespace tinyskip::engine
