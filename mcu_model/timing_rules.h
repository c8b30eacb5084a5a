// The Cortex-M4 core's per-instruction timing facts as data
// (configs/mcu/cortex_m4_timing.json): how many cycles each class of
// instruction takes at zero wait states, the pipeline-refill costs of taken
// branches and the divider's range, plus which instruction belongs to which
// class. The rules that combine them (pipelining, dependencies, branches) are
// code, in cortex_m4_timing.cc; flash effects come from the board profile
// (flash_interface.h).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace tinyskip::mcu {

// What the timing rules need to know about an instruction's kind.
enum class TimingClass : uint8_t {
  kSingle,               // one cycle: data processing, multiplies, DSP
  kIt,                   // IT
  kDivide,               // SDIV/UDIV: operand-dependent
  kLoad,                 // single-register load (pipelines)
  kStore,                // single-register store
  kLoadDouble,           // LDRD
  kStoreDouble,          // STRD
  kLoadMultiple,         // LDM, POP
  kStoreMultiple,        // STM, PUSH
  kBranch,               // B, BL, BX, BLX, CBZ, CBNZ
  kTableBranch,          // TBB, TBH
  kBarrier,              // DMB, DSB, ISB
  kFpuSingle,            // one-cycle FPU operations and moves
  kFpuMultiplyAccumulate,
  kFpuDivide,            // VDIV, VSQRT
  kFpuLoad,              // VLDR
  kFpuStore,             // VSTR
  kFpuLoadMultiple,      // VLDM, VPOP
  kFpuStoreMultiple,     // VSTM, VPUSH
};

struct TimingRules {
  // Zero-wait-state cycles (see the JSON file for the source of each).
  int single = 1, it = 1, skipped = 1;
  int load = 2, load_pipelined = 1;
  int store_immediate_offset = 1, store = 2;
  int load_store_double = 3, load_store_multiple_base = 1;
  int fpu_single = 1, fpu_move_pair = 2, fpu_multiply_accumulate = 3, fpu_divide = 14;
  int fpu_load_store_single = 2, fpu_load_store_double = 3, fpu_load_store_multiple_base = 1;
  int table_branch_extra = 1, barrier = 1;
  int address_dependency_stall = 1, unaligned_access_extra = 1;

  // P of "1 + P" for a taken branch.
  int refill_immediate_target = 1, refill_register_target = 2, refill_loaded_target = 3;
  int refill_unaligned_wide_target_extra = 1;

  int divide_min_cycles = 2, divide_max_cycles = 12;

  // Capstone instruction name (cs_insn_name) -> class.
  std::unordered_map<std::string, TimingClass> classes;
  std::string file;  // for messages

  // The cycles of a divide whose operands are `dividend` and `divisor`
  // (unsigned magnitudes), by the documented early-termination model.
  int divide_cycles(uint32_t dividend, uint32_t divisor) const;
};

// Strict reading (ProfileError naming the file and key, as for board
// profiles); every class must be listed and no instruction name may appear
// twice.
TimingRules load_timing_rules(const std::string& path);

}  // namespace tinyskip::mcu
