#include "engine/codegen/codegen_manifest.h"

#include <filesystem>

#include <fmt/format.h>

#include "engine/results/hashing.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {
namespace {

const WinnerLayer* winner_layer(const WinnerFile& winner, int op_index) {
  for (const WinnerLayer& layer : winner.layers)
    if (layer.op_index == op_index) return &layer;
  return nullptr;
}

bool is_runtime_file(const std::string& path) { return path.rfind("runtime/", 0) == 0; }

nlohmann::ordered_json sections_json(const mcu::SectionSizes& s) {
  return {{"text", s.text}, {"rodata", s.rodata}, {"data", s.data}, {"bss", s.bss}, {"flash", s.flash()}};
}

// Flash bytes of the constants the op's file holds: weights, bias and the
// per-channel requantisation tables of a runtime kernel (an unpacked kernel
// folds its weights into instructions instead).
int64_t constant_bytes(const sim::Graph& graph, const sim::Op& op) {
  if (op.type != sim::OpType::kConv2D && op.type != sim::OpType::kDepthwiseConv2D &&
      op.type != sim::OpType::kFullyConnected)
    return 0;
  int64_t bytes = graph.input_of(op, 1).num_bytes();
  const int64_t channels = sim::shape_of(graph.output_of(op)).c;
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) bytes += graph.tensor(op.inputs[2]).num_bytes();
  return bytes + channels * 2 * static_cast<int64_t>(sizeof(int32_t));
}

nlohmann::ordered_json layer_json(const ManifestInputs& in, const sim::Op& op, const GeneratedFile& file) {
  const mcu::LayerEstimate& estimate = in.estimate.layers.at(static_cast<size_t>(op.index));
  const WinnerLayer* approximated = in.variant == "winner" ? winner_layer(in.winner, op.index) : nullptr;
  const LayerKernel kernel = in.sources.kernels.at(op.index);
  const bool unpacked = kernel == LayerKernel::kUnpacked;
  nlohmann::ordered_json layer = {{"op_index", op.index},
                                  {"op", sim::op_type_name(op.type)},
                                  {"name", approximated ? approximated->name : ""},
                                  {"file", file.relative_path},
                                  {"kernel", layer_kernel_name(kernel)},
                                  {"macs", sim::macs_of(in.graph, op)},
                                  {"kept_macs", estimate.kept_macs},
                                  {"skipped_macs", approximated ? approximated->skipped_macs : 0},
                                  {"threshold", approximated ? nlohmann::ordered_json(approximated->threshold) : nullptr},
                                  {"weights", approximated ? approximated->mask.skip.size() : 0},
                                  {"skipped_weights", approximated ? approximated->mask.skipped_count() : 0},
                                  {"constant_bytes", unpacked ? 0 : constant_bytes(in.graph, op)},
                                  {"estimated", {{"cycles", estimate.cycles},
                                                 {"ms", in.board.milliseconds(estimate.cycles)},
                                                 {"code_bytes", estimate.code_bytes},
                                                 {"const_bytes", estimate.const_bytes}}}};
  nlohmann::ordered_json measured = nlohmann::ordered_json::object();
  for (const auto& [level, files] : in.measured) measured[level] = sections_json(files.at(file.relative_path));
  layer["measured"] = measured;
  return layer;
}

nlohmann::ordered_json flash_json(const ManifestInputs& in) {
  nlohmann::ordered_json measured = nlohmann::ordered_json::object();
  for (const auto& [level, files] : in.measured) {
    int64_t model = 0, runtime = 0, ram = 0;
    for (const auto& [path, sizes] : files) {
      (is_runtime_file(path) ? runtime : model) += sizes.flash();
      ram += sizes.data + sizes.bss;
    }
    const auto cmsis_nn = in.cmsis_nn_flash.find(level);
    const CmsisNnFlash linked = cmsis_nn != in.cmsis_nn_flash.end() ? cmsis_nn->second : CmsisNnFlash{};
    const int64_t total = total_flash_bytes(in, level);
    measured[level] = {{"model_bytes", model},
                       {"runtime_bytes", runtime},
                       {"cmsis_nn_bytes", linked.linked.flash()},
                       {"cmsis_nn_object_bytes", linked.objects.flash()},
                       {"total_bytes", total},
                       {"static_ram_bytes", ram + linked.linked.data + linked.linked.bss},
                       {"fits_board", total <= in.board.flash_bytes}};
  }
  return {{"board", in.board.name},
          {"board_flash_bytes", in.board.flash_bytes},
          {"board_ram_bytes", in.board.sram_bytes},
          {"estimated_bytes", in.estimate.flash_bytes},
          {"toolchain", in.toolchain_version.empty() ? nlohmann::ordered_json(nullptr)
                                                      : nlohmann::ordered_json(in.toolchain_version)},
          {"measured", measured}};
}

