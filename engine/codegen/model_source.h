// The whole network as standalone C99 (issue 4): model_<name>.h with one
// entry point, model_<name>.c with the schedule and the static arena, one
// file per op (model_<name>_opNN_<op>.c, so that the cross-compiler can size
// every layer on its own) and a copy of the runtime kernels under runtime/.
// Approximated CONV_2D layers become unpacked kernels (unpacked_conv.h);
// every other op calls CMSIS-NN or the runtime (layer_kernel.h). The result
// computes byte for byte what sim::Simulator computes with the same masks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "engine/codegen/generated_file.h"
#include "engine/codegen/layer_kernel.h"
#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct ModelCodegenOptions {
  std::string model_name;              // C identifier; files are model_<name>.*
  std::set<int> unpacked_ops;          // CONV_2D ops to emit as unpacked kernels
  // Every other op CMSIS-NN implements goes on CMSIS-NN's s8 API (the
  // generated files then include arm_nnfunctions.h); false: tinyskip's
  // runtime kernels.
  bool exact_layers_on_cmsis_nn = false;
  std::filesystem::path template_dir;  // engine/codegen/templates
  std::filesystem::path runtime_dir;   // engine/runtime, copied to runtime/
};

struct ModelSources {
  GeneratedFiles files;                      // op files carry their op_index
  std::map<int, LayerKernel> kernels;        // op index -> the kernel that realises it (layer_kernel.h)
  std::set<std::string> cmsis_nn_functions;  // the CMSIS-NN functions the files call (empty without CMSIS-NN)
  int64_t arena_bytes = 0;                   // static activation arena
  int64_t scratch_bytes = 0;                 // static scratch: runtime im2col columns, CMSIS-NN buffers

  bool uses(LayerKernel kernel) const;
};

// The C type of a graph input/output tensor: "int8_t" or "float"; throws
// CodegenError for any other type.
std::string c_type_of(const sim::Graph& graph, int tensor);

// Names the generated files share: op `op_index`'s function
// ("model_lenet_op03"), the header declaring the op functions
// ("model_lenet_ops.h") and op `op_index`'s source file
// ("model_lenet_op03_conv_2d.c").
std::string op_function_name(const std::string& model_name, int op_index);
std::string ops_header_name(const std::string& model_name);
std::string op_file_name(const sim::Graph& graph, const std::string& model_name, int op_index);

// Throws CodegenError for a bad name, an unsupported op, a mask or an
// unpacked op the generator cannot honour, or missing templates / runtime.
ModelSources generate_model_sources(const sim::Graph& graph, const sim::MaskSet& masks,
                                    const ModelCodegenOptions& options);

}  // namespace tinyskip::engine
