// The flash CMSIS-NN adds to a generated model, measured as the program
// links it: every library source of the checkout (cmsis_nn_checkout.h) is
// compiled with the toolchain file's flags and linked alone with
// --gc-sections, rooted at the CMSIS-NN functions the generated files call
// (mcu::measure_linked_library). That keeps exactly the sections the check
// program's own link keeps of libcmsis-nn.a, so the "linked" bytes are what
// the flash holds of CMSIS-NN; the object bytes of the same files are
// recorded beside them, because with -ffunction-sections their sum
// over-counts every function a file has but the model never calls.
// Alignment padding between sections belongs to no file and is in neither.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/config/cmsis_nn_checkout.h"
#include "mcu_model/cross_compiler.h"
#include "mcu_model/flash_measurement.h"

namespace tinyskip::engine {

struct CmsisNnFlash {
  mcu::SectionSizes linked;   // kept by the link
  mcu::SectionSizes objects;  // whole objects of the files the link takes anything from
  std::map<std::string, mcu::SectionSizes> linked_files;  // "ConvolutionFunctions/arm_convolve_s8.c" -> kept
};

// The -I directories of code that includes arm_nnfunctions.h.
std::vector<std::filesystem::path> cmsis_nn_include_dirs(const CmsisNnCheckout& checkout);

// What a model calling `functions` links of CMSIS-NN at `opt_level`, for
// each of the function sets (the library is compiled once). Throws
// mcu::ToolchainError (compile or link failure, a called function the
// checkout does not define) and CodegenError (an unreadable source).
std::vector<CmsisNnFlash> measure_cmsis_nn_flash(const mcu::Toolchain& toolchain, const CmsisNnCheckout& checkout,
                                                 const std::vector<std::set<std::string>>& function_sets,
                                                 const std::string& opt_level, int threads);

}  // namespace tinyskip::engine
