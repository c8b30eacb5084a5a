// The generated bare-metal check program, built with its Makefile around a
// stub model, runs in the Cortex-M4 emulator (mcu_model/arm_emulator.h) from
// the reset vector to tinyskip_done: it must report a match for the right
// expected output, a mismatch when one byte of it is wrong and an invoke
// error when the model returns non-zero -- start-up code, vector table, .data
// copy, .bss zeroing, FPU enable and the bytewise comparison all working on
// the target instruction set.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>

#include "mcu_model/arm_emulator.h"
#include "tests/engine/bare_metal_test_support.h"
#include "tests/test_files.h"

namespace tinyskip {
namespace {

constexpr uint64_t kInstructionLimit = 1'000'000;

struct Outcome {
  mcu::EmulatorRun run;
  int32_t result = -1;
  uint32_t cycles = 0;
};

Outcome build_and_run(const engine::BareMetalSpec& spec, const std::map<std::string, std::string>& stub) {
  test::TempDir dir;
  mcu::ArmEmulator emulator(mcu::read_elf32_arm(test::build_project(dir.path(), spec, stub)));
  Outcome outcome;
  outcome.run = emulator.run_from_reset("tinyskip_done", kInstructionLimit);
  outcome.result = emulator.read_i32("tinyskip_result");
  outcome.cycles = emulator.read_u32("tinyskip_cycles");
  return outcome;
}

TEST_CASE("codegen bare metal emulator: the int8 check program reports a match", "[codegen]") {
  const Outcome outcome = build_and_run(test::int8_stub_spec(), test::int8_stub());
  CHECK(outcome.run.reached_stop);
  CHECK(outcome.result == 0);
  // DWT_CYCCNT counts emulated instructions: the 12-iteration stub loop takes
  // some, and fewer than the whole program.
  CHECK(outcome.cycles >= 12);
  CHECK(outcome.cycles < outcome.run.instructions);
}

TEST_CASE("codegen bare metal emulator: a wrong expected byte is reported as a mismatch", "[codegen]") {
  engine::BareMetalSpec spec = test::int8_stub_spec();
  spec.expected_output_bytes.back() ^= 0x01;
  const Outcome outcome = build_and_run(spec, test::int8_stub());
  CHECK(outcome.run.reached_stop);
  CHECK(outcome.result == 1);
}

TEST_CASE("codegen bare metal emulator: a failing invoke is reported as an invoke error", "[codegen]") {
  const Outcome outcome = build_and_run(test::int8_stub_spec(), test::int8_stub(3));
  CHECK(outcome.run.reached_stop);
  CHECK(outcome.result == 2);
}

TEST_CASE("codegen bare metal emulator: float data compare bit for bit", "[codegen]") {
  engine::BareMetalSpec spec;
  spec.model_name = "fstub";
  spec.input_c_type = spec.output_c_type = "float";
  spec.input_bytes = test::float_bytes({1.5f, -0.0f, -3.25f});
  spec.board_name = "nucleo_f401re";

  SECTION("the exact products match") {
    spec.expected_output_bytes = test::float_bytes({3.0f, -0.0f, -6.5f});
    const Outcome outcome = build_and_run(spec, test::float_stub());
    CHECK(outcome.run.reached_stop);
    CHECK(outcome.result == 0);
  }
  SECTION("+0 where the program computes -0 is a mismatch, though the floats compare equal") {
    spec.expected_output_bytes = test::float_bytes({3.0f, 0.0f, -6.5f});
    const Outcome outcome = build_and_run(spec, test::float_stub());
    CHECK(outcome.run.reached_stop);
    CHECK(outcome.result == 1);
  }
}

TEST_CASE("codegen bare metal emulator: the instruction limit ends a run before the stop symbol", "[codegen]") {
  test::TempDir dir;
  mcu::ArmEmulator emulator(
      mcu::read_elf32_arm(test::build_project(dir.path(), test::int8_stub_spec(), test::int8_stub())));
  const mcu::EmulatorRun run = emulator.run_from_reset("tinyskip_done", 20);
  CHECK_FALSE(run.reached_stop);
  CHECK(run.instructions == 20);
  CHECK(run.pc != emulator.image().symbol("tinyskip_done").address);
  CHECK_THROWS_WITH(emulator.run_from_reset("no_such_function", 20), Catch::Contains("no symbol 'no_such_function'"));
  CHECK_THROWS_WITH(emulator.run_from_reset("tinyskip_result", 20), Catch::Contains("is not a function"));
}

}  // namespace
}  // namespace tinyskip
