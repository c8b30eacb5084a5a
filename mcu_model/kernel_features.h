// The calibrated model's structure: for every kernel the code generator can
// emit, the loop-trip counts its cycles are linear in. The counts follow the
// kernel's loop nest (read from the CMSIS-NN sources, engine/runtime/ and the
// unpacked generator in engine/codegen/unpacked_conv.cc); how many cycles
// each count costs on a board is data, fitted by `tinyskip calibrate` against
// the timing engine and stored in the board's coefficient file
// (calibration.h). Flash wait states need no features of their own: a
// weight stream, a literal load or straight-line code streaming from flash
// costs a fixed number of cycles per occurrence of the step that issues it,
// so it is part of that step's per-board coefficient.
#pragma once

#include <string>
#include <vector>

#include "mcu_model/layer_geometry.h"
#include "sim/graph.h"

namespace tinyskip::mcu {

struct UnpackedCounts;  // unpacked_cost.h

// The optimisation level code is priced at when nobody says (the toolchain's
// default flash.opt_level).
inline constexpr const char* kDefaultOptLevel = "-Os";

// Where the exact (not unpacked) layers of a generated network run.
enum class ExactKernels { kCmsisNn, kRuntime };
const char* exact_kernels_name(ExactKernels kernels);  // "cmsis-nn", "runtime"

struct KernelFeatures {
  std::string kernel;               // kernel type, "cmsis-nn.conv_2d", "runtime.add", "unpacked.conv_2d"
  std::vector<const char*> names;   // the kernel type's feature names, always the same order
  std::vector<double> values;

  void add(const char* name, double value) {
    names.push_back(name);
    values.push_back(value);
  }
};

// The kernel type and features of an exact op as the generator emits it:
// on CMSIS-NN the op's CMSIS-NN function (arm_convolve_wrapper_s8's choice
// of path for CONV_2D), else the runtime's; QUANTIZE, DEQUANTIZE and RESHAPE
// always run on the runtime. sim::ModelError for malformed ops.
KernelFeatures exact_kernel_features(const sim::Graph& graph, const sim::Op& op, ExactKernels kernels);

// Whether the kernel is CMSIS-NN's (built at the library's level) rather
// than generated code or the runtime (built at the code's level).
bool runs_on_cmsis_nn(const KernelFeatures& features);

// An unpacked CONV_2D or DEPTHWISE_CONV_2D (`type`): its own im2col driver
// per pixel, and per call of the straight-line code (two pixels) a noinline
// function per row group, the operand loads, kept pairs, single weights and
// requantisations. Kernel "unpacked.conv_2d" or "unpacked.depthwise_conv_2d".
KernelFeatures unpacked_conv_features(const ConvGeometry& geometry, const UnpackedCounts& counts,
                                      sim::OpType type = sim::OpType::kConv2D);

// An unpacked FULLY_CONNECTED (engine/codegen/unpacked_fully_connected.cc):
// the input widened to q15 once, then a noinline function per row pair with
// the operand loads, kept pairs, single weights and requantisations.
KernelFeatures unpacked_fully_connected_features(int64_t rows, int64_t depth, const UnpackedCounts& counts);

// The features of an unpacked layer of any kind (EstimateError for other ops).
KernelFeatures unpacked_layer_features(const sim::Graph& graph, const sim::Op& op, const UnpackedCounts& counts);

}  // namespace tinyskip::mcu
