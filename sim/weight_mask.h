// A design point, as the simulator and the cycle model see it: for some
// layers, which weights are skipped. Skipping a weight means the kernel treats
// it as zero (the bias is unchanged), which is exactly what an unpacked kernel
// does when it emits no instruction for that product. The model itself is
// never copied or modified.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace tinyskip::sim {

struct WeightMask {
  // One entry per filter weight, in the filter tensor's stored layout
  // (OHWI for CONV_2D: out channel, ky, kx, in channel; [out][in] for
  // FULLY_CONNECTED; 1HWC for DEPTHWISE_CONV_2D). Non-zero = skipped.
  std::vector<uint8_t> skip;

  int64_t skipped_count() const {
    int64_t n = 0;
    for (uint8_t s : skip) n += s != 0;
    return n;
  }
};

// Keyed by the op's index in Graph::ops. Layers absent from the map are exact.
using MaskSet = std::map<int, WeightMask>;

}  // namespace tinyskip::sim
