// A check program with several embedded images is timed image by image: one
// DWT count and one split by op per image, the first being what the program's
// tinyskip_cycles holds (the count every earlier caller reads), and an op
// whose code has no data-dependent timing (RESHAPE: a fixed-size copy) takes
// the same cycles on every image while each op's sum stays the inference's.
#include <catch2/catch.hpp>

#include <numeric>

#include "engine/config/split_inputs.h"
#include "mcu_model/arm_emulator.h"
#include "mcu_model/cortex_m4_timing.h"
#include "tests/engine/small_experiment.h"
#include "tests/latency_programs.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;

TEST_CASE("timed check program: every embedded image's inference is timed, split by op", "[latency]") {
  test::TempDir dir;
  const fs::path config_file =
      test::write_small_experiment(dir.path(), "lenet_images", test::lenet_model(), "1/255", {"conv2"});
  const engine::Experiment experiment = engine::prepare_experiment(engine::load_experiment_config(config_file), 2);
  constexpr int kImages = 3;
  const sim::ModelInputs images = engine::latency_reference_inputs(experiment.config, experiment.graph, kImages);
  const test::PointProgram program = test::generate_point_program(experiment, {1}, images);
  const std::vector<engine::BoardTiming> timings = test::time_point_program(experiment, program, dir.path() / "net");
  REQUIRE(timings.size() == 1);
  const engine::BoardTiming& timing = timings[0];
  CHECK(timing.output_matches);
  REQUIRE(timing.images.size() == kImages);
  CHECK(timing.images[0].cycles == timing.cycles);
  CHECK(timing.images[0].ops.size() == timing.ops.size());

  // The program's own image-0 count, read as every caller before per-image timing did.
  const mcu::BoardProfile board = engine::LatencyTable::timing_board(experiment.boards[0]);
  const mcu::Elf32Image elf = mcu::read_elf32_arm(
      (dir.path() / "net" / "cortex_m4" / ("build" + experiment.config.flash.opt_level) /
       ("model_" + program.model_name + "_on_" + board.name + ".elf"))
          .string());
  mcu::ArmEmulator emulator(elf, mcu::emulated_memory(board));
  mcu::CortexM4Timing engine_timing(board);
  REQUIRE(emulator.run_from_reset("tinyskip_done", test::kPointInstructionLimit, &engine_timing).reached_stop);
  CHECK(emulator.read_u32("tinyskip_cycles") == timing.cycles);

  bool saw_reshape = false;
  for (const engine::InferenceTiming& image : timing.images) {
    REQUIRE(image.ops.size() == program.ops.size());
    const uint64_t op_sum = std::accumulate(image.ops.begin(), image.ops.end(), uint64_t{0},
                                            [](uint64_t sum, const engine::OpTiming& op) { return sum + op.cycles; });
    CHECK(static_cast<double>(op_sum) == Approx(static_cast<double>(image.cycles)).epsilon(0.001));
    for (size_t o = 0; o < image.ops.size(); ++o) {
      CHECK(image.ops[o].op_index == timing.ops[o].op_index);
      if (image.ops[o].op != "RESHAPE") continue;
      saw_reshape = true;
      CHECK(image.ops[o].cycles == timing.ops[o].cycles);
    }
  }
  CHECK(saw_reshape);
}

}  // namespace
}  // namespace tinyskip
