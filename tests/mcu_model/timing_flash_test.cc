// The flash interface (flash_interface.h) under the timing engine, against
// hand-derived counts: sequential code at 2, 3 and 5 wait states with and
// without prefetch, loops that fit the I-cache and loops that do not, literal
// loads hitting and missing the D-cache, and D-Code priority delaying an
// instruction prefetch.
//
// The rules the derivations use: flash is read in fetch units (16 bytes on
// the F4 profiles); an access takes WS + 1 cycles, so a fetch that misses
// stalls the core WS cycles; with prefetch, the unit after the one just
// delivered is read in the background and is ready WS + 1 cycles after that
// delivery; a unit read on a miss enters the LRU I-cache, a prefetched one
// does not; a D-cache miss stalls WS and delays a prefetch in flight by the
// line's flash time. A mark's cycle excludes its own instruction's fetch, so
// "from `start` to `end`" counts the stall of `start`'s unit, not `end`'s.
#include <catch2/catch.hpp>

#include <string>

#include "timing_test_support.h"

namespace tinyskip::mcu::testing {
namespace {

// A branch to the 64-byte-aligned `start` leaves the prefetcher holding the
// unit after the branch, not `start`'s, so `start`'s unit misses.
const char* kBranchToColdStart =
    "  b start\n"
    "  .balign 64\n";

// `count` copies of `instruction`, back to back.
std::string repeated(int count, const std::string& instruction) {
  return "  .rept " + std::to_string(count) + "\n  " + instruction + "\n  .endr\n";
}

// 32 one-cycle 32-bit instructions: 8 units of 16 bytes, 4 cycles each
// (16 units of 8 bytes, 2 cycles each, on the L4R5).
const std::string kStraightLine = std::string(kBranchToColdStart) +
                                  "start:\n" + repeated(32, "add.w r1, r1, #1") +
                                  "end:\n"
                                  "  nop\n";

uint64_t straight_line_cycles(const BoardProfile& board) { return cycles_from_start_to_end(kStraightLine, board); }

BoardProfile shipped_board(const std::string& name) { return load_board_profile(shipped_profile(name)); }

TEST_CASE("timing flash: sequential code with prefetch stalls only where WS + 1 exceeds a unit's execution", "[timing][flash]") {
  // With prefetch: `start`'s unit misses (WS); every later unit was read in
  // the background from the delivery of the one before, so it stalls
  // max(0, WS + 1 - k) for k cycles of execution per unit:
  // total = WS + 32 + (units - 1) x max(0, WS + 1 - k).
  SECTION("F401, 2 WS, 16-byte units: 2 + 32 + 7 x max(0, 3 - 4)") {
    CHECK(straight_line_cycles(shipped_board("nucleo_f401re")) == 34);
  }
  SECTION("F411, 3 WS: 3 + 32 + 7 x max(0, 4 - 4)") {
    CHECK(straight_line_cycles(shipped_board("nucleo_f411re")) == 35);
  }
  SECTION("L4R5, 5 WS, 8-byte units (dual bank): 5 + 32 + 15 x max(0, 6 - 2)") {
    CHECK(straight_line_cycles(shipped_board("nucleo_l4r5zi")) == 97);
  }
  SECTION("L4R5 single bank, 5 WS, 16-byte units: 5 + 32 + 7 x max(0, 6 - 4)") {
    CHECK(straight_line_cycles(shipped_board("nucleo_l4r5zi_single_bank")) == 51);
  }
  SECTION("5 WS with 16-bit code: 4 units of 8 one-cycle instructions, 5 + 32 + 3 x max(0, 6 - 8)") {
    const std::string narrow = std::string(kBranchToColdStart) + "start:\n" + repeated(32, "adds.n r1, r1, #1") +
                               "end:\n  nop\n";
    CHECK(cycles_from_start_to_end(narrow, flash_board(5, true)) == 37);
  }
}

TEST_CASE("timing flash: sequential code without prefetch stalls WS at every unit", "[timing][flash]") {
  // Every unit misses: units x (WS + k).
  CHECK(straight_line_cycles(flash_board(2, false)) == 8 * (2 + 4));
  CHECK(straight_line_cycles(flash_board(3, false)) == 8 * (3 + 4));
  CHECK(straight_line_cycles(flash_board(5, false)) == 8 * (5 + 4));
  CHECK(straight_line_cycles(flash_board(5, false, {{"flash_fetch_bytes", 8}})) == 16 * (5 + 2));
}

TEST_CASE("timing flash: code in SRAM, or a profile placing it there, fetches without stalls", "[timing][flash]") {
  SECTION("code_placement \"sram\" at 5 WS") {
    CHECK(straight_line_cycles(make_board(coefficient_json({}), {{"flash_wait_states", 5}, {"code_placement", "sram"}})) ==
          32);
  }
  SECTION("code_placement \"sram\" removes fetch stalls only: data at flash addresses still pays") {
    // The literal pool stays where the program was linked, in flash.
    CHECK(cycles_from_start_to_end(std::string(kBranchToColdStart) +
                                       "start:\n"
                                       "  ldr.w r1, literal\n"  // 2 + 5, the D-cache misses
                                       "end:\n"
                                       "  nop\n"
                                       "  b done\n"
                                       "  .balign 16\n"
                                       "literal: .word 1\n",
                                   make_board(coefficient_json({}), {{"flash_wait_states", 5}, {"code_placement", "sram"}})) ==
          7);
  }
  SECTION("code linked into SRAM on a 5 WS flash board") {
    const std::string in_sram =
        "  ldr r2, =in_sram\n"
        "  bx r2\n"
        "  .ltorg\n"
        "  .section .ram_code, \"ax\"\n"
        "  .type in_sram, %function\n"
        "  .thumb_func\n"
        "in_sram:\n"
        "start:\n" +
        repeated(32, "add.w r1, r1, #1") +
        "end:\n"
        "  ldr r2, =done\n"
        "  bx r2\n"
        "  .ltorg\n";
    CHECK(cycles_from_start_to_end(in_sram, flash_board(5, true)) == 32);
  }
  SECTION("a 32-bit instruction straddling two units waits for both (2 WS, no prefetch)") {
    CHECK(cycles_from_start_to_end(std::string(kBranchToColdStart) +
                                       "start:\n" +          // unit 0 misses: 2
                                       repeated(7, "nop.n") +  // 7
                                       "  add.w r1, r1, #1\n"  // unit 1 misses: 2, then 1
                                       "end:\n"
                                       "  nop\n",
                                   flash_board(2, false)) == 12);
  }
}

// A loop of `units` 16-byte fetch units, run five times: `adds` one-cycle
// ADD.Ws, then SUBS.W and BNE.W (4 bytes each). One pass executes
// adds + 1 + 1 + P (1, the taken BNE.W to the word-aligned 32-bit head).
std::string loop_of_units(int units) {
  return "  movs r1, #5\n"
         "  b loop\n"
         "  .balign 64\n"
         "loop:\n" +
         repeated(units * 4 - 2, "add.w r2, r2, #1") +
         "  subs.w r1, r1, #1\n"
         "  bne.w loop\n";
}

// Cycles of each pass after the first (the first fills the caches).
std::vector<uint64_t> steady_passes(const std::string& body, const BoardProfile& board) {
  const TimedRun run(body, board, {"loop"});
  std::vector<uint64_t> passes;
  for (size_t pass = 1; pass + 1 < run.arrivals("loop").size(); ++pass) passes.push_back(run.cycles("loop", "loop", pass));
  return passes;
}

TEST_CASE("timing flash: a loop that fits the I-cache runs at zero wait states, one that does not pays for flash", "[timing][flash]") {
  // F401 geometry: 64 I-cache entries of one 16-byte unit. 64 units fit, 65
  // do not: LRU evicts each unit just before the next pass needs it.
  SECTION("no prefetch, 2 WS") {
    // Every unit hits: 254 + 3 executed.
    CHECK(steady_passes(loop_of_units(64), flash_board(2, false)) == std::vector<uint64_t>(3, 257));
    // 258 + 3 executed, and all 65 units miss: 65 x 2.
    CHECK(steady_passes(loop_of_units(65), flash_board(2, false)) == std::vector<uint64_t>(3, 261 + 65 * 2));
  }
  SECTION("prefetch, 5 WS: only missed units enter the I-cache, so the prefetcher streams either loop") {
    // Units found in the prefetch buffer are not copied into the I-cache
    // (RM0090 3.5.2): only the loop head, a branch target that missed once,
    // hits. Units 1.. come from the prefetcher, which needs WS + 1 = 6
    // cycles per unit against 4 of execution: 2 each.
    CHECK(steady_passes(loop_of_units(64), flash_board(5, true)) == std::vector<uint64_t>(3, 257 + 63 * 2));
    CHECK(steady_passes(loop_of_units(65), flash_board(5, true)) == std::vector<uint64_t>(3, 261 + 64 * 2));
  }
  SECTION("prefetch, 2 WS: the prefetcher keeps up, no stall at all") {
    CHECK(steady_passes(loop_of_units(65), flash_board(2, true)) == std::vector<uint64_t>(3, 261));
  }
}

TEST_CASE("timing flash: literal loads hit and miss the D-cache", "[timing][flash]") {
  // 2 WS, no prefetch, 16-byte D-cache lines.
  SECTION("a second literal in the same line hits") {
    CHECK(cycles_from_start_to_end(std::string(kBranchToColdStart) +
                                       "start:\n"                   // unit 0 misses: 2
                                       "  ldr.w r1, literal_a\n"    // 2 + 2, line A misses
                                       "  ldr.w r2, literal_b\n"    // 1 pipelined, line A hits
                                       "  ldr.w r3, literal_c\n"    // 1 pipelined + 2, line C misses
                                       "  nop.w\n"                  // 1
                                       "end:\n"
                                       "  nop\n"
                                       "  b done\n"
                                       "  .balign 16\n"
                                       "literal_a: .word 1\n"
                                       "literal_b: .word 2\n"
                                       "  .balign 16\n"
                                       "literal_c: .word 3\n",
                                   flash_board(2, false)) == 11);
  }
  SECTION("eight lines stay, a ninth evicts the least recently used") {
    CHECK(cycles_from_start_to_end(std::string(kBranchToColdStart) +
                                       "start:\n"               // unit 0 misses: 2
                                       "  ldr.w r1, line1\n"    // 2 + 2, miss
                                       "  ldr.w r1, line2\n"    // 1 pipelined (r1 is no address) + 2, miss
                                       "  ldr.w r1, line3\n"    // 1 + 2
                                       "  ldr.w r1, line4\n"    // 1 + 2
                                       "  ldr.w r1, line5\n"    // unit 1 misses: 2; 1 + 2
                                       "  ldr.w r1, line6\n"    // 1 + 2
                                       "  ldr.w r1, line7\n"    // 1 + 2
                                       "  ldr.w r1, line8\n"    // 1 + 2: all eight lines in use
                                       "  ldr.w r1, line9\n"    // unit 2 misses: 2; 1 + 2, evicts line 1
                                       "  ldr.w r1, line1\n"    // 1 + 2: line 1 misses again
                                       "  ldr.w r1, line9\n"    // 1: line 9 hits
                                       "  nop.w\n"              // 1
                                       "end:\n"
                                       "  nop\n"
                                       "  b done\n"
                                       "  .balign 16\n"
                                       "line1: .word 1\n  .balign 16\nline2: .word 2\n  .balign 16\nline3: .word 3\n"
                                       "  .balign 16\nline4: .word 4\n  .balign 16\nline5: .word 5\n  .balign 16\n"
                                       "line6: .word 6\n  .balign 16\nline7: .word 7\n  .balign 16\nline8: .word 8\n"
                                       "  .balign 16\nline9: .word 9\n",
                                   flash_board(2, false)) == 3 * 2 + (2 + 10) + 10 * 2 + 1);
  }
}

TEST_CASE("timing flash: a D-cache miss delays the instruction prefetch in flight (D-Code priority)", "[timing][flash]") {
  // 5 WS, prefetch, 16-byte units; cycles counted from `start`.
  const auto block = [](const std::string& load) {
    return std::string(kBranchToColdStart) +
           "start:\n"        // unit 0 misses: 5; the prefetch of unit 1 will be ready at 5 + 6 = 11
           "  " + load + "\n"  // 5: 2, + 5 for a D-cache miss
           "  nop.w\n"
           "  nop.w\n"
           "  nop.w\n"
           "  nop.w\n"        // unit 1, needed after the three NOPs
           "end:\n"
           "  nop\n"
           "  b done\n"
           "  .balign 16\n"
           "literal: .word 1\n";
  };
  SECTION("the literal misses: the prefetch waits for the line, 11 + 6 = 17") {
    // 5 + (2 + 5) + 3 = 15; unit 1 ready at 17: stall 2; NOP.W 1
    CHECK(cycles_from_start_to_end(block("ldr.w r1, literal"), flash_board(5, true)) == 18);
  }
  SECTION("the same load from SRAM leaves the prefetch alone") {
    // r0 = SRAM, set long before: 5 + 2 + 3 = 10; unit 1 ready at 11: stall 1; NOP.W 1
    CHECK(cycles_from_start_to_end("  mov r0, #0x20000000\n" + block("ldr.w r1, [r0]"), flash_board(5, true)) == 12);
  }
}

}  // namespace
}  // namespace tinyskip::mcu::testing
