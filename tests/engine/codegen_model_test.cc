// Host proof of the whole-network code generator (issue 4): the generated
// model_<name>.c, its per-op files and the runtime are compiled with the host
// C compiler at test time, run on the first 1,000 CIFAR-10 test images, and
// every output byte must equal what sim::Simulator computes with the same
// masks. Configurations per model: all runtime kernels (exact), the
// approximated layers unpacked but exact, and two real approximations (masks
// from the paper's significance on calibration images, ~30 % and ~70 % of the
// skip units of every approximated layer skipped). The exact models and the
// single-op graphs also run with every layer CMSIS-NN has on CMSIS-NN, whose
// plain-C path the host compiles: the generated calls' parameter conventions
// against 1,000 images (the Cortex-M4 DSP path is proven under emulation in
// codegen_cmsis_nn_emulator_test.cc).
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/model_source.h"
#include "engine/significance/significance.h"
#include "engine/significance/skip_masks.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/engine/codegen_test_support.h"
#include "tests/engine/significance_graphs.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

const std::filesystem::path kSource = TINYSKIP_SOURCE_DIR;
constexpr int kProofImages = 1000;
constexpr int kCalibrationImages = 32;

struct ModelCase {
  std::string name;
  std::string model;
  std::string pixel_scale;
  std::vector<int> approximated_ops;  // the default experiment's layers
};

ModelCase lenet() { return {"lenet", test::lenet_model(), "1/255", {3, 5}}; }
ModelCase resnet8() { return {"resnet8", test::resnet8_model(), "1", {0, 1, 2, 4, 5, 6, 8, 9, 10}}; }

enum class Variant { kRuntime, kCmsisNn, kUnpackedExact, kMid, kAggressive };

sim::ModelInputs first_images(const sim::Graph& graph, const std::string& file, int count,
                              const std::string& pixel_scale) {
  return test::first_images(graph, test::cifar10_dir() + "/" + file, count, pixel_scale);
}

// Masks skipping `fraction` of every layer's skip units in significance
// order: what an exploration would pick at a mid or aggressive threshold.
sim::MaskSet significance_masks(const sim::Graph& graph, const ModelCase& model, double fraction) {
  const sim::Simulator exact(graph);
  sim::RunOptions options;
  for (int op : model.approximated_ops) options.capture.push_back(graph.ops[static_cast<size_t>(op)].inputs[0]);
  const sim::RunOutput run =
      exact.run(first_images(graph, "data_batch_1.bin", kCalibrationImages, model.pixel_scale), options);
  sim::MaskSet masks;
  for (int op : model.approximated_ops) {
    const engine::LayerScores scores =
        engine::compute_significance(graph, op, run.captured.at(graph.ops[static_cast<size_t>(op)].inputs[0]));
    const engine::LayerSkipOrder order(scores, engine::SkipGranularity::kPair);
    const auto sorted = order.sorted_scores();
    const double threshold = sorted[static_cast<size_t>(fraction * static_cast<double>(sorted.size()))];
    masks[op] = order.mask_at(threshold);
    REQUIRE(masks[op].skipped_count() > 0);
  }
  return masks;
}

void check_generated_model(const ModelCase& model, Variant variant) {
  const sim::Graph graph = sim::load_tflite(model.model);
  sim::MaskSet masks;
  if (variant == Variant::kMid) masks = significance_masks(graph, model, 0.3);
  if (variant == Variant::kAggressive) masks = significance_masks(graph, model, 0.7);
  engine::ModelCodegenOptions options;
  options.model_name = model.name;
  const bool cmsis_nn = variant == Variant::kCmsisNn;
  if (variant != Variant::kRuntime && !cmsis_nn)
    options.unpacked_ops.insert(model.approximated_ops.begin(), model.approximated_ops.end());
  options.exact_layers_on_cmsis_nn = cmsis_nn;
  options.template_dir = kSource / "engine/codegen/templates";
  options.runtime_dir = kSource / "engine/runtime";
  const engine::ModelSources sources = engine::generate_model_sources(graph, masks, options);
  CHECK(sources.uses(engine::LayerKernel::kCmsisNn) == cmsis_nn);

  test::TempDir dir;
  test::write_generated(sources.files, dir.path());
  const sim::ModelInputs images = first_images(graph, "test_batch.bin", kProofImages, model.pixel_scale);
  const std::string generated = test::run_generated_model_on_host(dir.path(), graph, model.name, images, nullptr,
                                                                  cmsis_nn ? &test::host_cmsis_nn() : nullptr);

  const sim::RunOutput simulated = sim::Simulator(graph, masks).run(images);
  test::check_same_outputs(generated, simulated);

  // The masks must matter, or the comparison proves nothing about skipping.
  if (!masks.empty()) {
    const sim::RunOutput exact = sim::Simulator(graph).run(images);
    CHECK(exact.outputs != simulated.outputs);
  }
}

