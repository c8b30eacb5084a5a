// Int8 fully connected layer, the fast path: every batch row of the input is
// one GEMM row (so a batch of n images is one n-row GEMM), through the same
// exact byte GEMM as the fast convolution. Byte-for-byte the same output as
// fully_connected_s8.
#pragma once

#include <cstdint>

#include "sim/kernels/gemm_u8s8.h"
#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// Packs fully connected weights [units][depth]. depth is weights_shape.c and
// every other dimension counts units, so both {units, 1, 1, depth} and the
// {1, 1, units, depth} that a 2-D weight tensor extends to are accepted; the
// packed filter_shape is {units, 1, 1, depth}. skip as for pack_filter.
PackedFilter pack_fully_connected_filter(const int8_t* weights, const Shape4& weights_shape,
                                         const uint8_t* skip);

// Shapes as for fully_connected_s8: filter packed from [units][depth]
// (filter_shape n = units, h = w = 1, c = depth); output_shape.c = units and
// every other output dimension is a batch; the input is read as that many rows
// of depth values. params.input_offset must be in [-127, 128]. Throws
// KernelError when the shapes or parameters are inconsistent.
void fully_connected_s8_gemm(const FullyConnectedParams& params, const ChannelRequant& requant,
                             const Shape4& input_shape, const int8_t* input,
                             const PackedFilter& filter, const int32_t* bias,
                             const Shape4& output_shape, int8_t* output, GemmScratch& scratch);

}  // namespace tinyskip::sim
