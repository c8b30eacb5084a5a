#include "engine/config/estimate_options.h"

namespace tinyskip::engine {

mcu::EstimateOptions estimate_options(const ExperimentConfig& config) {
  mcu::EstimateOptions options;
  options.exact_kernels = config.cmsis_nn ? mcu::ExactKernels::kCmsisNn : mcu::ExactKernels::kRuntime;
  options.code_opt_level = config.flash.opt_level;
  options.library_opt_level =
      config.cmsis_nn ? config.cmsis_nn->library_level(config.flash.opt_level) : config.flash.opt_level;
  return options;
}

}  // namespace tinyskip::engine
