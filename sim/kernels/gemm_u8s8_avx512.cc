// AVX-512 VNNI micro-kernel of the fast int8 GEMM: one 512-bit register holds
// the int32 accumulators of 16 output channels, and one vpdpbusd adds the four
// products u[k..k+3] * w[o][k..k+3] to all 16 of them. A register tile of
// R rows x NB channel blocks stays in registers for the whole depth; the row's
// four activation bytes are broadcast, the packed weights loaded once per
// depth group and reused by the R rows. Requantisation is vectorised here too,
// lane for lane the same integer operations as fixed_point.h.
#include <algorithm>
#include <cstring>

#include "sim/kernels/gemm_u8s8.h"
#include "sim/kernels/kernel_check.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics start from a deliberately undefined register
// (_mm512_undefined_epi32), which -Wuninitialized reports once inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // clang has no such group (and no such warning here)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#pragma GCC diagnostic pop

#define TINYSKIP_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace tinyskip::sim {

namespace {

// saturating_rounding_doubling_high_mul on 16 lanes. Truncating
// (a*b + nudge) / 2^31 toward zero with the sign-dependent nudge equals
// floor((a*b + 2^30) / 2^31) for both signs, so one arithmetic form serves all
// lanes; the 64-bit products of even and odd lanes are formed separately.
TINYSKIP_TARGET_AVX512 inline __m512i doubling_high_mul(__m512i a, __m512i b) {
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_mul_epi32(a, b);
  const __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
  // Bits 31..62 of the nudged product: to the low half for even lanes, to the
  // high half for odd lanes.
  const __m512i even_high = _mm512_srli_epi64(_mm512_add_epi64(even, nudge), 31);
  const __m512i odd_high = _mm512_slli_epi64(_mm512_add_epi64(odd, nudge), 1);
  const __m512i result = _mm512_mask_blend_epi32(0xAAAA, even_high, odd_high);
  const __m512i int_min = _mm512_set1_epi32(INT32_MIN);
  const __mmask16 overflow =
      _mm512_cmpeq_epi32_mask(a, int_min) & _mm512_cmpeq_epi32_mask(b, int_min);
  return _mm512_mask_mov_epi32(result, overflow, _mm512_set1_epi32(INT32_MAX));
}

// rounding_divide_by_pot on 16 lanes with per-lane exponents in [0, 31].
TINYSKIP_TARGET_AVX512 inline __m512i rounding_divide(__m512i x, __m512i exponent) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exponent), one);
  const __m512i remainder = _mm512_and_si512(x, mask);
  // (mask >> 1) + (x < 0 ? 1 : 0); the logical shift of x by 31 is its sign bit.
  const __m512i threshold = _mm512_add_epi32(_mm512_srli_epi32(mask, 1), _mm512_srli_epi32(x, 31));
  const __m512i quotient = _mm512_srav_epi32(x, exponent);
  const __mmask16 round_up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  return _mm512_mask_add_epi32(quotient, round_up, quotient, one);
}

// requantize_to_s8 of 16 accumulators (channels channel0 ..) and store of the
// first `valid` of them as bytes.
TINYSKIP_TARGET_AVX512 inline void requantize_store(__m512i acc, const GemmOutputStage& stage,
                                                    int channel0, __mmask16 valid, int8_t* out) {
  const __m512i left = _mm512_load_si512(stage.left_shift + channel0);
  const __m512i right = _mm512_load_si512(stage.right_shift + channel0);
  const __m512i multiplier = _mm512_load_si512(stage.multiplier + channel0);
  __m512i value = doubling_high_mul(_mm512_sllv_epi32(acc, left), multiplier);
  value = rounding_divide(value, right);
  value = _mm512_add_epi32(value, _mm512_set1_epi32(stage.output_offset));
  value = _mm512_max_epi32(value, _mm512_set1_epi32(stage.activation_min));
  value = _mm512_min_epi32(value, _mm512_set1_epi32(stage.activation_max));
  _mm512_mask_cvtepi32_storeu_epi8(out, valid, value);  // values already fit in int8
}

TINYSKIP_TARGET_AVX512 inline __m512i broadcast_group(const uint8_t* bytes) {
  int32_t group;
  std::memcpy(&group, bytes, sizeof group);
  return _mm512_set1_epi32(group);
}

