// A board's calibrated cycle model: for each kernel type (kernel_features.h)
// the cycles of each of its features, fitted by `tinyskip calibrate` against
// the Cortex-M4 timing engine, with the fit's residuals and a description of
// the fit set. It lives in the "calibration" section of a per-board
// coefficient file (configs/mcu/README.md); a kernel type it does not list
// falls back to the analytic sequence model.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcu_model/json_reader.h"
#include "mcu_model/kernel_features.h"

namespace tinyskip::mcu {

struct FitResiduals {
  int samples = 0;  // measured layers the kernel type was fitted to
  double rms_relative_error = 0;
  double max_relative_error = 0;
};

struct KernelCalibration {
  std::vector<std::string> features;  // names, in the order kernel_features.h lists them
  std::vector<double> cycles;         // per unit of each feature
  FitResiduals residuals;
};

struct FitSetDescription {
  std::string description;  // what was measured, and what was held out
  std::string timing_engine, toolchain;
  std::vector<std::string> opt_levels;  // each program set was built at one of these, library and code alike
  int networks = 0;  // generated programs timed
};

struct Calibration {
  std::string board;  // the profile name it was fitted on
  FitSetDescription fit_set;
  // calibration_key(kernel type, optimisation level) -> coefficients: the
  // compiler's level changes a kernel's instructions, so each level has its own.
  std::map<std::string, KernelCalibration> kernels;

  bool empty() const { return kernels.empty(); }
  // Cycles of one kernel invocation built at `opt_level`; nullopt when that
  // kernel type and level are not calibrated. EstimateError when the
  // features are not the ones fitted (the file is older than the model's
  // structure: re-run the fit).
  std::optional<double> cycles(const KernelFeatures& features, const std::string& opt_level) const;
};

// "cmsis-nn.conv_2d@-O2": a kernel type compiled at a level.
std::string calibration_key(const std::string& kernel, const std::string& opt_level);

// The "calibration" object of a coefficient file (strict, see json_reader.h).
Calibration read_calibration(ObjectReader reader);
nlohmann::ordered_json calibration_json(const Calibration& calibration);

}  // namespace tinyskip::mcu
