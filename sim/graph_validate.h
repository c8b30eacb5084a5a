// The contract between the importer and everything downstream. A graph that
// passes validate_graph can be executed op by op, in list order, by the int8
// kernels without any further checks:
//  - every tensor has positive dimensions (at most kMaxTensorElements
//    elements), constant data of exactly num_bytes(), and consistent
//    quantisation (one zero point per scale; per-channel counts match the
//    quantised dimension);
//  - the body is int8: activations int8 with per-tensor quantisation, weights
//    int8 with zero points 0 (per-tensor or per-channel along the output
//    channel: dimension 0 for CONV_2D / FULLY_CONNECTED, 3 for
//    DEPTHWISE_CONV_2D), biases int32 of one value per output channel; only
//    QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32) touch floats;
//  - every op has the input/output counts of its kind, filters/biases/shape
//    operands are constants, activation operands are not, and all shapes add
//    up (window output sizes, channel counts, equal ADD shapes, element counts
//    of RESHAPE);
//  - every op input is a constant, the graph input, or the output of an
//    earlier op; every activation tensor is produced at most once; the graph
//    output is produced by some op.
#pragma once

#include <cstdint>

#include "sim/graph.h"
#include "sim/model_error.h"

namespace tinyskip::sim {

// Tensors larger than this are rejected (int8 MCU models are far smaller; the
// bound keeps every size computation well inside int64 and every buffer
// allocation sane even for a corrupted file).
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;
inline constexpr size_t kMaxTensorRank = 6;

// Throws ModelError ("<source>: op 3 (CONV_2D): ...") on the first violation.
void validate_graph(const Graph& graph);

}  // namespace tinyskip::sim
