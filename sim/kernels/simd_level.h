// Which instruction-set flavour the fast int8 kernels use. The level is
// chosen once per process from the CPU (highest supported) and can be capped
// with the environment variable TINYSKIP_SIMD=portable|avx2|avx512; tests pick
// levels explicitly to check that every path gives identical results.
#pragma once

#include <vector>

namespace tinyskip::sim {

enum class SimdLevel {
  kPortable,    // plain C++, any CPU
  kAvx2,        // AVX2 (16-bit multiply-add, no VNNI needed)
  kAvx512Vnni,  // AVX-512 F/BW/VL + VNNI (vpdpbusd on 512-bit registers)
};

const char* simd_level_name(SimdLevel level);

// True when this CPU can execute code of the given level.
bool simd_level_supported(SimdLevel level);

// The best supported level, capped by TINYSKIP_SIMD when set. Throws
// KernelError for an unknown TINYSKIP_SIMD value. Computed once.
SimdLevel active_simd_level();

// Every level this CPU supports, lowest first (tests iterate over it).
std::vector<SimdLevel> supported_simd_levels();

}  // namespace tinyskip::sim
