// Where a user's CMSIS-NN lives: the checkout whose public s8 API the
// generated code calls for exact layers (the real baseline the method is
// measured against), and optionally the CMSIS-Core include directory that
// older CMSIS-NN releases include (cmsis_compiler.h). tinyskip never copies
// CMSIS-NN: the generated Makefile compiles the checkout in place, and the
// flash measurement reads it from there.
//
// Both come from a setting -- the experiment config's "cmsis_nn" object or
// the codegen flags --cmsis-nn / --cmsis-core -- and a wrong one is reported
// once, naming that setting. The checks here are what makes a directory
// usable: the public header, the sources the Makefile compiles, and no
// whitespace (make cannot quote it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tinyskip::engine {

struct CmsisNnCheckout {
  std::filesystem::path root;          // holds Include/arm_nnfunctions.h and Source/<group>/*.c; absolute
  std::filesystem::path core_include;  // CMSIS-Core's Include/ (cmsis_compiler.h); empty: not needed
  // CMSIS-NN's own optimisation level ("-O2", as libraries are usually
  // built), independent of the generated code's; empty: the same as the
  // generated code's. A deployment can then build the exact layers for speed
  // and the unpacked kernels for size.
  std::string opt_level;

  // The level the library is compiled at when the generated code is built at `build_level`.
  const std::string& library_level(const std::string& build_level) const {
    return opt_level.empty() ? build_level : opt_level;
  }
};

// Why `root` is not a usable CMSIS-NN checkout ("no Include/arm_nnfunctions.h
// in /x"), or nullopt when it is.
std::optional<std::string> cmsis_nn_checkout_problem(const std::filesystem::path& root);

// Same for a CMSIS-Core include directory (must hold cmsis_compiler.h).
std::optional<std::string> cmsis_core_include_problem(const std::filesystem::path& dir);

// The checkout's library sources, relative to root/Source and sorted: every
// Source/<group>/*.c except the float kernels (*_f16.c, *_f32.c, *_flt.c),
// which need ARM_NN_ENABLE_F32/F16. All of them, because which files a
// public function needs is CMSIS-NN's internal business and changes between
// releases; a link takes only what the model calls.
std::vector<std::filesystem::path> cmsis_nn_library_sources(const std::filesystem::path& root);

// The release named by the "$Revision:" line of Include/arm_nnfunctions.h
// ("V.19.1.0"), or "unknown" when the header has none: recorded beside
// measurements so that numbers from different CMSIS-NN versions are told apart.
std::string cmsis_nn_version(const std::filesystem::path& root);

// How a baseline names the kernels of its exact layers wherever it is
// printed: "CMSIS-NN V.19.1.0", or "tinyskip runtime kernels" without a
// checkout.
std::string exact_kernels_name(const std::optional<CmsisNnCheckout>& checkout);

}  // namespace tinyskip::engine
