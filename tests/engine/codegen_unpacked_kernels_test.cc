// The unpacked FULLY_CONNECTED and DEPTHWISE_CONV_2D generators against the
// cost model's view of the code they emit (mcu_model/unpacked_cost.h): under
// random masks the generated source holds exactly one SMLAD per kept pair,
// one multiply-accumulate per single weight and one operand load per row pair
// and reduction pair (depthwise: per input channel) that the cost model
// counts, on AD01's FC layers, the depthwise layers of KWS and VWW and a
// multiplier-2 layer; and the generators' errors. (Bit-exactness on the host
// is tests/engine/codegen_model_test.cc.)
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_depthwise_conv.h"
#include "engine/codegen/unpacked_fully_connected.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/unpacked_cost.h"
#include "sim/tflite_import.h"
#include "tests/engine/significance_graphs.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

const std::filesystem::path kTemplates = TINYSKIP_SOURCE_DIR "/engine/codegen/templates";

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

mcu::BoardProfile f401re() {
  return mcu::load_board_profile(std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/nucleo_f401re.json");
}

// Masks skipping no weight, about 30 % and about 90 % of the op's weights.
std::vector<sim::WeightMask> graded_masks(const sim::Graph& graph, const sim::Op& op, std::mt19937& rng) {
  std::vector<sim::WeightMask> masks;
  for (const double fraction : {0.0, 0.3, 0.9}) {
    sim::WeightMask mask;
    mask.skip.resize(static_cast<size_t>(graph.input_of(op, 1).num_elements()));
    std::bernoulli_distribution skip(fraction);
    for (uint8_t& s : mask.skip) s = skip(rng) ? 1 : 0;
    masks.push_back(std::move(mask));
  }
  return masks;
}

TEST_CASE("unpacked FC: the generated code issues exactly what the cost model counts", "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::shared_path("models/ad01_int8.tflite"));
  const mcu::BoardProfile board = f401re();
  std::mt19937 rng(5);
  for (const int op_index : {1, 4, 5}) {  // 128x128, 128->8 and 8->128
    const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
    REQUIRE(op.type == sim::OpType::kFullyConnected);
    for (const sim::WeightMask& mask : graded_masks(graph, op, rng)) {
      const std::string code = engine::generate_unpacked_fully_connected_c(graph, op_index, mask, "fc", kTemplates);
      const mcu::UnpackedCounts counts = mcu::UnpackedLayerCost(graph, op, board).count(&mask);
      INFO("op " << op_index << ", " << mask.skipped_count() << " skipped");
      CHECK(occurrences(code, "= TS_SMLAD(0x") == static_cast<size_t>(counts.full_pairs));
      CHECK(occurrences(code, " += col[") == static_cast<size_t>(counts.split_pairs));
      CHECK(occurrences(code, "x = ts_q15x2(col + ") == static_cast<size_t>(counts.operand_pairs));
      CHECK(occurrences(code, "= ts_requantize_s8(") == static_cast<size_t>(graph.input_of(op, 1).shape[0]));
    }
  }
}

void check_depthwise_code_against_counts(const sim::Graph& graph, int op_index, uint32_t seed) {
  const mcu::BoardProfile board = f401re();
  const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
  REQUIRE(op.type == sim::OpType::kDepthwiseConv2D);
  std::mt19937 rng(seed);
  for (const sim::WeightMask& mask : graded_masks(graph, op, rng)) {
    const std::string code = engine::generate_unpacked_depthwise_conv_c(graph, op_index, mask, "dw", kTemplates);
    const mcu::UnpackedCounts counts = mcu::UnpackedLayerCost(graph, op, board).count(&mask);
    INFO("op " << op_index << ", " << mask.skipped_count() << " skipped");
    // Per kept pair or single weight one statement for column 0 (and its twin for column 1).
    CHECK(occurrences(code, "0 = TS_SMLAD(0x") == static_cast<size_t>(counts.full_pairs));
    CHECK(occurrences(code, "1 = TS_SMLAD(0x") == static_cast<size_t>(counts.full_pairs));
    CHECK(occurrences(code, " += col0[") == static_cast<size_t>(counts.split_pairs));
    CHECK(occurrences(code, "0 = ts_q15x2(col0 + ") == static_cast<size_t>(counts.operand_pairs));
    CHECK(occurrences(code, "out0[") == static_cast<size_t>(graph.input_of(op, 1).shape[3]));
  }
}

TEST_CASE("unpacked depthwise: the generated code issues exactly what the cost model counts", "[codegen]") {
  SECTION("KWS: 64 channels, 3x3, SAME") {
    check_depthwise_code_against_counts(sim::load_tflite(test::shared_path("models/kws_ref_model.tflite")), 1, 3);
  }
  SECTION("VWW: stride 2, and 256 channels") {
    const sim::Graph vww = sim::load_tflite(test::shared_path("models/vww_96_int8.tflite"));
    check_depthwise_code_against_counts(vww, 3, 4);
    check_depthwise_code_against_counts(vww, 25, 5);
  }
  SECTION("multiplier 2: the two rows of a pair share their operands") {
    test::LayerSpec spec;
    spec.type = sim::OpType::kDepthwiseConv2D;
    spec.in_h = spec.in_w = 6;
    spec.in_c = 3;
    spec.out_c = 6;
    spec.filter_h = spec.filter_w = 3;
    std::mt19937 rng(6);
    spec.filter = test::random_int8(rng, 9 * 6);
    check_depthwise_code_against_counts(test::layer_graph(spec), 0, 7);
  }
}

TEST_CASE("unpacked depthwise: other ops, bad masks and names are CodegenErrors", "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::shared_path("models/kws_ref_model.tflite"));
  CHECK_THROWS_WITH(engine::generate_unpacked_depthwise_conv_c(graph, 0, {}, "f", kTemplates),
                    Catch::Contains("DEPTHWISE_CONV_2D ops only"));
  sim::WeightMask wrong;
  wrong.skip.resize(3);
  CHECK_THROWS_WITH(engine::generate_unpacked_depthwise_conv_c(graph, 1, wrong, "f", kTemplates),
                    Catch::Contains("weight mask has 3 entries"));
  CHECK_THROWS_AS(engine::generate_unpacked_depthwise_conv_c(graph, 1, {}, "1f", kTemplates), engine::CodegenError);
  CHECK_THROWS_AS(engine::generate_unpacked_depthwise_conv_c(graph, 99, {}, "f", kTemplates), engine::CodegenError);
  CHECK_THROWS_WITH(engine::generate_unpacked_depthwise_conv_c(graph, 1, {}, "f", "/nonexistent/templates"),
                    Catch::Contains("unpacked_helpers.c.in"));
  // Two columns of 64 channels x 10 q15 values (9 taps padded to 10).
  CHECK(engine::unpacked_depthwise_scratch_bytes(graph, 1) == 2 * 64 * 10 * 2);
}

TEST_CASE("unpacked FC: other ops, bad masks and names are CodegenErrors", "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::lenet_model());
  CHECK_THROWS_WITH(engine::generate_unpacked_fully_connected_c(graph, 1, {}, "f", kTemplates),
                    Catch::Contains("FULLY_CONNECTED ops only"));
  sim::WeightMask wrong;
  wrong.skip.resize(3);
  CHECK_THROWS_WITH(engine::generate_unpacked_fully_connected_c(graph, 7, wrong, "f", kTemplates),
                    Catch::Contains("weight mask has 3 entries"));
  CHECK_THROWS_AS(engine::generate_unpacked_fully_connected_c(graph, 7, {}, "1f", kTemplates), engine::CodegenError);
  CHECK_THROWS_AS(engine::generate_unpacked_fully_connected_c(graph, 99, {}, "f", kTemplates), engine::CodegenError);
}

}  // namespace
}  // namespace tinyskip
