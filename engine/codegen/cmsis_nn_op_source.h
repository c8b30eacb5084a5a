// An exact layer on CMSIS-NN's public s8 API: the body of the op function
// (op_source.h) for CONV_2D (arm_convolve_wrapper_s8), DEPTHWISE_CONV_2D
// (arm_depthwise_conv_wrapper_s8), FULLY_CONNECTED (arm_fully_connected_s8,
// or arm_fully_connected_per_channel_s8 for per-channel weights),
// MAX_POOL_2D (arm_max_pool_s8), AVERAGE_POOL_2D (arm_avgpool_s8), ADD
// (arm_elementwise_add_s8) and SOFTMAX (arm_softmax_s8).
//
// Parameters are the simulator's Prepare step (sim/kernels/op_params.h) in
// CMSIS-NN's conventions, which are TFLite Micro's: input offsets are the
// negated zero points, output offsets the zero points themselves; per-channel
// multipliers are Q31 with shifts positive to the left; the clamp range is
// the fused activation's; ADD keeps the left shift of 20 and its
// smaller-than-one multipliers with their (negative) shifts; SOFTMAX takes
// the Q5.26 input multiplier, its left shift and diff_min exactly as TFLM's
// prepare computes them. CMSIS-NN requantises with double rounding unless
// CMSIS_NN_USE_SINGLE_ROUNDING is defined, which the generated build never
// does, so the results are the simulator's byte for byte.
//
// Scratch: CMSIS-NN's *_get_buffer_size functions are target code (their
// answer depends on the core's DSP/MVE features), so the generated function
// calls the right one at run time and returns TS_ERROR_SCRATCH, before
// touching any memory, when it asks for more than the model's static scratch
// area holds. That area is sized at generation time by cmsis_nn_scratch_bound:
// the formulas of CMSIS-NN's Cortex-M4 (DSP) and plain-C paths for the op's
// geometry, so on the target the check never fires; a CMSIS-NN release or a
// core that needs more fails loudly instead of overrunning the buffer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/codegen/op_source_parts.h"
#include "sim/graph.h"

namespace tinyskip::engine {

// The op function of `ctx` on CMSIS-NN (constants and body); appends the
// CMSIS-NN functions it calls to `functions`. Throws CodegenError for an op
// cmsis_nn_implements() rejects.
std::string emit_cmsis_nn_op(const OpContext& ctx, std::vector<std::string>& functions);

// Upper bound (bytes) of the scratch buffer the op's CMSIS-NN kernel asks
// for on a Cortex-M4: the im2col columns of arm_convolve_s8 (two of
// kernel_h * kernel_w * in_ch int16, rounded up to 4 values), the int16
// window of arm_depthwise_conv_s8_opt and the int32 channel sums of
// arm_avgpool_s8; 0 for the others.
int64_t cmsis_nn_scratch_bound(const sim::Graph& graph, const sim::Op& op);

}  // namespace tinyskip::engine
