// `tinyskip calibrate`: times the fit set (fit_set.h) under the Cortex-M4
// timing engine on each board, fits every kernel type's feature cycles
// (mcu_model/kernel_features.h) by non-negative least squares on relative
// error, and writes one coefficient file per board that extends the shared
// analytic file with the calibration (mcu_model/calibration.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/explore/experiment.h"
#include "mcu_model/calibration.h"
#include "mcu_model/kernel_features.h"

namespace tinyskip::engine {

// One op of one timed program: what the model sees and what the timing engine measured.
struct CalibrationSample {
  std::string program;
  int op_index = -1;
  mcu::KernelFeatures features;
  std::string opt_level;  // what the kernel was compiled at
  double measured_cycles = 0;
};

// The features of every op of `graph` as generated with `unpacked_ops`
// unpacked under `masks` and the other ops on `kernels`, in op order.
std::vector<mcu::KernelFeatures> network_features(const sim::Graph& graph, const sim::MaskSet& masks,
                                                  const std::set<int>& unpacked_ops, const mcu::BoardProfile& board,
                                                  mcu::ExactKernels kernels);

// Per kernel type and optimisation level (mcu::calibration_key): least
// squares on relative error, coefficients >= 0, a small ridge (see
// least_squares.h); residuals are the fit's own.
std::map<std::string, mcu::KernelCalibration> fit_kernels(const std::vector<CalibrationSample>& samples);

struct CalibrationRequest {
  // Supplies the data (the latency reference input), toolchain and CMSIS-NN
  // checkout; its boards are the ones calibrated. Its model is not used.
  std::filesystem::path config;
  std::filesystem::path out_dir;       // per-board coefficient files go here
  std::string base_coefficients = "cortex_m4_coefficients.json";  // what they extend, relative to out_dir
  std::filesystem::path work_dir;      // generated programs
  std::filesystem::path cache_dir;     // timing cache (empty: none)
  int networks = 16;
  uint64_t seed = 1;
  // Every program is built at each of these, CMSIS-NN and generated code alike;
  // a config mixing them (CMSIS-NN at -O2, the rest at -Os) takes each
  // kernel's coefficients at its own level.
  std::vector<std::string> opt_levels = {"-Os", "-O2"};
};

struct CalibrationResult {
  std::vector<std::filesystem::path> files;  // one per board, config order
  std::vector<mcu::Calibration> calibrations;
};

// Throws what NetworkTimer throws, ConfigError for a bad config.
CalibrationResult run_calibration(const CalibrationRequest& request);

// The samples a board was fitted to, one line per op of a timed program
// (features as name=value;...), so a fit can be inspected and redone
// without the timing engine.
std::string samples_csv(const std::vector<CalibrationSample>& samples);

// The coefficient file of a board: name, description, extends, calibration.
std::string coefficient_file_text(const mcu::Calibration& calibration, const std::string& base_coefficients);

}  // namespace tinyskip::engine
