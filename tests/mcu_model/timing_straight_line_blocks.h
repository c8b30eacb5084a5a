// Straight-line Thumb-2 blocks with their zero-wait-state cycle counts,
// derived by hand instruction by instruction from the core's rules
// (cortex_m4_timing.h, configs/mcu/cortex_m4_timing.json). One table, read by
// the engine's tests (timing_straight_line_test.cc) and by the comparison
// with LLVM's Cortex-M4 model (timing_llvm_mca_test.cc).
//
// Every block runs after the same set-up: r0 = `buffer` (16-byte aligned in
// SRAM, its first two words hold its own address, so a loaded word can be an
// address), r1..r7 = 1..7, then the block's own set-up, then a NOP, so that
// nothing before the block pipelines into it or feeds its first address.
// "TRM" is the Cortex-M4 Technical Reference Manual: Table 3-1 (instruction
// set summary), its load/store timing notes and its FPU instruction table.
#pragma once

#include <string>
#include <vector>

namespace tinyskip::mcu::testing {

struct StraightLineBlock {
  const char* name;
  const char* setup;  // untimed, after the common set-up (operand values)
  const char* code;   // the timed block: no flow change
  int cycles;         // derived by hand, zero wait states
};

// The block as a whole program body: set-ups, then `start:` block `end:`.
inline std::string straight_line_body(const StraightLineBlock& block) {
  return std::string("  ldr r0, =buffer\n") +
         "  movs r1, #1\n  movs r2, #2\n  movs r3, #3\n  movs r4, #4\n  movs r5, #5\n  movs r6, #6\n  movs r7, #7\n" +
         block.setup +
         "  nop\n"
         "start:\n" +
         block.code +
         "end:\n"
         "  nop\n"
         "  b done\n"
         "  .ltorg\n"
         "  .data\n"
         "  .balign 16\n"
         "buffer:\n"
         "  .word buffer, buffer\n"
         "  .space 56\n";
}

inline const std::vector<StraightLineBlock>& straight_line_blocks() {
  static const std::vector<StraightLineBlock> blocks = {
      // --- one cycle: data processing, multiplies, DSP (TRM Table 3-1) ---
      {"ALU and 32/64-bit multiplies", "",
       "  add.w r1, r2, r3\n"       // 1
       "  eor r1, r1, r2\n"         // 1
       "  mul r4, r2, r3\n"         // 1
       "  mla r5, r2, r3, r4\n"     // 1  reads the MUL result: results forward, only addresses stall
       "  mls r6, r2, r3, r5\n"     // 1
       "  smull r6, r7, r2, r3\n"   // 1
       "  umlal r6, r7, r2, r3\n",  // 1
       7},
      {"DSP and SIMD", "",
       "  smlad r1, r2, r3, r1\n"       // 1
       "  smladx r1, r2, r3, r1\n"      // 1
       "  smlabb r4, r2, r3, r4\n"      // 1
       "  smulbb r5, r2, r3\n"          // 1
       "  sxtb16 r6, r2\n"              // 1
       "  sxtab16 r6, r6, r3\n"         // 1
       "  pkhbt r7, r2, r3, lsl #16\n"  // 1
       "  qadd r1, r2, r3\n"            // 1
       "  ssat r4, #8, r2\n"            // 1
       "  uxtb16 r5, r3\n"              // 1
       "  sadd16 r6, r2, r3\n"          // 1
       "  usat r7, #8, r3\n",           // 1
       12},
      {"MOVW and MOVT", "",
       "  movw r1, #0x5678\n"   // 1
       "  movt r1, #0x1234\n",  // 1
       2},

      // --- single loads and stores (TRM load/store timings) ---
      {"single LDR", "",
       "  ldr r1, [r0]\n",  // 2
       2},
      {"LDR; LDR pipeline", "",
       "  ldr r1, [r0]\n"       // 2
       "  ldr r2, [r0, #4]\n",  // 1  pipelined: r1 does not form its address
       3},                      // TRM: LDR R0,[R1]; LDR R1,[R2] normally three cycles
      {"three LDRs pipeline", "",
       "  ldr r1, [r0, r4]\n"   // 2
       "  ldr r2, [r0]\n"       // 1  pipelined
       "  ldr r3, [r0, #8]\n",  // 1  pipelined
       4},                      // TRM: LDR R0,[R1,R5]; LDR R1,[R2]; LDR R2,[R3,#4] normally four
      {"LDR; STR of the loaded value", "",
       "  ldr r1, [r0, r4]\n"    // 2
       "  str r1, [r0, #20]\n",  // 1  immediate offset: always one
       3},                       // TRM: LDR R0,[R1,R2]; STR R0,[R3,#20] normally three
      {"LDR; STR register offset", "",
       "  ldr r1, [r0, r4]\n"   // 2
       "  str r2, [r0, r4]\n",  // 1  register offset, pipelined behind the load
       3},                      // TRM: LDR R0,[R1,R2]; STR R1,[R3,R2] normally three
      {"load addressed by the previous load's result", "",
       "  ldr r1, [r0]\n"   // 2  r1 = buffer
       "  ldr r2, [r1]\n",  // 2  not pipelined: r1 forms its address
       4},
      {"load addressed by the preceding ALU result", "",
       "  adds r1, r0, #8\n"  // 1
       "  ldr r2, [r1]\n",    // 2 + 1  no forwarding path from the ALU to the address
       4},
      {"load indexed by the preceding multiply", "",
       "  mul r1, r2, r2\n"     // 1  r1 = 4
       "  ldr r3, [r0, r1]\n",  // 2 + 1  the index register counts as address
       4},
      {"ALU result two instructions before the address", "",
       "  adds r1, r0, #8\n"    // 1
       "  adds r2, r2, #1\n"    // 1  the preceding result is r2, not r1
       "  ldr r3, [r1]\n",      // 2
       4},
      {"ALU result stored, not used as address", "",
       "  adds r1, r2, #1\n"  // 1
       "  str r1, [r0]\n",    // 1  the data register does not stall
       2},
      {"STR immediate offset", "",
       "  str r1, [r0, #4]\n"   // 1
       "  str r2, [r0, #8]\n",  // 1  TRM: STR Rx,[Ry,#imm] is always one cycle
       2},
      {"STR register offset", "",
       "  str r1, [r0, r4]\n",  // 2  not behind a load
       2},
      {"nothing pipelines after STR", "",
       "  str r1, [r0, r4]\n"  // 2
       "  ldr r2, [r0]\n"      // 2  TRM: nothing can be pipelined after the store
       "  str r3, [r0, #4]\n"  // 1
       "  ldr r4, [r0]\n",     // 2
       7},
      {"post-indexed loads do not pipeline", "",
       "  ldr r1, [r0], #4\n"   // 2  writeback
       "  ldr r2, [r0], #4\n",  // 2  a writeback load is not pipelined, nor pipelines the next
       4},
      {"load behind a pre-indexed load", "",
       "  ldr r1, [r0, #4]!\n"  // 2  writeback
       "  ldr r2, [r0]\n",      // 2  not pipelined behind the writeback load; r0 is no ALU result
       4},
      {"pre-indexed load behind a load", "",
       "  ldr r1, [r0]\n"        // 2
       "  ldr r2, [r0, #4]!\n",  // 2  writeback loads are never pipelined
       4},
      {"STR with writeback", "",
       "  str r1, [r0], #4\n"    // 2  writeback: not the one-cycle immediate-offset form
       "  ldr r2, [r0]\n"        // 2  nothing pipelines after a store; a writeback is no ALU result
       "  str r2, [r0, #4]!\n",  // 1  writeback store pipelined behind the load
       5},
      {"LDRD and STRD", "",
       "  ldrd r1, r2, [r0]\n"       // 3  1 + N, N = 2
       "  strd r1, r2, [r0, #8]\n",  // 3
       6},
      {"LDRD does not pipeline behind LDR", "",
       "  ldr r3, [r0, #16]\n"    // 2
       "  ldrd r1, r2, [r0]\n"    // 3  not pipelined with neighbours
       "  ldr r4, [r0, #20]\n",   // 2  nor the load after it
       7},

      // --- multiple loads and stores: 1 + N (TRM Table 3-1) ---
      {"LDM and STM", "",
       "  ldm r0, {r1, r2, r3, r4}\n"  // 5
       "  stm r0, {r1, r2, r3}\n",     // 4
       9},
      {"PUSH and POP", "",
       "  push {r4, r5, r6, r7}\n"  // 5
       "  pop {r4, r5, r6, r7}\n"   // 5
       "  push {r4, lr}\n"          // 3
       "  pop {r4, r5}\n",          // 3
       16},
      {"LDM does not pipeline behind LDR", "",
       "  ldr r5, [r0, #16]\n"   // 2
       "  ldm r0, {r1, r2}\n",   // 3
       5},

      // --- unaligned accesses: +1 ---
      {"unaligned LDR", "",
       "  ldr r1, [r0, #2]\n",  // 2 + 1  halfword-aligned word
       3},
      {"unaligned LDRH", "",
       "  ldrh r1, [r0, #1]\n",  // 2 + 1  byte-aligned halfword
       3},
      {"unaligned STR", "",
       "  str r1, [r0, #6]\n",  // 1 + 1
       2},
      {"literal load", "",
       "  ldr r1, =0x12345678\n",  // 2  the literal is in flash, zero wait states
       2},

      // --- divides: 2 + ceil(10 x quotient bits / 32), 2 when |dividend| < |divisor| or the divisor is 0 ---
      {"UDIV, dividend below divisor", "  movs r2, #7\n  movs r3, #9\n",
       "  udiv r1, r2, r3\n",  // 2  no quotient bit
       2},
      {"UDIV 100 / 10", "  movs r2, #100\n  movs r3, #10\n",
       "  udiv r1, r2, r3\n",  // quotient bits 7 - 4 + 1 = 4: 2 + ceil(40 / 32) = 4
       4},
      {"UDIV 0xFFFFFFFF / 1", "  mov r2, #0xFFFFFFFF\n  movs r3, #1\n",
       "  udiv r1, r2, r3\n",  // quotient bits 32 - 1 + 1 = 32: 2 + ceil(320 / 32) = 12, the maximum
       12},
      {"SDIV -1000 / 3", "  ldr r2, =-1000\n  movs r3, #3\n",
       "  sdiv r1, r2, r3\n",  // magnitudes 1000 (10 bits), 3 (2 bits): 9 quotient bits, 2 + ceil(90 / 32) = 5
       5},
      {"SDIV by zero", "  movs r2, #100\n  movs r3, #0\n",
       "  sdiv r1, r2, r3\n",  // 2  (the result is 0; DIV_0_TRP is off)
       2},

      // --- FPU (TRM FPU table) ---
      {"VADD, VMUL, VSUB, VNEG", "",
       "  vadd.f32 s0, s1, s2\n"  // 1
       "  vmul.f32 s3, s4, s5\n"  // 1
       "  vsub.f32 s6, s7, s8\n"  // 1
       "  vneg.f32 s9, s10\n",    // 1
       4},
      {"VMLA and VFMA", "",
       "  vmla.f32 s0, s1, s2\n"   // 3
       "  vfma.f32 s3, s4, s5\n",  // 3
       6},
      {"VDIV", "",
       "  vdiv.f32 s0, s1, s2\n",  // 14
       14},
      {"VSQRT", "",
       "  vsqrt.f32 s0, s1\n",  // 14
       14},
      {"VLDR and VSTR", "",
       "  vldr s0, [r0]\n"        // 2  one single register
       "  vstr s1, [r0, #8]\n"    // 2
       "  vldr d1, [r0, #8]\n",   // 3  a double (two registers)
       7},
      {"VPUSH and VPOP", "",
       "  vpush {s16, s17, s18, s19}\n"  // 1 + 4
       "  vpop {s16, s17, s18, s19}\n"   // 1 + 4
       "  vpush {d8, d9, d10}\n"         // 1 + 6 (N counts single registers)
       "  vpop {d8, d9, d10}\n",         // 1 + 6
       24},
      {"VMOV core and FPU registers", "",
       "  vmov s0, r1\n"          // 1
       "  vmov r2, s0\n"          // 1
       "  vmov s2, s3, r1, r2\n"  // 2  two core registers
       "  vmov d2, r1, r2\n",     // 2
       6},

      // --- barriers ---
      {"DMB, DSB, ISB", "",
       "  dmb\n"   // 1  nothing outstanding
       "  dsb\n"   // 1
       "  isb\n",  // 1 + P, P = 1 (refill)
       4},
  };
  return blocks;
}

}  // namespace tinyskip::mcu::testing
