#include "mcu_model/calibration.h"

#include "mcu_model/errors.h"

namespace tinyskip::mcu {

std::string calibration_key(const std::string& kernel, const std::string& opt_level) {
  return kernel + "@" + opt_level;
}

std::optional<double> Calibration::cycles(const KernelFeatures& features, const std::string& opt_level) const {
  const auto found = kernels.find(calibration_key(features.kernel, opt_level));
  if (found == kernels.end()) return std::nullopt;
  const KernelCalibration& kernel = found->second;
  bool same = kernel.features.size() == features.names.size();
  for (size_t i = 0; same && i < features.names.size(); ++i) same = kernel.features[i] == features.names[i];
  if (!same)
    throw EstimateError("calibration of " + board + ": kernel '" + features.kernel +
                        "' (" + opt_level + ") was fitted on other features than the model has; re-run tinyskip calibrate");
  double cycles = 0;
  for (size_t i = 0; i < features.values.size(); ++i) cycles += kernel.cycles[i] * features.values[i];
  return cycles;
}

namespace {

KernelCalibration read_kernel(ObjectReader reader) {
  KernelCalibration kernel;
  ObjectReader coefficients = reader.object("cycles");
  kernel.features = reader.string_list("features");
  for (const std::string& feature : kernel.features) kernel.cycles.push_back(coefficients.number(feature, 0.0));
  coefficients.finish();
  ObjectReader residuals = reader.object("residuals");
  kernel.residuals.samples = static_cast<int>(residuals.integer("samples", 0));
  kernel.residuals.rms_relative_error = residuals.number("rms_relative_error", 0.0);
  kernel.residuals.max_relative_error = residuals.number("max_relative_error", 0.0);
  residuals.finish();
  reader.finish();
  return kernel;
}

}  // namespace

Calibration read_calibration(ObjectReader reader) {
  Calibration calibration;
  calibration.board = reader.string("board");
  ObjectReader fit_set = reader.object("fit_set");
  calibration.fit_set.description = fit_set.string("description");
  calibration.fit_set.timing_engine = fit_set.string("timing_engine");
  calibration.fit_set.toolchain = fit_set.string("toolchain");
  calibration.fit_set.opt_levels = fit_set.string_list("opt_levels");
  calibration.fit_set.networks = static_cast<int>(fit_set.integer("networks", 0));
  fit_set.finish();
  ObjectReader kernels = reader.object("kernels");
  for (const std::string& kernel : kernels.keys()) calibration.kernels[kernel] = read_kernel(kernels.object(kernel));
  kernels.finish();
  reader.finish();
  return calibration;
}

nlohmann::ordered_json calibration_json(const Calibration& calibration) {
  nlohmann::ordered_json kernels = nlohmann::ordered_json::object();
  for (const auto& [name, kernel] : calibration.kernels) {
    nlohmann::ordered_json cycles = nlohmann::ordered_json::object();
    for (size_t i = 0; i < kernel.features.size(); ++i) cycles[kernel.features[i]] = kernel.cycles[i];
    kernels[name] = {{"features", kernel.features},
                     {"cycles", cycles},
                     {"residuals",
                      {{"samples", kernel.residuals.samples},
                       {"rms_relative_error", kernel.residuals.rms_relative_error},
                       {"max_relative_error", kernel.residuals.max_relative_error}}}};
  }
  const FitSetDescription& fit_set = calibration.fit_set;
  return {{"board", calibration.board},
          {"fit_set",
           {{"description", fit_set.description},
            {"timing_engine", fit_set.timing_engine},
            {"toolchain", fit_set.toolchain},
            {"opt_levels", fit_set.opt_levels},
            {"networks", fit_set.networks}}},
          {"kernels", kernels}};
}

}  // namespace tinyskip::mcu
