// Loading of board profiles and coefficient sets: the shipped files, the
// arithmetic that turns instruction mixes into cycles, and every kind of
// error naming the file and the key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "mcu_model/board_profile.h"
#include "mcu_model/errors.h"
#include "mcu_test_support.h"

namespace tinyskip::mcu {
namespace {

using Catch::Matchers::Contains;

TEST_CASE("shipped board profiles carry the datasheet facts", "[mcu][profile]") {
  // Wait states at 3.3 V: F401 at 84 MHz needs 2 (60 < HCLK <= 84), F411 at
  // 100 MHz needs 3 (90 < HCLK <= 100), L4R5 at 120 MHz (range 1 boost) 5.
  const BoardProfile f401 = load_board_profile(testing::shipped_profile("nucleo_f401re"));
  CHECK(f401.clock_hz == 84'000'000);
  CHECK(f401.flash_wait_states == 2);
  CHECK(f401.flash_bytes == 512 * 1024);
  CHECK(f401.sram_bytes == 96 * 1024);
  CHECK(f401.icache_bytes() == 64 * 16);  // ART: 64 lines of 128 bits

  const BoardProfile f411 = load_board_profile(testing::shipped_profile("nucleo_f411re"));
  CHECK(f411.clock_hz == 100'000'000);
  CHECK(f411.flash_wait_states == 3);
  CHECK(f411.sram_bytes == 128 * 1024);

  const BoardProfile l4r5 = load_board_profile(testing::shipped_profile("nucleo_l4r5zi"));
  CHECK(l4r5.clock_hz == 120'000'000);
  CHECK(l4r5.flash_wait_states == 5);
  CHECK(l4r5.flash_bytes == 2 * 1024 * 1024);
  CHECK(l4r5.sram_bytes == 640 * 1024);
  CHECK(l4r5.code_placement == CodePlacement::kFlash);
  // Each board has its own calibrated file, fitted on that board and found
  // relative to the profile; it extends the shared analytic file, whose
  // sequences stay the fallback.
  for (const BoardProfile* board : {&f401, &f411, &l4r5}) {
    INFO(board->name);
    CHECK(board->coefficients.calibration.board == board->name);
    CHECK_FALSE(board->coefficients.calibration.empty());
    CHECK(board->sequences().mm_2x2_step.cycles > 0);
  }
  // The what-if profile is not calibrated: it runs on the analytic model.
  const BoardProfile single_bank = load_board_profile(testing::shipped_profile("nucleo_l4r5zi_single_bank"));
  CHECK(single_bank.coefficients.calibration.empty());
}

TEST_CASE("shipped coefficients resolve instruction mixes with the TRM timings", "[mcu][profile]") {
  const BoardProfile board = load_board_profile(testing::shipped_profile("nucleo_f401re"));
  const KernelSequences& seq = board.sequences();
  // Pins the first, uncalibrated coefficient set; a calibration that changes
  // these mixes updates the derivations here.
  // mm_2x2_step is {load 2, load_pipelined 4, alu 9, mac 8, branch_taken 1}:
  // 2x2 + 4x1 + 9x1 + 8x1 + 1x3 = 28 cycles for 16 MACs (1.75 cycles/MAC),
  // the 22-26 cycles of the published inner-step estimate plus loop control.
  CHECK(seq.mm_2x2_step.cycles == Approx(28.0));
  // function_call: 2 taken branches (3) + 1 ALU + 9 stores + 1 load (2) + 8
  // pipelined loads = 6 + 1 + 9 + 2 + 8 = 26.
  CHECK(seq.function_call.cycles == Approx(26.0));
  // An unpacked full pair per row: MOVW + MOVT = 2 cycles, 8 bytes.
  CHECK(seq.unpacked_constant_pair.cycles == Approx(2.0));
  CHECK(seq.unpacked_constant_pair.code_bytes == Approx(8.0));
}

TEST_CASE("a sequence's cycles are its mix times the class costs plus extra cycles", "[mcu][profile]") {
  nlohmann::json coefficients = testing::coefficient_json(
      {{"mm_2x2_step", {{"load", 2}, {"mac", 3}, {"extra_cycles", 0.5}, {"code_bytes", 12}}}});
  coefficients["instruction_cycles"]["load"]["cycles"] = 5;
  coefficients["instruction_cycles"]["mac"]["cycles"] = 7;
  const BoardProfile board = testing::make_board(coefficients);
  // 2 x 5 + 3 x 7 + 0.5 = 31.5
  CHECK(board.sequences().mm_2x2_step.cycles == Approx(31.5));
  CHECK(board.sequences().mm_2x2_step.code_bytes == Approx(12.0));
  CHECK(board.sequences().requant_output.cycles == Approx(0.0));
}

TEST_CASE("profile errors name the file and the key", "[mcu][profile]") {
  const nlohmann::json coefficients = testing::coefficient_json({});

  SECTION("missing file") {
    CHECK_THROWS_AS(load_board_profile("/nonexistent/board.json"), ProfileError);
    CHECK_THROWS_WITH(load_board_profile("/nonexistent/board.json"), Contains("/nonexistent/board.json"));
  }
  SECTION("not JSON") {
    const auto dir = testing::scratch_dir();
    testing::write_text(dir / "profile.json", "{ \"name\": ");
    CHECK_THROWS_WITH(load_board_profile((dir / "profile.json").string()),
                      Contains("profile.json") && Contains("not valid JSON"));
  }
  SECTION("a number beyond double (found by fuzz_board_profile: an uncaught JSON library exception)") {
    const auto dir = testing::scratch_dir();
    testing::write_text(dir / "profile.json", "{ \"clock_hz\": 111111E1111111555 }");
    CHECK_THROWS_WITH(load_board_profile((dir / "profile.json").string()),
                      Contains("profile.json") && Contains("not valid JSON") && Contains("number overflow"));
  }
  SECTION("unknown key") {
    CHECK_THROWS_WITH(testing::make_board(coefficients, {{"clock_mhz", 84}}),
                      Contains("profile.json") && Contains("'clock_mhz'") && Contains("unknown key"));
  }
  SECTION("wrong type") {
    CHECK_THROWS_WITH(testing::make_board(coefficients, {{"clock_hz", "84 MHz"}}),
                      Contains("profile.json") && Contains("'clock_hz'"));
    CHECK_THROWS_WITH(testing::make_board(coefficients, {{"prefetch", 1}}), Contains("'prefetch'"));
    CHECK_THROWS_WITH(testing::make_board(coefficients, {{"flash_wait_states", -1}}),
                      Contains("'flash_wait_states'"));
    CHECK_THROWS_WITH(testing::make_board(coefficients, {{"code_placement", "rom"}}),
                      Contains("'code_placement'") && Contains("rom"));
  }
  SECTION("missing key") {
    const auto dir = testing::scratch_dir();
    nlohmann::json profile = testing::profile_json();
    profile.erase("flash_fetch_bytes");
    testing::write_text(dir / "coefficients.json", coefficients.dump());
    testing::write_text(dir / "profile.json", profile.dump());
    CHECK_THROWS_WITH(load_board_profile((dir / "profile.json").string()),
                      Contains("'flash_fetch_bytes'") && Contains("missing"));
  }
  SECTION("missing coefficient file") {
    CHECK_THROWS_WITH(testing::make_board(coefficients, {{"coefficients", "nowhere.json"}}),
                      Contains("profile.json") && Contains("'coefficients'") && Contains("nowhere.json"));
  }
}

TEST_CASE("coefficient errors name the file and the dotted key", "[mcu][profile]") {
  SECTION("unknown sequence") {
    nlohmann::json coefficients = testing::coefficient_json({});
    coefficients["sequences"]["mm_3x3_step"] = {{"mac", 9}, {"source", "typo"}};
    CHECK_THROWS_WITH(testing::make_board(coefficients),
                      Contains("coefficients.json") && Contains("'sequences.mm_3x3_step'"));
  }
  SECTION("missing sequence") {
    nlohmann::json coefficients = testing::coefficient_json({});
    coefficients["sequences"].erase("requant_output");
    CHECK_THROWS_WITH(testing::make_board(coefficients),
                      Contains("'sequences.requant_output'") && Contains("missing"));
  }
  SECTION("unknown instruction class in a mix") {
    nlohmann::json coefficients = testing::coefficient_json({{"mm_2x2_step", {{"smlad", 8}}}});
    CHECK_THROWS_WITH(testing::make_board(coefficients), Contains("'sequences.mm_2x2_step.smlad'"));
  }
  SECTION("negative count") {
    nlohmann::json coefficients = testing::coefficient_json({{"mm_2x2_step", {{"mac", -1}}}});
    CHECK_THROWS_WITH(testing::make_board(coefficients), Contains("'sequences.mm_2x2_step.mac'"));
  }
  SECTION("missing source note") {
    nlohmann::json coefficients = testing::coefficient_json({});
    coefficients["instruction_cycles"]["load"].erase("source");
    CHECK_THROWS_WITH(testing::make_board(coefficients), Contains("'instruction_cycles.load.source'"));
  }
  SECTION("missing library kernel") {
    nlohmann::json coefficients = testing::coefficient_json({});
    coefficients["library_code_bytes"].erase("arm_softmax_s8");
    CHECK_THROWS_WITH(testing::make_board(coefficients), Contains("'library_code_bytes.arm_softmax_s8'"));
  }
}

TEST_CASE("the coefficient path is resolved relative to the profile", "[mcu][profile]") {
  const auto dir = testing::scratch_dir();
  testing::write_text(dir / "sets" / "m4.json", testing::coefficient_json({}).dump());
  const nlohmann::json profile = testing::profile_json({{"coefficients", "../sets/m4.json"}});
  testing::write_text(dir / "boards" / "b.json", profile.dump());
  const BoardProfile board = load_board_profile((dir / "boards" / "b.json").string());
  CHECK(board.coefficients.name == "test");
  CHECK_THAT(board.coefficients.file, Contains("m4.json"));
}

}  // namespace
}  // namespace tinyskip::mcu