TEST_CASE("codegen model: LeNet with runtime kernels only matches the simulator on 1000 images", "[codegen]") {
  check_generated_model(lenet(), Variant::kRuntime);
}
TEST_CASE("codegen model: LeNet on CMSIS-NN (its plain-C path) matches the simulator on 1000 images", "[codegen]") {
  check_generated_model(lenet(), Variant::kCmsisNn);
}
TEST_CASE("codegen model: LeNet with exact unpacked conv2/conv3 matches the simulator", "[codegen]") {
  check_generated_model(lenet(), Variant::kUnpackedExact);
}
TEST_CASE("codegen model: LeNet mid approximation (30 % of units skipped) matches the simulator", "[codegen]") {
  check_generated_model(lenet(), Variant::kMid);
}
TEST_CASE("codegen model: LeNet aggressive approximation (70 %) matches the simulator", "[codegen]") {
  check_generated_model(lenet(), Variant::kAggressive);
}
TEST_CASE("codegen model: ResNet-8 with runtime kernels only matches the simulator on 1000 images", "[codegen]") {
  check_generated_model(resnet8(), Variant::kRuntime);
}
TEST_CASE("codegen model: ResNet-8 on CMSIS-NN (its plain-C path) matches the simulator on 1000 images",
          "[codegen]") {
  check_generated_model(resnet8(), Variant::kCmsisNn);
}
TEST_CASE("codegen model: ResNet-8 with all convs unpacked, exact, matches the simulator", "[codegen]") {
  check_generated_model(resnet8(), Variant::kUnpackedExact);
}
TEST_CASE("codegen model: ResNet-8 mid approximation (30 %) matches the simulator", "[codegen]") {
  check_generated_model(resnet8(), Variant::kMid);
}
TEST_CASE("codegen model: ResNet-8 aggressive approximation (70 %) matches the simulator", "[codegen]") {
  check_generated_model(resnet8(), Variant::kAggressive);
}

TEST_CASE("codegen model: LeNet's int8 entry point (input already quantised) matches the simulator", "[codegen]") {
  const ModelCase model = lenet();
  const sim::Graph graph = sim::load_tflite(model.model);
  engine::ModelCodegenOptions options;
  options.model_name = model.name;
  options.template_dir = kSource / "engine/codegen/templates";
  options.runtime_dir = kSource / "engine/runtime";
  const engine::ModelSources sources = engine::generate_model_sources(graph, {}, options);
  test::TempDir dir;
  test::write_generated(sources.files, dir.path());
  REQUIRE_THAT(test::read_text(dir.path() / "model_lenet.h"), Catch::Matchers::Contains("model_lenet_invoke_s8"));

  const sim::ModelInputs images = first_images(graph, "test_batch.bin", 200, model.pixel_scale);
  sim::RunOptions capture;
  const int quantized = graph.ops.front().outputs.at(0);
  capture.capture = {quantized};
  const sim::RunOutput simulated = sim::Simulator(graph).run(images, capture);
  const std::vector<int8_t>& int8_inputs = simulated.captured.at(quantized);
  const std::string generated =
      test::run_generated_model_on_host(dir.path(), graph, model.name, images, &int8_inputs);
  test::check_same_outputs(generated, simulated);
}

// Ops the shipped models lack, as one-op graphs over CIFAR-sized int8 input:
// the generated call into the runtime (parameters, dims, masked weights) must
// match the simulator as well.
enum class SingleOpKernel { kRuntime, kCmsisNn, kUnpacked };

