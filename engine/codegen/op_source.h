// The C source of one graph op in a generated network: its constants (weights
// with skipped ones zeroed, bias, requantisation) and one function with the
// uniform signature
//   ts_status <function>(const void *input, const void *input2, void *output,
//                        const ts_context *scratch);
// that runs the op on one image with the kernel layer_kernel.h chose: the
// unpacked kernel (unpacked_conv.h), CMSIS-NN's s8 API
// (cmsis_nn_op_source.h) or the project's runtime kernel
// (engine/runtime/tinyskip_runtime.h), always with parameters computed
// exactly as the simulator's "Prepare" step (sim/kernels/op_params.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/codegen/layer_kernel.h"
#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct OpSourceRequest {
  int op_index = -1;
  const sim::WeightMask* mask = nullptr;      // nullptr: exact
  LayerKernel kernel = LayerKernel::kRuntime;  // kUnpacked: CONV_2D only
  std::string function_name;                  // C identifier
  std::string ops_header;                     // header declaring the op functions, included by the file
};

struct OpSource {
  std::string code;
  std::vector<std::string> cmsis_nn_functions;  // the CMSIS-NN functions the code calls (empty unless kCmsisNn)
};

// Bytes the op may use of the shared `scratch` area: the im2col columns of a
// runtime conv or an unpacked depthwise conv, or the upper bound of what the
// op's CMSIS-NN kernel asks for (cmsis_nn_scratch_bound).
int64_t op_scratch_bytes(const sim::Graph& graph, int op_index, LayerKernel kernel);

// Throws CodegenError for ops the generator cannot emit (batch > 1, an
// unpacked non-conv op, an op CMSIS-NN lacks, a mask of the wrong size) and
// the sim's ModelError for ops whose tensors the int8 kernels do not support.
OpSource generate_op_source(const sim::Graph& graph, const OpSourceRequest& request,
                            const std::filesystem::path& template_dir);

}  // namespace tinyskip::engine
