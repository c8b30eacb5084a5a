// Pieces every op emitter shares (op_source.cc for the runtime and unpacked
// kernels, cmsis_nn_op_source.cc for CMSIS-NN): the op's context, the uniform
// function head, C spellings of shapes and clamp ranges, and the constant
// arrays of a weighted op -- the filter with its skipped weights zeroed
// (what the simulator multiplies), the bias and the per-channel
// requantisation the simulator's Prepare step computed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/codegen/op_source.h"
#include "sim/graph.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {

// What every op function needs to know about its op, gathered once.
struct OpContext {
  const sim::Graph& graph;
  const sim::Op& op;
  const OpSourceRequest& request;
  sim::OpShapes shapes;
  std::string where;  // "<model>: op 3 (CONV_2D)" for messages
};

// "{n, h, w, c}": an initialiser of ts_dims and cmsis_nn_dims alike (both
// are {n, h, w, c} of int32).
std::string c_dims(const sim::Shape4& shape);

// "{min, max}" of a clamp range (ts_activation, cmsis_nn_activation).
std::string c_activation(const sim::ActivationRange& range);

// "ts_status <function>(const void *input, const void *input2, void *output,
// const ts_context *scratch) {\n".
std::string op_function_head(const OpContext& ctx);

bool has_weights(sim::OpType type);

// The C expressions the weight arrays are known by.
struct WeightArrays {
  std::string filter, bias, multiplier, shift;  // bias is "NULL" for an op without one
};

// Appends the static const filter, bias, multiplier and shift arrays of a
// weighted op to `out`; without `requant_tables` (a kernel that takes one
// per-tensor requantisation) no multiplier and shift arrays. Throws
// CodegenError for a mask of the wrong size.
WeightArrays emit_weight_arrays(std::string& out, const OpContext& ctx, const sim::ChannelRequant& requant,
                                bool requant_tables = true);

}  // namespace tinyskip::engine
