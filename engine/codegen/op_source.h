// The C source of one graph op in a generated network: its constants (weights
// with skipped ones zeroed, bias, requantisation) and one function with the
// uniform signature
//   ts_status <function>(const void *input, const void *input2, void *output,
//                        const ts_context *scratch);
// that runs the op on one image. CONV_2D ops chosen for unpacking get the
// unpacked kernel (unpacked_conv.h); every other op calls the project's
// runtime kernel (engine/runtime/tinyskip_runtime.h) with parameters computed
// exactly as the simulator's "Prepare" step (sim/kernels/op_params.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct OpSourceRequest {
  int op_index = -1;
  const sim::WeightMask* mask = nullptr;  // nullptr: exact
  bool unpacked = false;                  // CONV_2D only
  std::string function_name;              // C identifier
  std::string ops_header;                 // header declaring the op functions, included by the file
};

// Scratch bytes the op needs in `scratch` (im2col columns of a runtime conv).
int64_t op_scratch_bytes(const sim::Graph& graph, int op_index, bool unpacked);

// Throws CodegenError for ops the generator cannot emit (batch > 1, an
// unpacked non-conv op, a mask of the wrong size) and the sim's ModelError
// for ops whose tensors the int8 kernels do not support.
std::string generate_op_source(const sim::Graph& graph, const OpSourceRequest& request,
                               const std::filesystem::path& template_dir);

}  // namespace tinyskip::engine
