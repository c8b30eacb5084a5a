// Int8 2-D convolution, the fast path: im2col + an exact unsigned-by-signed
// byte GEMM (gemm_u8s8.h) with vectorised requantisation. Byte-for-byte the
// same output as conv_s8_nhwc (the readable reference) for every input; the
// filter is packed once per design point by pack_filter, with the skipped
// weights of a mask already zeroed.
#pragma once

#include <cstdint>

#include "sim/kernels/gemm_u8s8.h"
#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// input NHWC (all input_shape.n images), filter packed from OHWI, bias one
// int32 per output channel or null, output NHWC. params.input_offset must be
// minus an int8 zero point, i.e. in [-127, 128]. scratch is the calling
// thread's and decides the SIMD level. Throws KernelError when the shapes or
// parameters are inconsistent.
void conv_s8_nhwc_gemm(const ConvParams& params, const ChannelRequant& requant,
                       const Shape4& input_shape, const int8_t* input, const PackedFilter& filter,
                       const int32_t* bias, const Shape4& output_shape, int8_t* output,
                       GemmScratch& scratch);

// Rows of im2col handed to one GEMM call: about 16 KiB of left-hand side (so
// it stays in L1 next to the weights), a multiple of 48 rows so that every
// micro-kernel's row tile divides it.
int gemm_tile_rows(int row_bytes);

// The int8 zero-point check shared with the fully connected fast path.
void check_gemm_input_offset(int32_t input_offset, const char* kernel);

}  // namespace tinyskip::sim