// acc += the four-byte dot products of values and weights (vpdpbusd, wrapping
// int32), written so that the accumulator stays in its register: with the
// intrinsic GCC 12 copies (and partly spills) every accumulator once per
// iteration, which halves the speed of the loop below.
TINYSKIP_TARGET_AVX512 inline void dot_accumulate(__m512i& acc, __m512i values, __m512i weights) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(values), "v"(weights));
}

// Rows row0 .. row0+R-1 times channel blocks block0 .. block0+NB-1.
template <int R, int NB>
TINYSKIP_TARGET_AVX512 void multiply_tile(const GemmProblem& problem, int row0, int block0) {
  const PackedFilter& filter = *problem.filter;
  const size_t lhs_stride = static_cast<size_t>(filter.depth_padded);
  const size_t block_bytes = lhs_stride * kGemmBlockChannels;
  const uint8_t* lhs = problem.lhs + row0 * lhs_stride;
  const int8_t* panel = filter.block_panel(block0);
  const int groups = filter.depth_padded / kGemmDepthGroup;

  __m512i acc[R][NB];
#pragma GCC unroll 4
  for (int b = 0; b < NB; ++b) {
    const __m512i start =
        _mm512_load_si512(problem.stage.start + (block0 + b) * kGemmBlockChannels);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) acc[r][b] = start;
  }
  for (int g = 0; g < groups; ++g) {
    __m512i weights[NB];
#pragma GCC unroll 4
    for (int b = 0; b < NB; ++b) {
      weights[b] = _mm512_load_si512(panel + b * block_bytes + g * 64);
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512i values = broadcast_group(lhs + r * lhs_stride + g * kGemmDepthGroup);
#pragma GCC unroll 4
      for (int b = 0; b < NB; ++b) dot_accumulate(acc[r][b], values, weights[b]);
    }
  }
  // Fully unrolled like the loops above, so that acc never leaves registers.
#pragma GCC unroll 4
  for (int b = 0; b < NB; ++b) {
    const int channel0 = (block0 + b) * kGemmBlockChannels;
    const int valid_channels = std::min(kGemmBlockChannels, filter.out_channels - channel0);
    const __mmask16 valid = static_cast<__mmask16>((1u << valid_channels) - 1);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      int8_t* out = problem.output + static_cast<size_t>(row0 + r) * filter.out_channels + channel0;
      requantize_store(acc[r][b], problem.stage, channel0, valid, out);
    }
  }
}

// All rows for NB blocks: full tiles of R rows, then the remainder in tiles
// of 8, 4, 2 and 1 rows.
template <int R, int NB>
TINYSKIP_TARGET_AVX512 void multiply_blocks(const GemmProblem& problem, int block0) {
  int row = 0;
  for (; row + R <= problem.rows; row += R) multiply_tile<R, NB>(problem, row, block0);
  if constexpr (R > 8) {
    for (; row + 8 <= problem.rows; row += 8) multiply_tile<8, NB>(problem, row, block0);
  }
  for (; row + 4 <= problem.rows; row += 4) multiply_tile<4, NB>(problem, row, block0);
  for (; row + 2 <= problem.rows; row += 2) multiply_tile<2, NB>(problem, row, block0);
  for (; row < problem.rows; ++row) multiply_tile<1, NB>(problem, row, block0);
}

}  // namespace

// Register budget (32 zmm): R * NB accumulators + NB weight registers + 1.
TINYSKIP_TARGET_AVX512 void gemm_u8s8_requant_avx512(const GemmProblem& problem) {
  const int blocks = problem.filter->blocks;
  for (int block0 = 0; block0 < blocks; block0 += 4) {
    switch (std::min(4, blocks - block0)) {
      case 1:
        multiply_blocks<16, 1>(problem, block0);
        break;
      case 2:
        multiply_blocks<12, 2>(problem, block0);
        break;
      case 3:
        multiply_blocks<8, 3>(problem, block0);
        break;
      default:
        multiply_blocks<6, 4>(problem, block0);
        break;
    }
  }
}

}  // namespace tinyskip::sim

#else  // not x86-64: the level is never reported as supported

namespace tinyskip::sim {
void gemm_u8s8_requant_avx512(const GemmProblem&) {
  throw KernelError("gemm_u8s8_requant_avx512: not available on this architecture");
}
}  // namespace tinyskip::sim

#endif
