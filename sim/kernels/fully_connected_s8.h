// Int8 fully connected layer (TFLM reference_integer_ops::FullyConnected /
// FullyConnectedPerChannel semantics): one requantisation entry per output
// unit (per-tensor layers repeat one entry), weights zero point 0.
#pragma once

#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

// weights [units][depth]: filter_shape.c = depth and filter_shape holds
// units * depth values (shape_of gives 1x1xunitsxdepth for the rank-2 tensor,
// units x1x1xdepth works too). output_shape.c = units; every other output dimension is a batch: the input
// is read as output_shape.elements() / units rows of depth values, so an NHWC
// activation feeding a fully connected layer needs no reshape. bias one int32
// per unit or null.
void fully_connected_s8(const FullyConnectedParams& params, const ChannelRequant& requant,
                        const Shape4& input_shape, const int8_t* input, const Shape4& filter_shape,
                        const int8_t* filter, const int32_t* bias, const Shape4& output_shape,
                        int8_t* output);

}  // namespace tinyskip::sim
