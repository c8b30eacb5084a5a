// The matrix-multiply core of the fast int8 conv / fully-connected path.
//
// Arithmetic identity (exact in int32, see docs/int8-semantics.md): the
// reference accumulates acc[o] = bias[o] + sum_k w[o][k] * (x[k] + input_offset)
// over the in-bounds taps. With the activation stored as an unsigned byte
// u[k] = x[k] + 128 and every padded tap stored as u = 128 - input_offset
// (so that u - 128 + input_offset = 0: it contributes nothing), this is
//   acc[o] = sum_k w[o][k] * u[k]  +  (bias[o] + (input_offset - 128) * sum_k w[o][k]).
// The first term is an unsigned-by-signed byte dot product, which is what
// vpdpbusd (VNNI) computes four products at a time; the second is a
// per-channel constant folded into the accumulator's start value. All sums are
// taken modulo 2^32, so the result equals the reference's int32 value.
//
// Layout: the left-hand side is "rows" (one per output pixel or image) of
// depth_padded unsigned bytes; the filter is packed into blocks of 16 output
// channels, each block holding for every group of 4 depth positions the 16 x 4
// weights [channel][k % 4] (64 bytes = one 512-bit register). Depth positions
// beyond the real depth have zero weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "sim/kernels/kernel_params.h"
#include "sim/kernels/simd_level.h"

namespace tinyskip::sim {

inline constexpr int kGemmBlockChannels = 16;  // output channels per packed block
inline constexpr int kGemmDepthGroup = 4;      // depth positions per vpdpbusd lane

// std::allocator with 64-byte alignment, so packed panels and rows start on a
// cache line and full-register loads never split one.
template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheAlignedAllocator() = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlignment); }
  template <class U>
  bool operator==(const CacheAlignedAllocator<U>&) const {
    return true;
  }
};
template <class T>
using AlignedVector = std::vector<T, CacheAlignedAllocator<T>>;

// A filter (conv OHWI or fully connected [out][in]) packed for the GEMM, with
// its skipped weights already zeroed.
struct PackedFilter {
  Shape4 filter_shape;               // as given to pack_filter
  int out_channels = 0;              // filter_shape.n
  int depth = 0;                     // filter_shape.h * w * c: weights per output channel
  int depth_padded = 0;              // depth rounded up to kGemmDepthGroup
  int blocks = 0;                    // ceil(out_channels / kGemmBlockChannels)
  AlignedVector<int8_t> panels;      // blocks * depth_padded * kGemmBlockChannels bytes
  // The same panels widened to int16, for the AVX2 kernel: it multiplies
  // 16-bit lanes, and loading them ready saves a widening per use.
  AlignedVector<int16_t> panels16;
  std::vector<int32_t> weight_sums;  // per output channel, of the (masked) weights

  const int8_t* block_panel(int block) const {
    return panels.data() + static_cast<size_t>(block) * depth_padded * kGemmBlockChannels;
  }
  const int16_t* block_panel16(int block) const {
    return panels16.data() + static_cast<size_t>(block) * depth_padded * kGemmBlockChannels;
  }
};

// Packs filter (layout given by filter_shape: n = output channels, the rest
// flattened in storage order). skip, if not null, has one entry per weight in
// the same order; non-zero entries are treated as zero weights.
PackedFilter pack_filter(const int8_t* filter, const Shape4& filter_shape, const uint8_t* skip);

// Per-output-channel constants of one GEMM call, padded to whole blocks.
struct GemmOutputStage {
  const int32_t* start = nullptr;  // accumulator start value (see top comment)
  const int32_t* multiplier = nullptr;
  const int32_t* left_shift = nullptr;   // max(shift, 0)
  const int32_t* right_shift = nullptr;  // max(-shift, 0)
  int32_t output_offset = 0;
  int32_t activation_min = -128;
  int32_t activation_max = 127;
};

// output[r][o] = requantised (start[o] + sum_k lhs[r][k] * w[o][k]) for
// r < rows, o < filter.out_channels; rows of lhs are filter.depth_padded bytes
// apart, rows of output filter.out_channels bytes apart.
struct GemmProblem {
  const uint8_t* lhs = nullptr;
  int rows = 0;
  const PackedFilter* filter = nullptr;
  GemmOutputStage stage;
  int8_t* output = nullptr;
};

// Reusable per-thread buffers of the fast conv / FC kernels, and the SIMD
// level they run at. Buffers grow to the largest layer and then stay, so
// steady-state calls do not allocate.
class GemmScratch {
 public:
  // Throws KernelError if the CPU does not support level.
  explicit GemmScratch(SimdLevel level = active_simd_level());
  SimdLevel level() const { return level_; }

  // Fills the padded output-stage arrays for one call and returns views on them.
  GemmOutputStage prepare_stage(const PackedFilter& filter, const int32_t* bias,
                                const ChannelRequant& requant, int32_t input_offset,
                                int32_t output_offset, const ActivationRange& activation);
  // Buffers of at least `bytes` bytes for left-hand-side rows and for the
  // converted, padded conv input (im2col_u8.h).
  uint8_t* lhs_buffer(size_t bytes) { return grow(lhs_, bytes); }
  uint8_t* padded_input_buffer(size_t bytes) { return grow(padded_input_, bytes); }

 private:
  static uint8_t* grow(AlignedVector<uint8_t>& buffer, size_t bytes) {
    if (buffer.size() < bytes) buffer.resize(bytes);
    return buffer.data();
  }

  SimdLevel level_;
  AlignedVector<uint8_t> lhs_, padded_input_;
  AlignedVector<int32_t> start_, multiplier_, left_shift_, right_shift_;
};

// Runs the GEMM with requantisation at the given level.
void gemm_u8s8_requant(SimdLevel level, const GemmProblem& problem);

// The per-level implementations behind gemm_u8s8_requant (one file each, the
// SIMD ones compiled for their instruction set with target attributes).
void gemm_u8s8_requant_portable(const GemmProblem& problem);
void gemm_u8s8_requant_avx2(const GemmProblem& problem);
void gemm_u8s8_requant_avx512(const GemmProblem& problem);

}  // namespace tinyskip::sim
