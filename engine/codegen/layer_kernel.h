// Which kernel realises one op of a generated network: decided here once and
// read by the op emitter, the scratch planner, the manifest and the flash
// measurement, so they cannot disagree.
//   unpacked  an approximated CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED
//             layer as straight-line code (unpacked_conv.h,
//             unpacked_depthwise_conv.h, unpacked_fully_connected.h)
//   cmsis-nn  CMSIS-NN's public s8 API (cmsis_nn_op_source.h): every exact
//             layer, when a CMSIS-NN checkout is known and CMSIS-NN has the op
//   runtime   tinyskip's own C99 kernels (engine/runtime/), the
//             dependency-free fallback; always QUANTIZE and DEQUANTIZE, which
//             CMSIS-NN lacks, and RESHAPE (a copy)
#pragma once

#include "sim/graph.h"

namespace tinyskip::engine {

enum class LayerKernel { kRuntime, kUnpacked, kCmsisNn };

// "runtime", "unpacked", "cmsis-nn" (the manifest's spelling).
const char* layer_kernel_name(LayerKernel kernel);

// True for the op types generated code can hand to CMSIS-NN's s8 API:
// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, AVERAGE_POOL_2D,
// ADD (same shapes) and SOFTMAX.
bool cmsis_nn_implements(sim::OpType type);

// The op types an approximated layer is generated for as unpacked code:
// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (every layer with weights
// today). An approximated layer of another type would keep its exact kernel,
// the skipped weights zeroed in its weight table. This is the one decision the search,
// the cost model, the flash and latency tables and codegen all read
// (engine::unpacked_ops_of), so that what is scored is what is generated.
bool can_unpack(sim::OpType type);

// `unpacked`: the op is an approximated layer emitted as unpacked code.
// `cmsis_nn_available`: the exact layers may use CMSIS-NN.
LayerKernel choose_layer_kernel(sim::OpType type, bool unpacked, bool cmsis_nn_available);

}  // namespace tinyskip::engine