void check_single_op_model(test::LayerSpec spec, uint32_t seed, SingleOpKernel kernel) {
  const bool cmsis_nn = kernel == SingleOpKernel::kCmsisNn;
  std::mt19937 rng(seed);
  spec.in_h = 32;
  spec.in_w = 32;
  spec.in_c = 3;
  spec.input_zero_point = -5;
  const int64_t weights = spec.type == sim::OpType::kFullyConnected ? spec.out_c * spec.input_elements()
                                                                     : int64_t{spec.filter_h} * spec.filter_w * spec.out_c;
  spec.filter = test::random_int8(rng, static_cast<size_t>(weights));
  sim::Graph graph = test::layer_graph(spec);
  graph.tensors[0].quant.scale = {1.0f / 128};
  graph.tensors[1].quant.scale = {0.004f};
  graph.tensors[2].quant.scale = {spec.type == sim::OpType::kFullyConnected ? 2.0f : 0.05f};
  sim::MaskSet masks;
  std::bernoulli_distribution skip(0.3);
  masks[0].skip.resize(static_cast<size_t>(weights));
  for (uint8_t& s : masks[0].skip) s = skip(rng) ? 1 : 0;

  engine::ModelCodegenOptions options;
  options.model_name = "single";
  options.exact_layers_on_cmsis_nn = cmsis_nn;
  if (kernel == SingleOpKernel::kUnpacked) options.unpacked_ops = {0};
  options.template_dir = kSource / "engine/codegen/templates";
  options.runtime_dir = kSource / "engine/runtime";
  test::TempDir dir;
  test::write_generated(engine::generate_model_sources(graph, masks, options).files, dir.path());
  const sim::ModelInputs images = first_images(graph, "test_batch.bin", 50, "1/255");
  const std::string generated = test::run_generated_model_on_host(dir.path(), graph, "single", images, nullptr,
                                                                  cmsis_nn ? &test::host_cmsis_nn() : nullptr);
  const sim::RunOutput simulated = sim::Simulator(graph, masks).run(images);
  test::check_same_outputs(generated, simulated);
  CHECK(std::set<uint8_t>(simulated.outputs.begin(), simulated.outputs.end()).size() >= 8);
  CHECK(simulated.outputs != sim::Simulator(graph).run(images).outputs);
}

TEST_CASE("codegen model: a masked depthwise conv (SAME, stride 2, multiplier 2) matches the simulator", "[codegen]") {
  test::LayerSpec spec;
  spec.type = sim::OpType::kDepthwiseConv2D;
  spec.out_c = 6;
  spec.filter_h = spec.filter_w = 3;
  spec.padding = sim::Padding::kSame;
  spec.stride_h = spec.stride_w = 2;
  SECTION("runtime kernel") { check_single_op_model(spec, 21, SingleOpKernel::kRuntime); }
  SECTION("CMSIS-NN") { check_single_op_model(spec, 21, SingleOpKernel::kCmsisNn); }
  SECTION("unpacked") { check_single_op_model(spec, 21, SingleOpKernel::kUnpacked); }
}

TEST_CASE("codegen model: an unpacked depthwise conv (VALID 5x3, multiplier 1, odd channels) matches the simulator",
          "[codegen]") {
  test::LayerSpec spec;
  spec.type = sim::OpType::kDepthwiseConv2D;
  spec.out_c = 3;  // the two rows of the first pair read different input channels; the last row alone
  spec.filter_h = 5;
  spec.filter_w = 3;  // 15 taps: 7 pairs and a lone tap
  spec.dilation_w = 2;
  check_single_op_model(spec, 25, SingleOpKernel::kUnpacked);
}

TEST_CASE("codegen model: a masked fully connected layer matches the simulator", "[codegen]") {
  test::LayerSpec spec;
  spec.type = sim::OpType::kFullyConnected;
  spec.out_c = 16;
  SECTION("runtime kernel") { check_single_op_model(spec, 22, SingleOpKernel::kRuntime); }
  SECTION("CMSIS-NN") { check_single_op_model(spec, 22, SingleOpKernel::kCmsisNn); }
  SECTION("unpacked") { check_single_op_model(spec, 22, SingleOpKernel::kUnpacked); }
}

TEST_CASE("codegen model: an unpacked fully connected layer with an odd row count matches the simulator",
          "[codegen]") {
  test::LayerSpec spec;
  spec.type = sim::OpType::kFullyConnected;
  spec.out_c = 7;  // the last row in a function of its own
  check_single_op_model(spec, 23, SingleOpKernel::kUnpacked);
}

