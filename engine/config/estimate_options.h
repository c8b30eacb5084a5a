// How the cost model is told what the code generator emits for a config: the
// exact layers on its CMSIS-NN (built at the library's level) or on the
// runtime, the generated code at flash.opt_level. One place, read by the
// exploration's model latency and by codegen's manifest estimate.
#pragma once

#include "engine/config/experiment_config.h"
#include "mcu_model/cycle_model.h"

namespace tinyskip::engine {

mcu::EstimateOptions estimate_options(const ExperimentConfig& config);

}  // namespace tinyskip::engine
