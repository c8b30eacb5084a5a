// AVX2 micro-kernel of the fast int8 GEMM, for CPUs without VNNI. The
// unsigned-by-signed byte product is done exactly with 16-bit multiply-add
// (vpmaddwd): bytes are widened to int16, each int32 lane sums two products
// (at most 2 * 255 * 128, no saturation). The 64-byte weight group of a block
// (16 channels x 4 depth positions), widened once when the filter is packed,
// is four registers of 4 channels;
// each lane pair of a channel holds half of its four products, and the halves
// are added horizontally once, after the whole depth.
#include <algorithm>
#include <cstring>

#include "sim/kernels/gemm_u8s8.h"
#include "sim/kernels/kernel_check.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TINYSKIP_TARGET_AVX2 __attribute__((target("avx2")))

namespace tinyskip::sim {

namespace {

// saturating_rounding_doubling_high_mul on 8 lanes; see the AVX-512 file for
// why floor((a*b + 2^30) / 2^31) is the same function.
TINYSKIP_TARGET_AVX2 inline __m256i doubling_high_mul(__m256i a, __m256i b) {
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_mul_epi32(a, b);
  const __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
  const __m256i even_high = _mm256_srli_epi64(_mm256_add_epi64(even, nudge), 31);
  const __m256i odd_high = _mm256_slli_epi64(_mm256_add_epi64(odd, nudge), 1);
  const __m256i result = _mm256_blend_epi32(even_high, odd_high, 0xAA);
  const __m256i int_min = _mm256_set1_epi32(INT32_MIN);
  const __m256i overflow =
      _mm256_and_si256(_mm256_cmpeq_epi32(a, int_min), _mm256_cmpeq_epi32(b, int_min));
  return _mm256_blendv_epi8(result, _mm256_set1_epi32(INT32_MAX), overflow);
}

// rounding_divide_by_pot on 8 lanes with per-lane exponents in [0, 31].
TINYSKIP_TARGET_AVX2 inline __m256i rounding_divide(__m256i x, __m256i exponent) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, exponent), one);
  const __m256i remainder = _mm256_and_si256(x, mask);
  const __m256i threshold = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_srli_epi32(x, 31));
  const __m256i quotient = _mm256_srav_epi32(x, exponent);
  // The comparison yields -1 where rounding up, so subtracting it adds 1.
  return _mm256_sub_epi32(quotient, _mm256_cmpgt_epi32(remainder, threshold));
}

TINYSKIP_TARGET_AVX2 inline __m256i load8(const int32_t* aligned) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(aligned));
}

// requantize_to_s8 of 8 accumulators (channels channel0 ..), still as int32.
TINYSKIP_TARGET_AVX2 inline __m256i requantize8(__m256i acc, const GemmOutputStage& stage,
                                                int channel0) {
  __m256i value = doubling_high_mul(_mm256_sllv_epi32(acc, load8(stage.left_shift + channel0)),
                                    load8(stage.multiplier + channel0));
  value = rounding_divide(value, load8(stage.right_shift + channel0));
  value = _mm256_add_epi32(value, _mm256_set1_epi32(stage.output_offset));
  value = _mm256_max_epi32(value, _mm256_set1_epi32(stage.activation_min));
  return _mm256_min_epi32(value, _mm256_set1_epi32(stage.activation_max));
}

// Adds the two half-sums of each channel: a holds channels c..c+3, b channels
// c+4..c+7, each as (first pair, second pair); returns channels c..c+7.
TINYSKIP_TARGET_AVX2 inline __m256i combine_halves(__m256i a, __m256i b) {
  // hadd gives [c0 c1 c4 c5 | c2 c3 c6 c7]; restore channel order.
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(a, b), 0xD8);
}

// acc += addend, written so that the accumulator stays in its register: with
// the plain intrinsic GCC 12 copies every accumulator once per iteration.
TINYSKIP_TARGET_AVX2 inline void add_in_place(__m256i& acc, __m256i addend) {
  asm("vpaddd %1, %0, %0" : "+x"(acc) : "x"(addend));
}

// Rows row0 .. row0+R-1 times channel block `block`.
template <int R>
TINYSKIP_TARGET_AVX2 void multiply_tile(const GemmProblem& problem, int row0, int block) {
  const PackedFilter& filter = *problem.filter;
  const size_t lhs_stride = static_cast<size_t>(filter.depth_padded);
  const uint8_t* lhs = problem.lhs + row0 * lhs_stride;
  const int16_t* panel = filter.block_panel16(block);
  const int groups = filter.depth_padded / kGemmDepthGroup;

  __m256i acc[R][4];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) acc[r][q] = _mm256_setzero_si256();
  }
  for (int g = 0; g < groups; ++g) {
    // Channels 4q .. 4q+3, each as 4 int16 weights, straight from the
    // widened panel (a memory operand of vpmaddwd).
    const __m256i* weights = reinterpret_cast<const __m256i*>(panel + g * 64);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      int32_t group;
      std::memcpy(&group, lhs + r * lhs_stride + g * kGemmDepthGroup, sizeof group);
      const __m256i values = _mm256_cvtepu8_epi16(_mm_set1_epi32(group));
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) {
        add_in_place(acc[r][q], _mm256_madd_epi16(values, _mm256_load_si256(weights + q)));
      }
    }
  }
  const int channel0 = block * kGemmBlockChannels;
  const int valid_channels = std::min(kGemmBlockChannels, filter.out_channels - channel0);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const __m256i low = _mm256_add_epi32(combine_halves(acc[r][0], acc[r][1]),
                                         load8(problem.stage.start + channel0));
    const __m256i high = _mm256_add_epi32(combine_halves(acc[r][2], acc[r][3]),
                                          load8(problem.stage.start + channel0 + 8));
    // Both halves are clamped to int8, so the saturating packs are exact.
    const __m256i words =
        _mm256_permute4x64_epi64(_mm256_packs_epi32(requantize8(low, problem.stage, channel0),
                                                    requantize8(high, problem.stage, channel0 + 8)),
                                 0xD8);
    const __m128i bytes =
        _mm_packs_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    int8_t* out = problem.output + static_cast<size_t>(row0 + r) * filter.out_channels + channel0;
    if (valid_channels == kGemmBlockChannels) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bytes);
    } else {
      alignas(16) int8_t staged[kGemmBlockChannels];
      _mm_store_si128(reinterpret_cast<__m128i*>(staged), bytes);
      std::memcpy(out, staged, static_cast<size_t>(valid_channels));
    }
  }
}

}  // namespace

// Register budget (16 ymm): 4 accumulators per row for 3 rows, 1 broadcast;
// the weights come from memory.
TINYSKIP_TARGET_AVX2 void gemm_u8s8_requant_avx2(const GemmProblem& problem) {
  constexpr int kRows = 3;
  for (int block = 0; block < problem.filter->blocks; ++block) {
    int row = 0;
    for (; row + kRows <= problem.rows; row += kRows) multiply_tile<kRows>(problem, row, block);
    for (; row + 2 <= problem.rows; row += 2) multiply_tile<2>(problem, row, block);
    for (; row < problem.rows; ++row) multiply_tile<1>(problem, row, block);
  }
}

}  // namespace tinyskip::sim

#else  // not x86-64: the level is never reported as supported

namespace tinyskip::sim {
void gemm_u8s8_requant_avx2(const GemmProblem&) {
  throw KernelError("gemm_u8s8_requant_avx2: not available on this architecture");
}
}  // namespace tinyskip::sim

#endif
