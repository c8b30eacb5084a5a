// `tinyskip measure` as a user runs it: a small LeNet exploration, then the
// winner's variants generated, built and timed on the shipped boards. The
// cycle rules themselves are proven on hand-derived sequences in
// tests/mcu_model/timing_*; here the checks are what measure adds on top:
//   - the check program still reproduces the simulator's output;
//   - the DWT count it reports equals what the timing engine counted between
//     the model's entry and tinyskip_done, less the few cycles of the
//     comparison that follow the inference;
//   - the per-op split adds up to the inference;
//   - skipping work makes the winner faster than the same layers unpacked
//     exact, and a slower flash (L4R5: 5 wait states, 8-byte reads) costs
//     cycles on the flash-streamed unpacked code;
//   - bad targets are clear errors.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "mcu_model/arm_emulator.h"
#include "mcu_model/board_profile.h"
#include "mcu_model/cortex_m4_timing.h"
#include "tests/engine/cli_test_support.h"
#include "tests/engine/codegen_test_support.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;

std::string board_file(const std::string& name) {
  return std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/" + name + ".json";
}

fs::path small_lenet_run(const fs::path& dir) {
  const fs::path config = dir / "config.json";
  test::write_text(config, "{\n"
                           "  \"name\": \"lenet_measure\",\n"
                           "  \"model\": \"" + test::lenet_model() + "\",\n"
                           "  \"pixel_scale\": \"1/255\",\n"
                           "  \"data_dir\": \"" + test::cifar10_dir() + "\",\n"
                           "  \"splits\": {\"calibration\": {\"files\": [\"data_batch_1.bin\"], \"begin\": 0, \"end\": 100},\n"
                           "             \"search\": {\"files\": [\"test_batch.bin\"], \"begin\": 0, \"end\": 200},\n"
                           "             \"report\": {\"files\": [\"test_batch.bin\"], \"begin\": 5000, \"end\": 5200}},\n"
                           "  \"approximate\": {\"layers\": [\"conv3\"], \"thresholds\": {\"values\": [0, 0.05]}},\n"
                           "  \"search\": {\"algorithm\": \"grid\"},\n"
                           "  \"flash\": {\"source\": \"estimated\"}, \"latency\": {\"source\": \"model\"},\n"
                           "  \"boards\": [\"" + board_file("nucleo_f401re") + "\", \"" + board_file("nucleo_l4r5zi") + "\"],\n"
                           "  \"primary_board\": \"nucleo_f401re\",\n"
                           "  \"winners\": {\"accuracy_loss_budgets\": [100]},\n"
                           "  \"results_dir\": \"results\"\n}\n");
  const auto explored = test::run_cli("run " + test::quoted(config) + " --run-id m");
  INFO(explored.output);
  REQUIRE(explored.exit_code == 0);
  return dir / "results" / "lenet_measure" / "m" / "winners" / "100.json";
}

const nlohmann::json& variant_of(const nlohmann::json& report, const std::string& variant) {
  for (const auto& entry : report["variants"])
    if (entry["variant"] == variant) return entry;
  FAIL("no variant " << variant << " in the report");
  return report;
}

const nlohmann::json& board_of(const nlohmann::json& variant, const std::string& board) {
  for (const auto& entry : variant["boards"])
    if (entry["board"] == board) return entry;
  FAIL("no board " << board << " in the report");
  return variant;
}

