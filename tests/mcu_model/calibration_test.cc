// The calibrated cycle model: a kernel's features counted by hand, its
// cycles as the dot product with the fitted coefficients of its level, the
// fallback to the analytic model where nothing was fitted, the file round
// trip, and the error for a file older than the model's features.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "mcu_model/calibration.h"
#include "mcu_model/errors.h"
#include "mcu_model/kernel_costs.h"
#include "mcu_test_support.h"

namespace tinyskip::mcu {
namespace {

using Catch::Matchers::Contains;

// fc_graph(10, 5): one batch, 5 rows of 10 inputs. CMSIS-NN's FC kernel does
// row pairs (2 of them, the 5th row alone), 4 inputs per step (2 steps and a
// tail of 2 per pair).
const std::vector<std::string> kFcFeatures = {"one", "inputs", "row_pairs", "steps_4", "tail_4", "odd_row_k", "outputs"};
const std::vector<double> kFcCounts = {1, 10, 2, 4, 4, 10, 5};
const std::vector<double> kFcCycles = {100, 1, 10, 8, 3, 2, 4};
// 100 + 10 + 20 + 32 + 12 + 20 + 20
constexpr double kFcCalibratedCycles = 214;

Calibration fc_calibration() {
  Calibration calibration;
  calibration.board = "test_board";
  calibration.fit_set.description = "hand-made";
  calibration.fit_set.opt_levels = {"-Os"};
  calibration.fit_set.networks = 3;
  KernelCalibration fc;
  fc.features = kFcFeatures;
  fc.cycles = kFcCycles;
  fc.residuals = {7, 0.01, 0.02};
  calibration.kernels[calibration_key("cmsis-nn.fully_connected", "-Os")] = fc;
  return calibration;
}

sim::Graph small_fc() { return testing::fc_graph(10, 5, std::vector<int8_t>(50, 3)); }

// One DEPTHWISE_CONV_2D on a 6x6 input with `channels` input channels.
sim::Graph depthwise_graph(int kernel, sim::Padding padding, int channels, int multiplier) {
  testing::ConvSpec spec;
  spec.in_h = spec.in_w = 6;
  spec.in_c = channels;
  spec.out_c = channels * multiplier;
  spec.kernel_h = spec.kernel_w = kernel;
  spec.padding = padding;
  spec.out_h = spec.out_w = padding == sim::Padding::kSame ? 6 : 6 - kernel + 1;
  sim::Graph graph = testing::conv_graph(spec);
  graph.ops[0].type = sim::OpType::kDepthwiseConv2D;
  graph.ops[0].options.depth_multiplier = multiplier;
  sim::Tensor& filter = graph.tensors[static_cast<size_t>(graph.ops[0].inputs[1])];
  filter.shape = {1, kernel, kernel, spec.out_c};
  filter.data.assign(static_cast<size_t>(kernel * kernel * spec.out_c), 1);
  return graph;
}

TEST_CASE("CMSIS-NN depthwise layers are priced by the path its wrapper takes", "[mcu][calibration]") {
  // arm_depthwise_conv_wrapper_s8 (non-MVE): multiplier 1, batch 1, no
  // dilation -> arm_depthwise_conv_3x3_s8 for a 3x3 filter padded at most 1,
  // else arm_depthwise_conv_s8_opt; any other layer arm_depthwise_conv_s8.
  auto kernel_of = [](const sim::Graph& graph) {
    return exact_kernel_features(graph, graph.ops[0], ExactKernels::kCmsisNn).kernel;
  };
  CHECK(kernel_of(depthwise_graph(3, sim::Padding::kSame, 4, 1)) == "cmsis-nn.depthwise_conv_2d_3x3");
  CHECK(kernel_of(depthwise_graph(3, sim::Padding::kValid, 4, 1)) == "cmsis-nn.depthwise_conv_2d_3x3");
  CHECK(kernel_of(depthwise_graph(5, sim::Padding::kSame, 4, 1)) == "cmsis-nn.depthwise_conv_2d");  // pad 2
  CHECK(kernel_of(depthwise_graph(3, sim::Padding::kSame, 4, 2)) == "cmsis-nn.depthwise_conv_2d_generic");
  const sim::Graph graph = depthwise_graph(3, sim::Padding::kSame, 4, 1);
  CHECK(exact_kernel_features(graph, graph.ops[0], ExactKernels::kRuntime).kernel == "runtime.depthwise_conv_2d");
}

TEST_CASE("FC features follow CMSIS-NN's loop nest", "[mcu][calibration]") {
  const sim::Graph graph = small_fc();
  const KernelFeatures features = exact_kernel_features(graph, graph.ops[0], ExactKernels::kCmsisNn);
  CHECK(features.kernel == "cmsis-nn.fully_connected");
  CHECK(runs_on_cmsis_nn(features));
  REQUIRE(features.names.size() == kFcFeatures.size());
  for (size_t i = 0; i < kFcFeatures.size(); ++i) {
    INFO(kFcFeatures[i]);
    CHECK(features.names[i] == kFcFeatures[i]);
    CHECK(features.values[i] == kFcCounts[i]);
  }
  const KernelFeatures runtime = exact_kernel_features(graph, graph.ops[0], ExactKernels::kRuntime);
  CHECK(runtime.kernel == "runtime.fully_connected");
  CHECK_FALSE(runs_on_cmsis_nn(runtime));
}

TEST_CASE("calibrated cycles are the features times the coefficients of their level", "[mcu][calibration]") {
  const sim::Graph graph = small_fc();
  const Calibration calibration = fc_calibration();
  const KernelFeatures features = exact_kernel_features(graph, graph.ops[0], ExactKernels::kCmsisNn);
  CHECK(calibration_key("cmsis-nn.fully_connected", "-Os") == "cmsis-nn.fully_connected@-Os");
  REQUIRE(calibration.cycles(features, "-Os").has_value());
  CHECK(*calibration.cycles(features, "-Os") == Approx(kFcCalibratedCycles));
  CHECK_FALSE(calibration.cycles(features, "-O2").has_value());
  const KernelFeatures runtime = exact_kernel_features(graph, graph.ops[0], ExactKernels::kRuntime);
  CHECK_FALSE(calibration.cycles(runtime, "-Os").has_value());

  SECTION("features other than the fitted ones are an error naming the kernel") {
    KernelFeatures renamed = features;
    renamed.names[3] = "steps_8";
    CHECK_THROWS_AS(calibration.cycles(renamed, "-Os"), EstimateError);
    CHECK_THROWS_WITH(calibration.cycles(renamed, "-Os"),
                      Contains("cmsis-nn.fully_connected") && Contains("re-run tinyskip calibrate"));
  }
}

TEST_CASE("a board's estimate uses the calibration where it has one, the analytic model elsewhere",
          "[mcu][calibration]") {
  const sim::Graph graph = small_fc();
  const BoardProfile analytic = testing::make_board(testing::coefficient_json({}));
  // A calibrated file extends an analytic one, as the shipped per-board files do.
  const std::filesystem::path dir = testing::scratch_dir();
  testing::write_text(dir / "analytic.json", testing::coefficient_json({}).dump());
  const nlohmann::json calibrated_file = {{"name", "test-calibrated"},
                                          {"extends", "analytic.json"},
                                          {"calibration", nlohmann::json::parse(calibration_json(fc_calibration()).dump())}};
  testing::write_text(dir / "coefficients.json", calibrated_file.dump());
  testing::write_text(dir / "profile.json", testing::profile_json().dump());
  const BoardProfile calibrated = load_board_profile((dir / "profile.json").string());
  CHECK(calibrated.coefficients.name == "test-calibrated");
  REQUIRE_FALSE(calibrated.coefficients.calibration.empty());

  const LayerEstimate fitted = baseline_layer_cost(graph, graph.ops[0], calibrated);
  CHECK(fitted.cycles == Approx(kFcCalibratedCycles));
  CHECK(fitted.kind == "cmsis-nn");
  // Flash comes from the analytic model either way.
  const LayerEstimate reference = baseline_layer_cost(graph, graph.ops[0], analytic);
  CHECK(fitted.code_bytes == reference.code_bytes);
  CHECK(fitted.const_bytes == reference.const_bytes);

  // CMSIS-NN built at -O2 is not calibrated here: the analytic cycles.
  EstimateOptions o2;
  o2.library_opt_level = "-O2";
  CHECK(baseline_layer_cost(graph, graph.ops[0], calibrated, o2).cycles == Approx(reference.cycles));
  // The runtime's FC is not calibrated either. Its level is the code's, so a
  // -Os library level does not make it calibrated.
  EstimateOptions runtime;
  runtime.exact_kernels = ExactKernels::kRuntime;
  CHECK(baseline_layer_cost(graph, graph.ops[0], calibrated, runtime).cycles == Approx(reference.cycles));
}

TEST_CASE("a calibration survives its file", "[mcu][calibration]") {
  const Calibration written = fc_calibration();
  const nlohmann::json text = nlohmann::json::parse(calibration_json(written).dump());
  const Calibration read = read_calibration(ObjectReader(text, "c.json", "calibration"));
  CHECK(read.board == written.board);
  CHECK(read.fit_set.description == written.fit_set.description);
  CHECK(read.fit_set.opt_levels == written.fit_set.opt_levels);
  CHECK(read.fit_set.networks == written.fit_set.networks);
  REQUIRE(read.kernels.size() == 1);
  const KernelCalibration& fc = read.kernels.at("cmsis-nn.fully_connected@-Os");
  CHECK(fc.features == kFcFeatures);
  CHECK(fc.cycles == kFcCycles);
  CHECK(fc.residuals.samples == 7);
  CHECK(fc.residuals.max_relative_error == Approx(0.02));

  SECTION("an unknown key is an error naming file and place") {
    nlohmann::json bad = text;
    bad["kernels"]["cmsis-nn.fully_connected@-Os"]["slope"] = 1;
    CHECK_THROWS_AS(read_calibration(ObjectReader(bad, "c.json", "calibration")), ProfileError);
    CHECK_THROWS_WITH(read_calibration(ObjectReader(bad, "c.json", "calibration")),
                      Contains("c.json") && Contains("slope"));
  }
}

}  // namespace
}  // namespace tinyskip::mcu
