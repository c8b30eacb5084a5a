// The timing engine against hand-derived cycle counts where the flow of
// control decides the cost: taken and not-taken branches with their
// pipeline refill (1 + P: P = 1 for an immediate target, 2 from a register,
// 3 from memory, +1 when the target is a 32-bit instruction straddling a
// word), IT blocks with executed and skipped instructions, and the DWT cycle
// counter. Zero wait states throughout; each count is derived beside its
// code, instruction by instruction.
#include <catch2/catch.hpp>

#include <string>

#include "timing_test_support.h"

namespace tinyskip::mcu::testing {
namespace {

// `body`, with r0 = `buffer` (16-byte aligned SRAM) set first and a NOP
// before it, so nothing pipelines into the timed code; `buffer` starts with
// the address of `function` (Thumb bit set), for loads into the PC.
std::string with_buffer(const std::string& body) {
  return "  ldr r0, =buffer\n"
         "  nop\n" +
         body +
         "\n  b done\n"
         "  .ltorg\n"
         "  .balign 4\n"
         "  .type function, %function\n"
         "  .thumb_func\n"
         "function:\n"
         "  bx lr\n"  // 1 + P, P = 2: the target comes from a register
         "  .data\n"
         "  .balign 16\n"
         "buffer:\n"
         "  .word function\n"
         "  .space 12\n";
}

// Cycles from `start` to `to` of with_buffer(`body`) on the zero-wait-state board.
uint64_t cycles_on_core(const std::string& body, const std::string& to = "end") {
  return TimedRun(with_buffer(body), core_rules_board(), {"start", to}).cycles("start", to);
}

TEST_CASE("timing: taken branches cost 1 + P by how the target is obtained", "[timing]") {
  SECTION("B to a 16-bit target: P = 1") {
    CHECK(cycles_on_core("start:\n"
                         "  b.n target\n"  // 1 + 1
                         "  nop\n"         // jumped over
                         "  .balign 4\n"
                         "target:\n"
                         "end:\n"
                         "  nop\n") == 2);
  }
  SECTION("B.W to a word-aligned 32-bit target: P = 1") {
    CHECK(cycles_on_core("start:\n"
                         "  b.w target\n"  // 1 + 1
                         "  .balign 4\n"
                         "target:\n"
                         "end:\n"
                         "  add.w r1, r1, #1\n") == 2);
  }
  SECTION("B.W to a 32-bit target straddling a word: P = 1 + 1") {
    CHECK(cycles_on_core("start:\n"
                         "  b.w target\n"  // 1 + 1 + 1: the target's second halfword is in the next word
                         "  .balign 4\n"
                         "  nop.n\n"  // puts the target at a word + 2
                         "target:\n"
                         "end:\n"
                         "  add.w r1, r1, #1\n") == 3);
  }
  SECTION("B to a 16-bit target at a word + 2: no extra cycle") {
    CHECK(cycles_on_core("start:\n"
                         "  b.w target\n"  // 1 + 1: a 16-bit target needs one fetch
                         "  .balign 4\n"
                         "  nop.n\n"
                         "target:\n"
                         "end:\n"
                         "  nop.n\n") == 2);
  }
  SECTION("BL, then BX LR") {
    CHECK(cycles_on_core("start:\n"
                         "  bl function\n"  // 1 + 1, then function's BX LR: 1 + 2
                         "end:\n"
                         "  nop\n") == 5);
  }
  SECTION("BLX and MOV PC take their target from a register: P = 2") {
    CHECK(cycles_on_core("  ldr r4, =function\n"
                         "  adr r5, target\n"
                         "  nop\n"
                         "start:\n"
                         "  blx r4\n"      // 1 + 2, then function's BX LR: 1 + 2
                         "  mov pc, r5\n"  // 1 + 2 (a MOV to the PC ignores bit 0)
                         "  nop\n"
                         "  .balign 4\n"
                         "target:\n"
                         "end:\n"
                         "  nop\n") == 9);
  }
  SECTION("LDR PC loads its target: 2 + P, P = 3") {
    CHECK(cycles_on_core("  ldr lr, =returned\n"
                         "  nop\n"
                         "start:\n"
                         "  ldr pc, [r0]\n"  // 2 + 3 = 5, TRM: at least five cycles; lands in `function`
                         "  .type returned, %function\n"
                         "  .thumb_func\n"
                         "returned:\n",
                         "function") == 5);
  }
  SECTION("PUSH {LR} ... POP {PC}: 1 + N, + P = 3 for the loaded PC") {
    CHECK(cycles_on_core("start:\n"
                         "  bl pushes_and_pops\n"  // 1 + 1
                         "end:\n"
                         "  nop\n"
                         "  b done\n"
                         "  .balign 4\n"
                         "  .type pushes_and_pops, %function\n"
                         "  .thumb_func\n"
                         "pushes_and_pops:\n"
                         "  push {r4, lr}\n"  // 1 + 2
                         "  pop {r4, pc}\n")  // 1 + 2 + 3
          == 11);
  }
  SECTION("TBB: 2 for the load, 1 for the add, P = 3") {
    CHECK(cycles_on_core("  movs r1, #1\n"
                         "  nop\n"
                         "start:\n"
                         "  tbb [pc, r1]\n"  // 6, TRM: at least six cycles
                         "table:\n"
                         "  .byte (case0 - table) / 2, (case1 - table) / 2\n"
                         "  .balign 2\n"
                         "case0:\n"
                         "  nop\n"
                         "case1:\n"
                         "end:\n"
                         "  nop\n") == 6);
  }
}

TEST_CASE("timing: conditional branches cost 1 when not taken, 1 + P when taken", "[timing]") {
  // Z = 0 throughout: r1 = 0 is compared with 1.
  const std::string flags = "  movs r1, #0\n  cmp r1, #1\n  nop\n";
  const std::string target = "  b done\n  .balign 4\ntarget:\n  nop\n";
  SECTION("BEQ not taken") {
    CHECK(cycles_on_core(flags +
                         "start:\n"
                         "  beq target\n"  // 1
                         "end:\n"
                         "  nop\n" +
                         target) == 1);
  }
  SECTION("BNE taken") {
    CHECK(cycles_on_core(flags +
                         "start:\n"
                         "  bne target\n"  // 1 + 1
                         "  nop\n" +
                         target, "target") == 2);
  }
  SECTION("CBNZ not taken, CBZ taken") {
    CHECK(cycles_on_core(flags +
                         "start:\n"
                         "  cbnz r1, target\n"  // 1: r1 is zero
                         "  cbz r1, target\n"   // 1 + 1
                         "  nop\n" +
                         target, "target") == 3);
  }
}

TEST_CASE("timing: an IT block costs 1 plus its instructions, 1 for each one that fails its condition", "[timing]") {
  const std::string block =
      "start:\n"
      "  itte eq\n"
      "  addeq r2, r2, #1\n"
      "  ldreq r3, [r0]\n"
      "  addne r4, r4, #1\n"
      "end:\n"
      "  nop\n";
  SECTION("EQ holds: the ADDEQ and the LDREQ execute") {
    const TimedRun run(with_buffer("  cmp r0, r0\n  nop\n" + block), core_rules_board());
    CHECK(run.cycles() == 5);  // IT 1, ADDEQ 1, LDREQ 2, ADDNE skipped 1
    CHECK(run.timing().statistics().skipped_conditionals == 1);
  }
  SECTION("EQ fails: the LDREQ is skipped at the cost of one cycle, not two") {
    const TimedRun run(with_buffer("  cmp r0, #0\n  nop\n" + block), core_rules_board());
    CHECK(run.cycles() == 4);  // IT 1, ADDEQ skipped 1, LDREQ skipped 1, ADDNE 1
    CHECK(run.timing().statistics().skipped_conditionals == 2);
  }
  SECTION("a branch ending an IT block") {
    CHECK(cycles_on_core("  cmp r0, r0\n"
                         "  nop\n"
                         "start:\n"
                         "  it eq\n"      // 1
                         "  beq target\n"  // 1 + 1, taken
                         "  nop\n"
                         "  b done\n"
                         "  .balign 4\n"
                         "target:\n"
                         "  nop\n",
                         "target") == 3);
  }
  SECTION("a skipped branch ending an IT block") {
    CHECK(cycles_on_core("  cmp r0, #0\n"
                         "  nop\n"
                         "start:\n"
                         "  it eq\n"      // 1
                         "  beq target\n"  // 1, skipped: falls through
                         "end:\n"
                         "  nop\n"
                         "  b done\n"
                         "target:\n"
                         "  nop\n") == 2);
  }
}

TEST_CASE("timing: DWT_CYCCNT read twice measures the modelled cycles between the reads", "[timing]") {
  const TimedRun run("  ldr r0, =buffer\n"
                     "  ldr r4, =0xE0001004\n"
                     "  ldr r7, =cycles_between_reads\n"
                     "  nop\n"
                     "first_read:\n"
                     "  ldr r5, [r4]\n"        // 2  reads the counter as it starts
                     "  ldrd r1, r2, [r0]\n"   // 3
                     "  adds r1, r1, r2\n"     // 1
                     "second_read:\n"
                     "  ldr r6, [r4]\n"        // reads 2 + 3 + 1 = 6 more
                     "  subs r6, r6, r5\n"
                     "  str r6, [r7]\n"
                     "  b done\n"
                     "  .ltorg\n"
                     "  .data\n"
                     "  .balign 8\n"
                     "buffer:\n"
                     "  .word 1, 2\n"
                     "  .type cycles_between_reads, %object\n"
                     "  .size cycles_between_reads, 4\n"
                     "cycles_between_reads:\n"
                     "  .word 0\n",
                     core_rules_board(), {"first_read", "second_read"});
  CHECK(run.read_u32("cycles_between_reads") == 6);
  CHECK(run.cycles("first_read", "second_read") == 6);
}

}  // namespace
}  // namespace tinyskip::mcu::testing
