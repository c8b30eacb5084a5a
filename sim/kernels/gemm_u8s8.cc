#include "sim/kernels/gemm_u8s8.h"

#include <algorithm>
#include <string>

#include "sim/kernels/fixed_point.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

namespace {

// Wrapping int32 arithmetic (the accumulator is exact modulo 2^32).
int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
int32_t wrapping_mul(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}

// Byte offset of weight (channel, k) inside the packed panels.
size_t packed_offset(const PackedFilter& packed, int channel, int k) {
  const int block = channel / kGemmBlockChannels;
  const int lane = channel % kGemmBlockChannels;
  const int group = k / kGemmDepthGroup;
  return (static_cast<size_t>(block) * (packed.depth_padded / kGemmDepthGroup) + group) *
             (kGemmBlockChannels * kGemmDepthGroup) +
         static_cast<size_t>(lane) * kGemmDepthGroup + k % kGemmDepthGroup;
}

}  // namespace

PackedFilter pack_filter(const int8_t* filter, const Shape4& filter_shape, const uint8_t* skip) {
  check_shape_positive(filter_shape, "pack_filter", "filter");
  kernel_check(filter != nullptr, "pack_filter", "filter data is null");
  PackedFilter packed;
  packed.filter_shape = filter_shape;
  packed.out_channels = filter_shape.n;
  packed.depth = static_cast<int>(filter_shape.image_elements());
  packed.depth_padded = (packed.depth + kGemmDepthGroup - 1) / kGemmDepthGroup * kGemmDepthGroup;
  packed.blocks = (packed.out_channels + kGemmBlockChannels - 1) / kGemmBlockChannels;
  packed.panels.assign(
      static_cast<size_t>(packed.blocks) * packed.depth_padded * kGemmBlockChannels, 0);
  packed.weight_sums.assign(static_cast<size_t>(packed.out_channels), 0);
  for (int o = 0; o < packed.out_channels; ++o) {
    const size_t row = static_cast<size_t>(o) * packed.depth;
    int32_t sum = 0;
    for (int k = 0; k < packed.depth; ++k) {
      const bool skipped = skip != nullptr && skip[row + k] != 0;
      const int8_t weight = skipped ? int8_t{0} : filter[row + k];
      packed.panels[packed_offset(packed, o, k)] = weight;
      sum = wrapping_add(sum, weight);
    }
    packed.weight_sums[static_cast<size_t>(o)] = sum;
  }
  packed.panels16.assign(packed.panels.begin(), packed.panels.end());
  return packed;
}

GemmScratch::GemmScratch(SimdLevel level) : level_(level) {
  kernel_check(
      simd_level_supported(level), "GemmScratch",
      std::string("SIMD level ") + simd_level_name(level) + " is not supported by this CPU");
}

GemmOutputStage GemmScratch::prepare_stage(const PackedFilter& filter, const int32_t* bias,
                                           const ChannelRequant& requant, int32_t input_offset,
                                           int32_t output_offset,
                                           const ActivationRange& activation) {
  const size_t padded = static_cast<size_t>(filter.blocks) * kGemmBlockChannels;
  start_.assign(padded, 0);
  multiplier_.assign(padded, 0);
  left_shift_.assign(padded, 0);
  right_shift_.assign(padded, 0);
  // Weight of the folded "+ input_offset - 128" on every (padded or not) tap.
  const int32_t offset_correction = input_offset - 128;
  for (size_t o = 0; o < static_cast<size_t>(filter.out_channels); ++o) {
    const int32_t bias_value = bias != nullptr ? bias[o] : 0;
    start_[o] = wrapping_add(bias_value, wrapping_mul(offset_correction, filter.weight_sums[o]));
    multiplier_[o] = requant.multiplier[o];
    left_shift_[o] = std::max(requant.shift[o], 0);
    right_shift_[o] = std::max(-requant.shift[o], 0);
  }
  GemmOutputStage stage;
  stage.start = start_.data();
  stage.multiplier = multiplier_.data();
  stage.left_shift = left_shift_.data();
  stage.right_shift = right_shift_.data();
  stage.output_offset = output_offset;
  stage.activation_min = activation.min;
  stage.activation_max = activation.max;
  return stage;
}

void gemm_u8s8_requant(SimdLevel level, const GemmProblem& problem) {
  switch (level) {
    case SimdLevel::kAvx512Vnni:
      gemm_u8s8_requant_avx512(problem);
      return;
    case SimdLevel::kAvx2:
      gemm_u8s8_requant_avx2(problem);
      return;
    case SimdLevel::kPortable:
      gemm_u8s8_requant_portable(problem);
      return;
  }
}

// Plain C++ with the SIMD kernels' loop structure (a block of 16 channel
// accumulators per row, fixed-size inner loops the compiler can vectorise for
// the baseline instruction set). Sums wrap modulo 2^32 like vpdpbusd does.
void gemm_u8s8_requant_portable(const GemmProblem& problem) {
  const PackedFilter& filter = *problem.filter;
  const GemmOutputStage& stage = problem.stage;
  const int groups = filter.depth_padded / kGemmDepthGroup;
  const ActivationRange activation{stage.activation_min, stage.activation_max};
  for (int r = 0; r < problem.rows; ++r) {
    const uint8_t* lhs_row = problem.lhs + static_cast<size_t>(r) * filter.depth_padded;
    int8_t* out_row = problem.output + static_cast<size_t>(r) * filter.out_channels;
    for (int block = 0; block < filter.blocks; ++block) {
      const int channel0 = block * kGemmBlockChannels;
      uint32_t acc[kGemmBlockChannels];
      for (int lane = 0; lane < kGemmBlockChannels; ++lane) {
        acc[lane] = static_cast<uint32_t>(stage.start[channel0 + lane]);
      }
      const int8_t* panel = filter.block_panel(block);
      for (int g = 0; g < groups; ++g) {
        const uint8_t* values = lhs_row + g * kGemmDepthGroup;
        const int8_t* weights = panel + g * kGemmBlockChannels * kGemmDepthGroup;
        for (int lane = 0; lane < kGemmBlockChannels; ++lane) {
          int32_t sum = 0;  // four products: |sum| <= 4 * 255 * 128
          for (int j = 0; j < kGemmDepthGroup; ++j) {
            sum += int32_t{values[j]} * int32_t{weights[lane * kGemmDepthGroup + j]};
          }
          acc[lane] += static_cast<uint32_t>(sum);
        }
      }
      const int valid = std::min(kGemmBlockChannels, filter.out_channels - channel0);
      for (int lane = 0; lane < valid; ++lane) {
        const int o = channel0 + lane;
        out_row[o] = requantize_to_s8(static_cast<int32_t>(acc[lane]), stage.multiplier[o],
                                      stage.left_shift[o] - stage.right_shift[o],
                                      stage.output_offset, activation);
      }
    }
  }
}

}  // namespace tinyskip::sim
