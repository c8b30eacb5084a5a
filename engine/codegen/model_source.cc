#include "engine/codegen/model_source.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/codegen/arena_plan.h"
#include "engine/codegen/c_literals.h"
#include "engine/codegen/code_template.h"
#include "engine/codegen/codegen_error.h"
#include "engine/codegen/op_source.h"
#include "sim/kernels/op_params.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {
namespace {

std::string lower(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

std::string upper(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return text;
}

std::string shape_text(const std::vector<int32_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

// The C expression for a tensor's buffer inside an entry point whose first
// op is `first_op`: the graph input, or (for the int8 entry point that starts
// after the leading QUANTIZE) that QUANTIZE's output, is the caller's `input`.
std::string buffer_of(const sim::Graph& graph, const ArenaPlan& arena, int tensor, int first_op) {
  const int entry_tensor = first_op == 0 ? graph.input : graph.ops[static_cast<size_t>(first_op - 1)].outputs[0];
  if (tensor == entry_tensor) return "input";
  if (tensor == graph.output) return "output";
  return fmt::format("arena + {}", arena.offset.at(tensor));
}

std::string op_calls(const sim::Graph& graph, const ArenaPlan& arena, const std::string& model_name, int first_op) {
  std::string calls;
  for (const sim::Op& op : graph.ops) {
    if (op.index < first_op) continue;
    const std::string input2 =
        op.type == sim::OpType::kAdd ? buffer_of(graph, arena, op.inputs.at(1), first_op) : "NULL";
    calls += fmt::format("  /* {} */\n  if ({}({}, {}, {}, &scratch) != TS_OK) return 1;\n", graph.describe(op),
                         op_function_name(model_name, op.index), buffer_of(graph, arena, op.inputs.at(0), first_op),
                         input2, buffer_of(graph, arena, op.outputs.at(0), first_op));
  }
  return calls;
}

// True when the graph takes float input and quantises it first: the model
// then also gets an int8 entry point that skips that QUANTIZE (for inputs
// that are already int8, e.g. from a camera pipeline).
bool starts_with_quantize(const sim::Graph& graph) {
  if (graph.ops.size() < 2) return false;
  const sim::Op& first = graph.ops.front();
  if (first.type != sim::OpType::kQuantize || first.inputs.at(0) != graph.input) return false;
  // Nothing else may read the float input.
  for (const sim::Op& op : graph.ops)
    if (op.index > 0)
      for (int t : op.inputs)
        if (t == graph.input) return false;
  return true;
}

GeneratedFiles runtime_copies(const std::filesystem::path& runtime_dir) {
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(runtime_dir, error)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".c" || ext == ".h") paths.push_back(entry.path());
  }
  if (error || paths.empty())
    throw CodegenError("cannot read the runtime kernels in " + runtime_dir.string() +
                       (error ? ": " + error.message() : ": no .c/.h files"));
  std::sort(paths.begin(), paths.end());
  GeneratedFiles files;
  for (const auto& path : paths) {
    std::optional<std::string> text = support::read_whole_file(path);
    if (!text) throw CodegenError("cannot read " + path.string());
    files.push_back({"runtime/" + path.filename().string(), *std::move(text), -1});
  }
  return files;
}

void check_options(const sim::Graph& graph, const sim::MaskSet& masks, const ModelCodegenOptions& options) {
  check_c_identifier(options.model_name, "model name");
  for (int op : options.unpacked_ops)
    if (op < 0 || op >= static_cast<int>(graph.ops.size()) ||
        !can_unpack(graph.ops[static_cast<size_t>(op)].type))
      throw CodegenError(
          fmt::format("{}: op {} cannot be unpacked: only CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED ops can", graph.source, op));
  for (const auto& [op, mask] : masks)
    if (op < 0 || op >= static_cast<int>(graph.ops.size()))
      throw CodegenError(fmt::format("{}: a weight mask names op {}, the graph has {} ops", graph.source, op,
                                     graph.ops.size()));
  if (graph.input == graph.output) throw CodegenError(graph.source + ": the graph input is its output");
}

}  // namespace

std::string c_type_of(const sim::Graph& graph, int tensor) {
  switch (graph.tensor(tensor).type) {
    case sim::DataType::kInt8: return "int8_t";
    case sim::DataType::kFloat32: return "float";
    default:
      throw CodegenError(fmt::format("{}: tensor {} is {}: generated code takes int8 or float32 inputs and outputs",
                                     graph.source, tensor, sim::data_type_name(graph.tensor(tensor).type)));
  }
}

std::string op_function_name(const std::string& model_name, int op_index) {
  return fmt::format("model_{}_op{:02d}", model_name, op_index);
}

std::string ops_header_name(const std::string& model_name) { return fmt::format("model_{}_ops.h", model_name); }

std::string op_file_name(const sim::Graph& graph, const std::string& model_name, int op_index) {
  const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
  return fmt::format("{}_{}.c", op_function_name(model_name, op_index), lower(sim::op_type_name(op.type)));
}

