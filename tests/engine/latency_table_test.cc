// The measured latency table is additive: for design points that mix
// threshold levels (so no level program measured them as a whole), the
// emulated whole-network cycles of the point's own generated program equal
// the table's fixed part plus its layers' entries within 0.5 %, on a board
// where the prefetcher keeps up (F401RE) and on one where code streams from
// a slow flash (L4R5ZI) -- the additivity target, checked
// independently by building and timing each point's program. The same holds
// when layers may stay on their library kernel ("not unpacked" level 0).
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "engine/codegen/c_literals.h"
#include "engine/codegen/network_project.h"
#include "engine/config/split_inputs.h"
#include "engine/config/tinyskip_paths.h"
#include "engine/explore/experiment.h"
#include "engine/explore/latency_table.h"
#include "engine/measure/timed_program.h"
#include "mcu_model/elf32_image.h"
#include "tests/engine/small_experiment.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;

// Measures the table of the small LeNet experiment on conv1 and conv3 (with
// `approximate` in place of the default when given), then times `points`.
void check_mixed_points(const nlohmann::json& approximate, const std::vector<engine::DesignPoint>& points) {
  test::TempDir dir;
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  nlohmann::json extra = {{"boards", {mcu + "nucleo_f401re.json", mcu + "nucleo_l4r5zi.json"}},
                          {"primary_board", "nucleo_f401re"}};
  if (!approximate.is_null()) extra["approximate"] = approximate;
  const fs::path config_file =
      test::write_small_experiment(dir.path(), "lenet_latency", test::lenet_model(), "1/255", {"conv1", "conv3"}, extra);
  const engine::Experiment experiment = engine::prepare_experiment(engine::load_experiment_config(config_file), 2);
  REQUIRE(experiment.space.dimensions() == 2);

  engine::LatencyTable::Options options;
  options.work_dir = dir.path() / "latency";
  const engine::LatencyTable table = engine::LatencyTable::measure(experiment, options);
  const int last = experiment.space.levels(0) - 1;
  for (int board = 0; board < 2; ++board) {
    CHECK(table.fixed_cycles(board) > 0);
    // Skipping more never makes a layer's own code slower here, and
    // unpacked code is faster than the library's.
    for (int layer = 0; layer < 2; ++layer)
      CHECK(table.layer_cycles(board, layer, last) <= table.layer_cycles(board, layer, last - 2));
  }

  const sim::ModelInputs image = engine::latency_reference_inputs(experiment.config, experiment.graph, 1);
  const std::string model_name = engine::c_identifier_from(experiment.config.name);
  for (size_t p = 0; p < points.size(); ++p) {
    engine::NetworkProjectSpec spec;
    spec.graph = &experiment.graph;
    spec.masks = engine::point_masks(experiment, points[p]);
    spec.unpacked_ops = engine::unpacked_ops_of(experiment, points[p]);
    spec.model_name = model_name;
    spec.inputs = &image;
    spec.board = &experiment.boards[0];
    spec.template_dir = engine::default_template_dir();
    spec.runtime_dir = engine::default_runtime_dir();
    const engine::NetworkProject project = engine::generate_network_project(spec);
    const fs::path point_dir = dir.path() / ("point_" + std::to_string(p));
    engine::write_generated_files(project.files, point_dir);
    for (int board = 0; board < 2; ++board) {
      const mcu::BoardProfile roomy = engine::LatencyTable::timing_board(experiment.boards[static_cast<size_t>(board)]);
      const auto elf = engine::build_check_program(point_dir, model_name, "-Os", roomy);
      REQUIRE(elf);
      const engine::BoardTiming timing =
          engine::time_check_program(mcu::read_elf32_arm(elf->string()), roomy, model_name, {}, 4'000'000'000ull);
      CHECK(timing.output_matches);
      const auto predicted = static_cast<double>(table.point_cycles(board, points[p]));
      const auto measured = static_cast<double>(timing.cycles);
      INFO("point " << engine::point_key(points[p]) << " board " << roomy.name << ": table " << predicted
                    << ", emulated " << measured);
      CHECK(std::abs(predicted - measured) <= 0.005 * measured);
    }
  }
}

TEST_CASE("latency table: mixed-level points take the table's fixed part plus their layers' entries", "[latency]") {
  // Points the level programs did not build.
  check_mixed_points(nullptr, {{0, 2}, {2, 0}, {1, 2}, {2, 1}});
}

TEST_CASE("latency table: points that keep a layer on its library kernel are additive too", "[latency]") {
  // Level 0 on the runtime's kernel, then thresholds 0, 0.01, 0.05 unpacked:
  // one layer on the library, the other unpacked.
  check_mixed_points({{"layers", {"conv1", "conv3"}}, {"thresholds", {{"values", {0, 0.01, 0.05}}}},
                      {"not_unpacked_level", true}},
                     {{0, 3}, {3, 0}, {0, 1}, {2, 0}});
}

}  // namespace
}  // namespace tinyskip
