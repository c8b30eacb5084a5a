// The whole network as standalone C99 (issue 4): model_<name>.h with one
// entry point, model_<name>.c with the schedule and the static arena, one
// file per op (model_<name>_opNN_<op>.c, so that the cross-compiler can size
// every layer on its own) and a copy of the runtime kernels under runtime/.
// Approximated CONV_2D layers become unpacked kernels (unpacked_conv.h);
// every other op calls the runtime. The result computes byte for byte what
// sim::Simulator computes with the same masks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "engine/codegen/generated_file.h"
#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

struct ModelCodegenOptions {
  std::string model_name;              // C identifier; files are model_<name>.*
  std::set<int> unpacked_ops;          // CONV_2D ops to emit as unpacked kernels
  std::filesystem::path template_dir;  // engine/codegen/templates
  std::filesystem::path runtime_dir;   // engine/runtime, copied to runtime/
};

struct ModelSources {
  GeneratedFiles files;       // op files carry their op_index
  std::set<int> unpacked_ops; // ops emitted as unpacked kernels
  int64_t arena_bytes = 0;    // static activation arena
  int64_t scratch_bytes = 0;  // static im2col scratch of the runtime convs
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