bool ModelSources::uses(LayerKernel kernel) const {
  return std::any_of(kernels.begin(), kernels.end(), [&](const auto& entry) { return entry.second == kernel; });
}

ModelSources generate_model_sources(const sim::Graph& graph, const sim::MaskSet& masks,
                                    const ModelCodegenOptions& options) {
  check_options(graph, masks, options);
  const std::string& name = options.model_name;
  const std::string ops_header = ops_header_name(name);
  ModelSources result;

  std::string declarations;
  std::vector<std::string> approximated;
  for (const sim::Op& op : graph.ops) {
    const auto mask = masks.find(op.index);
    OpSourceRequest request;
    request.op_index = op.index;
    request.mask = mask != masks.end() ? &mask->second : nullptr;
    request.kernel = choose_layer_kernel(op.type, options.unpacked_ops.count(op.index) != 0,
                                         options.exact_layers_on_cmsis_nn);
    request.function_name = op_function_name(name, op.index);
    request.ops_header = ops_header;
    OpSource source = generate_op_source(graph, request, options.template_dir);
    result.files.push_back({op_file_name(graph, name, op.index), std::move(source.code), op.index});
    result.kernels[op.index] = request.kernel;
    result.cmsis_nn_functions.insert(source.cmsis_nn_functions.begin(), source.cmsis_nn_functions.end());
    result.scratch_bytes = std::max(result.scratch_bytes, op_scratch_bytes(graph, op.index, request.kernel));
    declarations += fmt::format(
        "ts_status {}(const void *input, const void *input2, void *output, const ts_context *scratch);\n",
        request.function_name);
    const bool unpacked = request.kernel == LayerKernel::kUnpacked;
    if (unpacked || request.mask != nullptr)
      approximated.push_back(fmt::format("op {} ({}{}, {} weights skipped)", op.index, sim::op_type_name(op.type),
                                         unpacked ? ", unpacked" : "",
                                         request.mask ? request.mask->skipped_count() : 0));
  }

  const ArenaPlan arena = plan_arena(graph);
  result.arena_bytes = std::max<int64_t>(arena.size_bytes, kArenaAlignment);
  const sim::Tensor& input = graph.tensor(graph.input);
  const sim::Tensor& output = graph.tensor(graph.output);
  std::string approximated_text;
  approximated_text = fmt::format("{}", fmt::join(approximated, ", "));
  std::map<std::string, std::string> values = {
      {"NAME", name},
      {"NAME_UPPER", upper(name)},
      {"MODEL_SOURCE", std::filesystem::path(graph.source).filename().string()},
      {"INPUT_TYPE", c_type_of(graph, graph.input)},
      {"OUTPUT_TYPE", c_type_of(graph, graph.output)},
      {"INPUT_SHAPE", shape_text(input.shape)},
      {"OUTPUT_SHAPE", shape_text(output.shape)},
      {"INPUT_SIZE", std::to_string(input.num_elements())},
      {"OUTPUT_SIZE", std::to_string(output.num_elements())},
      {"ARENA_BYTES", std::to_string(result.arena_bytes)},
      {"SCRATCH_Q15", std::to_string(std::max<int64_t>(1, result.scratch_bytes / 2))},
      {"APPROXIMATED", approximated.empty() ? "none (exact)" : approximated_text},
      {"EXACT_KERNELS", result.uses(LayerKernel::kCmsisNn)
                            ? "CMSIS-NN's s8 API (arm_nnfunctions.h) where CMSIS-NN has the op, else\n"
                              " * tinyskip's runtime kernels (runtime/)"
                            : "tinyskip's runtime kernels (runtime/)"},
      {"DECLARATIONS", declarations},
      {"OP_CALLS", op_calls(graph, arena, name, 0)},
      {"S8_ENTRY_DECLARATION", ""},
      {"S8_ENTRY", ""},
  };
  if (starts_with_quantize(graph)) {
    const sim::Tensor& quantized = graph.tensor(graph.ops.front().outputs.at(0));
    values["QUANTIZED_SIZE"] = std::to_string(quantized.num_elements());
    values["S8_ENTRY_DECLARATION"] = fill_code_template(
        read_code_template(options.template_dir, "model_s8_entry.h.in"), values, "model_s8_entry.h.in");
    values["S8_OPS"] = op_calls(graph, arena, name, 1);
    values["S8_ENTRY"] = fill_code_template(read_code_template(options.template_dir, "model_s8_entry.c.in"), values,
                                            "model_s8_entry.c.in");
  }
  const auto fill = [&](const std::string& template_name) {
    return fill_code_template(read_code_template(options.template_dir, template_name), values, template_name);
  };
  result.files.push_back({fmt::format("model_{}.h", name), fill("model.h.in"), -1});
  result.files.push_back({ops_header, fill("model_ops.h.in"), -1});
  result.files.push_back({fmt::format("model_{}.c", name), fill("model.c.in"), -1});
  for (GeneratedFile& file : runtime_copies(options.runtime_dir)) result.files.push_back(std::move(file));
  return result;
}

}  // namespace tinyskip::engine