// Every layer with weights of the model unpacked (exact, then 40 % of each
// layer's weights skipped at random), on the host against the simulator for
// TFLM's random reference inputs of the model.
void check_reference_inputs_unpacked(const std::string& model, const std::string& inputs, int count,
                                     const std::set<sim::OpType>& unpacked_types, size_t expected_unpacked) {
  const sim::Graph graph = sim::load_tflite(test::shared_path("models/" + model + ".tflite"));
  sim::TensorSet set;
  set.source = model + " reference inputs";
  set.type = sim::DataType::kInt8;
  set.sample_shape = sim::sample_shape_of(graph);
  const std::string bytes = test::read_text(test::shared_path("reference/" + inputs));
  set.bytes.assign(bytes.begin(), bytes.end());
  set.count = count;
  const sim::ModelInputs model_inputs(graph, set, std::nullopt);
  std::mt19937 rng(26);
  std::bernoulli_distribution skip(0.4);
  for (const bool masked : {false, true}) {
    engine::ModelCodegenOptions options;
    options.model_name = "reference";
    options.template_dir = kSource / "engine/codegen/templates";
    options.runtime_dir = kSource / "engine/runtime";
    sim::MaskSet masks;
    for (const sim::Op& op : graph.ops) {
      if (unpacked_types.count(op.type) == 0) continue;
      options.unpacked_ops.insert(op.index);
      if (!masked) continue;
      masks[op.index].skip.resize(static_cast<size_t>(graph.input_of(op, 1).num_elements()));
      for (uint8_t& s : masks[op.index].skip) s = skip(rng) ? 1 : 0;
    }
    REQUIRE(options.unpacked_ops.size() == expected_unpacked);
    const engine::ModelSources sources = engine::generate_model_sources(graph, masks, options);
    for (int op : options.unpacked_ops) CHECK(sources.kernels.at(op) == engine::LayerKernel::kUnpacked);
    test::TempDir dir;
    test::write_generated(sources.files, dir.path());
    const std::string generated = test::run_generated_model_on_host(dir.path(), graph, "reference", model_inputs);
    const sim::RunOutput simulated = sim::Simulator(graph, masks).run(model_inputs);
    test::check_same_outputs(generated, simulated);
    if (masked) CHECK(simulated.outputs != sim::Simulator(graph).run(model_inputs).outputs);
  }
}

TEST_CASE("codegen model: KWS with every conv, depthwise and FC layer unpacked matches the simulator",
          "[codegen]") {
  check_reference_inputs_unpacked("kws_ref_model", "kws_ref_model_random_0-7_in_i8.bin", 8,
                                  {sim::OpType::kConv2D, sim::OpType::kDepthwiseConv2D, sim::OpType::kFullyConnected},
                                  10);
}

TEST_CASE("codegen model: AD01 with all ten FC layers unpacked matches the simulator", "[codegen]") {
  check_reference_inputs_unpacked("ad01_int8", "ad01_int8_random_0-7_in_i8.bin", 8, {sim::OpType::kFullyConnected},
                                  10);
}

TEST_CASE("codegen model: VWW with all 13 depthwise layers unpacked matches the simulator", "[codegen]") {
  check_reference_inputs_unpacked("vww_96_int8", "vww_96_int8_random_0-7_in_i8.bin", 8,
                                  {sim::OpType::kDepthwiseConv2D}, 13);
}

// The generated CMSIS-NN op asks CMSIS-NN for its scratch size at run time
// and refuses, before writing anything, to run on a smaller scratch area.
TEST_CASE("codegen model: a CMSIS-NN op given too little scratch returns TS_ERROR_SCRATCH", "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::lenet_model());
  engine::ModelCodegenOptions options;
  options.model_name = "lenet";
  options.exact_layers_on_cmsis_nn = true;
  options.template_dir = kSource / "engine/codegen/templates";
  options.runtime_dir = kSource / "engine/runtime";
  const engine::ModelSources sources = engine::generate_model_sources(graph, {}, options);
  REQUIRE(sources.scratch_bytes == 2 * 3 * 3 * 64 * 2);  // conv3's two im2col columns
  test::TempDir dir;
  test::write_generated(sources.files, dir.path());
  // conv1 (op 1) needs 2 columns of 3x3x3 taps rounded up to 28 q15 values: 112 bytes.
  test::write_text(dir.path() / "driver" / "driver.c",
                   "#include \"model_lenet_ops.h\"\n"
                   "static int8_t input[32 * 32 * 3], output[30 * 30 * 32];\n"
                   "static int16_t columns[56];\n"
                   "int main(void) {\n"
                   "  ts_context small = {columns, 110}, enough = {columns, 112};\n"
                   "  output[0] = 42;\n"
                   "  if (model_lenet_op01(input, 0, output, &small) != TS_ERROR_SCRATCH || output[0] != 42) return 1;\n"
                   "  return model_lenet_op01(input, 0, output, &enough) == TS_OK ? 0 : 2;\n"
                   "}\n");
  const test::HostLibrary& cmsis_nn = test::host_cmsis_nn();
  std::string flags = " -std=c99 -O1 -I" + test::quoted(dir.path()) + " -I" + test::quoted(dir.path() / "runtime") +
                      " -isystem " + test::quoted(cmsis_nn.include_dirs.at(0));
  const std::filesystem::path program = dir.path() / "driver" / "program";
  test::build_program({dir.path() / "model_lenet_op01_conv_2d.c", dir.path() / "driver" / "driver.c"},
                      test::host_c_compiler() + flags, test::host_c_compiler(), program,
                      " " + test::quoted(cmsis_nn.archive));
  const test::CommandResult ran = test::run_shell(test::quoted(program));
  INFO(ran.output);
  CHECK(ran.exit_code == 0);
}

}  // namespace
}  // namespace tinyskip
