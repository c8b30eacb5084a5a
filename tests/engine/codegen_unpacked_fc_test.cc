// The unpacked FULLY_CONNECTED generator against the cost model's view of
// the code it emits (mcu_model/unpacked_cost.h): on AD01's layers under
// random masks, the generated source holds exactly one SMLAD per kept pair,
// one multiply-accumulate per single weight and one operand load per row pair
// and reduction pair the cost model counts; and its errors. (Bit-exactness on
// the host is tests/engine/codegen_model_test.cc, "AD01 with all ten FC
// layers unpacked".)
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_fully_connected.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/unpacked_cost.h"
#include "sim/tflite_import.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

const std::filesystem::path kTemplates = TINYSKIP_SOURCE_DIR "/engine/codegen/templates";

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST_CASE("unpacked FC: the generated code issues exactly what the cost model counts", "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::shared_path("models/ad01_int8.tflite"));
  const mcu::BoardProfile board =
      mcu::load_board_profile(std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/nucleo_f401re.json");
  std::mt19937 rng(5);
  for (const int op_index : {1, 4, 5}) {  // 128x128, 128->8 and 8->128
    const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
    REQUIRE(op.type == sim::OpType::kFullyConnected);
    for (const double fraction : {0.0, 0.3, 0.9}) {
      sim::WeightMask mask;
      mask.skip.resize(static_cast<size_t>(graph.input_of(op, 1).num_elements()));
      std::bernoulli_distribution skip(fraction);
      for (uint8_t& s : mask.skip) s = skip(rng) ? 1 : 0;
      const std::string code = engine::generate_unpacked_fully_connected_c(graph, op_index, mask, "fc", kTemplates);
      const mcu::UnpackedCounts counts = mcu::UnpackedLayerCost(graph, op, board).count(&mask);
      INFO("op " << op_index << ", " << fraction << " skipped");
      CHECK(occurrences(code, "= TS_SMLAD(0x") == static_cast<size_t>(counts.full_pairs));
      CHECK(occurrences(code, " += col[") == static_cast<size_t>(counts.split_pairs));
      CHECK(occurrences(code, "x = ts_q15x2(col + ") == static_cast<size_t>(counts.operand_pairs));
      CHECK(occurrences(code, "= ts_requantize_s8(") == static_cast<size_t>(graph.input_of(op, 1).shape[0]));
    }
  }
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