// Which kernels the exact layers use and, for CMSIS-NN, the checkout, its
// release, the functions called and what the link keeps of each file.
nlohmann::ordered_json exact_kernels_json(const ManifestInputs& in) {
  if (!in.cmsis_nn) return {{"library", "runtime"}, {"cmsis_nn", nullptr}};
  nlohmann::ordered_json measured = nlohmann::ordered_json::object();
  for (const auto& [level, flash] : in.cmsis_nn_flash) {
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    for (const auto& [file, sizes] : flash.linked_files) files[file] = sections_json(sizes);
    measured[level] = {{"linked_bytes", flash.linked.flash()}, {"object_bytes", flash.objects.flash()},
                       {"linked_files", files}};
  }
  const CmsisNnCheckout& checkout = *in.cmsis_nn;
  return {{"library", "cmsis-nn"},
          {"cmsis_nn",
           {{"path", checkout.root.string()},
            {"core_include",
             checkout.core_include.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(checkout.core_include.string())},
            {"version", cmsis_nn_version(checkout.root)},
            {"opt_level", checkout.opt_level.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(checkout.opt_level)},
            {"functions", in.sources.cmsis_nn_functions},
            {"measured", measured}}}};
}

nlohmann::ordered_json check_images_json(const ManifestInputs& in) {
  const CheckImages& images = in.check_images;
  const size_t per_image = images.expected_outputs.size() / static_cast<size_t>(images.count);
  nlohmann::ordered_json indices = nlohmann::ordered_json::array(), outputs = nlohmann::ordered_json::array();
  for (int i = 0; i < images.count; ++i) {
    indices.push_back(images.first + i);
    const auto begin = images.expected_outputs.begin() + static_cast<std::ptrdiff_t>(per_image * static_cast<size_t>(i));
    outputs.push_back(std::vector<uint8_t>(begin, begin + static_cast<std::ptrdiff_t>(per_image)));
  }
  return {{"file", images.file}, {"indices", indices}, {"expected_outputs", outputs}};
}

}  // namespace

int64_t total_flash_bytes(const ManifestInputs& in, const std::string& level) {
  int64_t total = 0;
  if (const auto files = in.measured.find(level); files != in.measured.end())
    for (const auto& [path, sizes] : files->second) total += sizes.flash();
  if (const auto cmsis_nn = in.cmsis_nn_flash.find(level); cmsis_nn != in.cmsis_nn_flash.end())
    total += cmsis_nn->second.linked.flash();
  return total;
}

nlohmann::ordered_json codegen_manifest(const ManifestInputs& in) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const GeneratedFile& file : in.files)
    files.push_back({{"path", file.relative_path},
                     {"bytes", file.content.size()},
                     {"fnv1a64", fnv1a_hex(file.content)}});
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const GeneratedFile& file : in.sources.files)
    if (file.op_index >= 0) layers.push_back(layer_json(in, in.graph.ops.at(static_cast<size_t>(file.op_index)), file));
  const sim::Tensor& input = in.graph.tensor(in.graph.input);
  const sim::Tensor& output = in.graph.tensor(in.graph.output);
  const nlohmann::ordered_json check_images = check_images_json(in);
  return {
      {"format", kCodegenManifestFormat},
      {"tool", "tinyskip"},
      {"version", TINYSKIP_VERSION},
      {"model", {{"path", in.winner.model.string()}, {"fnv1a64", in.winner.model_hash}}},
      {"winner",
       {{"file", std::filesystem::absolute(in.winner.file).string()},
        {"experiment", in.winner.experiment},
        {"run_id", in.winner.run_id},
        {"score", score_name(in.winner.score)},
        {budget_key(in.winner.score), in.winner.budget},
        {budget_measure_key(in.winner.score), in.winner.budget_measure},
        {"point", in.winner.point}}},
      {"variant", in.variant},
      {"exact_kernels", exact_kernels_json(in)},
      {"model_name", in.model_name},
      {"entry_point", fmt::format("int model_{}_invoke(const {} *input, {} *output)", in.model_name,
                                  c_type_of(in.graph, in.graph.input), c_type_of(in.graph, in.graph.output))},
      {"input", {{"type", sim::data_type_name(input.type)}, {"shape", input.shape}, {"bytes", input.num_bytes()}}},
      {"output", {{"type", sim::data_type_name(output.type)}, {"shape", output.shape}, {"bytes", output.num_bytes()}}},
      {"arena_bytes", in.sources.arena_bytes},
      {"scratch_bytes", in.sources.scratch_bytes},
      {"macs", in.estimate.macs},
      {"kept_macs", in.estimate.kept_macs},
      {"estimated_cycles", in.estimate.total_cycles},
      {"estimated_ms", in.estimate.milliseconds},
      {"flash", flash_json(in)},
      {"layers", layers},
      {"test_image",
       {{"file", in.check_images.file},
        {"index", in.check_images.first},
        {"expected_output", check_images["expected_outputs"][0]}}},
      {"check_images", check_images},
      {"files", files},
  };
}

}  // namespace tinyskip::engine
