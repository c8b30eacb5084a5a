// The exploration's flash objective from the real cross-compiler (issue 4).
// Generated code keeps every op in its own translation unit, so the flash of
// a design point is exactly additive: the fixed part (model schedule, runtime
// kernels, every op that is not approximated) plus, per approximated layer,
// the kernel generated for its level (unpacked, or the exact library kernel
// at a "not unpacked" level), plus the CMSIS-NN the point links (which
// depends on the layers it keeps on CMSIS-NN). Before the search,
// every (layer, level) kernel and the fixed part are compiled once (in
// parallel, through the content-addressed cache of mcu_model/flash_measurement.h,
// so repeated runs compile nothing); a point then costs a table lookup.
// With a CMSIS-NN checkout in the config the exact layers are generated on
// CMSIS-NN, as `tinyskip codegen` generates the winner, and the CMSIS-NN
// sections the model links (engine/codegen/cmsis_nn_flash.h; compiled
// afresh each run, a few seconds) join the exact and fixed parts.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/search/design_space.h"
#include "engine/explore/experiment.h"
#include "mcu_model/cross_compiler.h"

namespace tinyskip::engine {

class FlashTable {
 public:
  // Throws mcu::ToolchainError (compiler missing, compile error) or
  // ProfileError (bad toolchain file) with the file or unit at fault.
  static FlashTable measure(const Experiment& experiment, int threads);

  // The exact model, no unpacking: the baseline. On CMSIS-NN when the config
  // names a checkout, else on tinyskip's runtime kernels.
  int64_t exact_bytes() const { return exact_bytes_; }
  int64_t point_bytes(const DesignPoint& point) const;
  // Bytes of approximated layer `layer`'s kernel at `level`.
  int64_t layer_bytes(int layer, int level) const;
  // Everything but the approximated layers when every layer is unpacked.
  int64_t fixed_bytes() const { return fixed_bytes_ + fixed_cmsis_nn_bytes_; }
  // What the exact and the fixed part link of CMSIS-NN (0 without it).
  int64_t exact_cmsis_nn_bytes() const { return exact_cmsis_nn_bytes_; }
  int64_t fixed_cmsis_nn_bytes() const { return fixed_cmsis_nn_bytes_; }
  const std::string& toolchain_version() const { return toolchain_version_; }

 private:
  void measure_cmsis_nn(const Experiment& experiment, const mcu::Toolchain& toolchain,
                        const std::set<std::string>& exact_functions, const std::set<std::string>& fixed_functions,
                        const std::vector<std::set<std::string>>& library_functions, int threads);
  // What `point` links of CMSIS-NN.
  int64_t cmsis_nn_bytes(const DesignPoint& point) const;

  int64_t exact_bytes_ = 0;
  int64_t fixed_bytes_ = 0;
  int64_t exact_cmsis_nn_bytes_ = 0, fixed_cmsis_nn_bytes_ = 0;
  std::vector<std::vector<int64_t>> layer_bytes_;  // [layer][level]
  // Per layer, its group of extra CMSIS-NN functions at level 0 (-1: none);
  // per combination of groups (bit g: group g linked), the linked bytes.
  std::vector<int> layer_group_;
  std::vector<int64_t> cmsis_nn_by_groups_;
  std::string toolchain_version_;
};

}  // namespace tinyskip::engine
