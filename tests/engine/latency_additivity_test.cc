// The measured latency table stays additive on ResNet-8 with its exact layers
// on CMSIS-NN, as the shipped config explores it: for points that mix
// threshold levels (no level program built them), each point's own program
// takes the table's fixed part plus its layers' entries within 0.5 %, on a
// board whose flash the prefetcher keeps up with (F401RE) and on one whose
// code streams from a slow flash through a cache (L4R5ZI). Its three first
// convolutions (the smallest unpacked code) keep the builds short.
#include <catch2/catch.hpp>

#include "engine/config/split_inputs.h"
#include "tests/engine/small_experiment.h"
#include "tests/latency_programs.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;

TEST_CASE("latency table: ResNet-8 mixed-level points on CMSIS-NN are the table's sum", "[latency]") {
  test::TempDir dir;
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  const fs::path config_file = test::write_small_experiment(
      dir.path(), "resnet8_additivity", test::resnet8_model(), "1", {"conv1", "conv2", "conv3"},
      {{"boards", {mcu + "nucleo_f401re.json", mcu + "nucleo_l4r5zi.json"}},
       {"primary_board", "nucleo_f401re"},
       {"cmsis_nn", {{"path", test::cmsis_nn_dir()}, {"core_include", test::cmsis_core_include_dir()}}}});
  const engine::Experiment experiment = engine::prepare_experiment(engine::load_experiment_config(config_file), 2);
  REQUIRE(experiment.space.dimensions() == 3);
  REQUIRE(experiment.config.cmsis_nn);

  engine::LatencyTable::Options options;
  options.work_dir = dir.path() / "latency";
  const engine::LatencyTable table = engine::LatencyTable::measure(experiment, options);

  const sim::ModelInputs reference = engine::latency_reference_inputs(experiment.config, experiment.graph, 1);
  for (const engine::DesignPoint& point : std::vector<engine::DesignPoint>{{0, 2, 1}, {2, 1, 0}, {1, 0, 2}}) {
    const test::PointProgram program = test::generate_point_program(experiment, point, reference);
    const std::vector<engine::BoardTiming> timings =
        test::time_point_program(experiment, program, dir.path() / "point");
    for (int board = 0; board < 2; ++board) {
      const engine::BoardTiming& timing = timings[static_cast<size_t>(board)];
      CHECK(timing.output_matches);
      const test::Additivity result = test::compare_with_table(experiment, table, board, point, timing);
      INFO("point " << point[0] << point[1] << point[2] << " on " << timing.board << ": table " << result.table
                    << ", emulated " << result.emulated << ", fixed part off by " << result.fixed_delta);
      CHECK(result.relative_error <= 0.005);
    }
  }
}

}  // namespace
}  // namespace tinyskip
