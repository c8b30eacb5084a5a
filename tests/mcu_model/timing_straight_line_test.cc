// The timing engine against hand-derived cycle counts of straight-line
// Thumb-2 blocks at zero wait states (the table and each derivation are in
// timing_straight_line_blocks.h).
#include <catch2/catch.hpp>

#include "timing_straight_line_blocks.h"
#include "timing_test_support.h"

namespace tinyskip::mcu::testing {
namespace {

TEST_CASE("timing: every straight-line block takes its hand-derived cycles", "[timing]") {
  const BoardProfile board = core_rules_board();
  for (const StraightLineBlock& block : straight_line_blocks()) {
    INFO(block.name);
    CHECK(cycles_from_start_to_end(straight_line_body(block), board) == static_cast<uint64_t>(block.cycles));
  }
}

// LLVM's assembler rejects this alias, so it is not in the shared table.
TEST_CASE("timing: the two-operand UDIV divides Rd by Rm", "[timing]") {
  const StraightLineBlock block{"two-operand UDIV", "  movs r2, #100\n  movs r3, #10\n",
                                "  udiv r2, r3\n",  // UDIV r2, r2, r3 = 100 / 10: 4 quotient bits, 2 + ceil(40 / 32)
                                4};
  CHECK(cycles_from_start_to_end(straight_line_body(block), core_rules_board()) == 4);
}

}  // namespace
}  // namespace tinyskip::mcu::testing