TEST_CASE("tinyskip measure: winner variants timed on two boards, split by op", "[measure]") {
  test::TempDir dir;
  const fs::path winner = small_lenet_run(dir.path());
  const fs::path report_file = dir.path() / "measure.json";
  const auto measured = test::run_cli("measure " + test::quoted(winner) +
                                      " --variant unpacked --variant winner --per-op --json " +
                                      test::quoted(report_file) + " --work " + test::quoted(dir.path() / "m"));
  INFO(measured.output);
  REQUIRE(measured.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(test::read_text(report_file));
  CHECK(report["format"] == "tinyskip-measure/1");

  const nlohmann::json& unpacked = variant_of(report, "unpacked");
  const nlohmann::json& approximated = variant_of(report, "winner");
  for (const nlohmann::json* variant : {&unpacked, &approximated}) {
    REQUIRE((*variant)["boards"].size() == 2);  // the run's boards by default
    for (const auto& board : (*variant)["boards"]) {
      CHECK(board["output_matches_simulator"] == true);
      uint64_t op_sum = 0;
      for (const auto& op : board["ops"]) op_sum += op["cycles"].get<uint64_t>();
      const auto total = board["cycles"].get<uint64_t>();
      CHECK(board["ops"].size() == 10);  // LeNet's ops, each timed
      // The ops cover the inference but for the call glue of model.c.
      CHECK(op_sum <= total);
      CHECK(op_sum >= total - total / 1000);
    }
  }
  // On the F401 the prefetcher keeps up with straight-line code, so the code
  // skipping removes is time saved. (On the L4R5 the same runtime kernels can
  // lose more to their new alignment against 8-byte flash reads than the
  // skipped work saves: the unpacked op is faster, the total need not be.)
  CHECK(board_of(approximated, "nucleo_f401re")["cycles"].get<uint64_t>() <
        board_of(unpacked, "nucleo_f401re")["cycles"].get<uint64_t>());
  const auto unpacked_op_cycles = [&](const nlohmann::json& variant, const std::string& board) {
    for (const auto& op : board_of(variant, board)["ops"])
      if (op["kernel"] == "unpacked") return op["cycles"].get<uint64_t>();
    return uint64_t{0};
  };
  for (const char* board : {"nucleo_f401re", "nucleo_l4r5zi"})
    CHECK(unpacked_op_cycles(approximated, board) < unpacked_op_cycles(unpacked, board));
  // The unpacked conv3 streams its straight-line code from flash: at 5 wait
  // states with 8-byte reads it needs more cycles than at 2 with 16-byte reads.
  CHECK(unpacked_op_cycles(unpacked, "nucleo_l4r5zi") > unpacked_op_cycles(unpacked, "nucleo_f401re"));

  SECTION("the reported DWT count is the engine's count across the inference") {
    const fs::path generated = dir.path() / "m" / "100_winner";
    const mcu::BoardProfile board = mcu::load_board_profile(board_file("nucleo_f401re"));
    const nlohmann::json manifest = nlohmann::json::parse(test::read_text(generated / "manifest.json"));
    const std::string model = "model_" + manifest["model_name"].get<std::string>();
    // measure links the objects once per board: <model>_on_<board>.elf
    const fs::path elf = generated / "cortex_m4" / "build-Os" / (model + "_on_nucleo_f401re.elf");
    const mcu::Elf32Image image = mcu::read_elf32_arm(elf.string());
    mcu::ArmEmulator emulator(image, mcu::emulated_memory(board));
    mcu::CortexM4Timing timing(board);
    timing.mark(image.symbol(model + "_invoke").address);
    REQUIRE(emulator.run_from_reset("tinyskip_done", 4'000'000'000ull, &timing).reached_stop);
    REQUIRE(!timing.marks().empty());
    const uint64_t entry_to_done = timing.cycles() - timing.marks().front().cycle;
    const uint64_t dwt = emulator.read_u32("tinyskip_cycles");
    CHECK(dwt == board_of(approximated, "nucleo_f401re")["cycles"].get<uint64_t>());
    // After the inference main compares 10 output bytes and stores the
    // verdict: a few hundred cycles at most.
    CHECK(dwt <= entry_to_done);
    CHECK(entry_to_done - dwt < 500);
  }
}

TEST_CASE("tinyskip measure: a directory that is no codegen output is a clear error", "[measure]") {
  test::TempDir dir;
  const auto measured = test::run_cli("measure " + test::quoted(dir.path()));
  CHECK(measured.exit_code != 0);
  CHECK_THAT(measured.output, Catch::Matchers::Contains("not a tinyskip codegen output directory"));
}

}  // namespace
}  // namespace tinyskip
