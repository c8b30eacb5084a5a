#include "sim/kernels/simd_level.h"

#include <cstdlib>
#include <string>

#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kPortable:
      return "portable";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kAvx512Vnni:
      return "avx512";
  }
  return "unknown";
}

bool simd_level_supported(SimdLevel level) {
  switch (level) {
    case SimdLevel::kPortable:
      return true;
    case SimdLevel::kAvx2:
#if defined(__x86_64__) || defined(__i386__)
      return __builtin_cpu_supports("avx2");
#else
      return false;
#endif
    case SimdLevel::kAvx512Vnni:
#if defined(__x86_64__) || defined(__i386__)
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#else
      return false;
#endif
  }
  return false;
}

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel level : {SimdLevel::kPortable, SimdLevel::kAvx2, SimdLevel::kAvx512Vnni}) {
    if (simd_level_supported(level)) levels.push_back(level);
  }
  return levels;
}

namespace {

SimdLevel detect_simd_level() {
  SimdLevel cap = SimdLevel::kAvx512Vnni;
  if (const char* env = std::getenv("TINYSKIP_SIMD"); env != nullptr && *env != '\0') {
    const std::string wanted = env;
    if (wanted == "portable") {
      cap = SimdLevel::kPortable;
    } else if (wanted == "avx2") {
      cap = SimdLevel::kAvx2;
    } else if (wanted != "avx512") {
      throw KernelError("TINYSKIP_SIMD=" + wanted + " is not one of portable, avx2, avx512");
    }
  }
  SimdLevel best = SimdLevel::kPortable;
  for (SimdLevel level : supported_simd_levels()) {
    if (level <= cap) best = level;
  }
  return best;
}

}  // namespace

SimdLevel active_simd_level() {
  static const SimdLevel level = detect_simd_level();
  return level;
}

}  // namespace tinyskip::sim
