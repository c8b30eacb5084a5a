// Names of approximable layers, as configs write them, and their resolution
// against a model graph:
//   convN   = the N-th CONV_2D in execution order (1-based)
//   dwconvN = the N-th DEPTHWISE_CONV_2D
//   fcN     = the N-th FULLY_CONNECTED
//   all_conv            = every CONV_2D
//   all_conv_but_first  = every CONV_2D except the first (the paper keeps the
//                         first layer exact: its few input channels leave
//                         little to skip and errors there propagate furthest)
#pragma once

#include <string>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/search/design_space.h"
#include "sim/graph.h"

namespace tinyskip::engine {

struct ApproximateConfig;

// True for "convN", "dwconvN", "fcN" with N >= 1 written without leading zeros.
bool is_single_layer_name(const std::string& name);
// True for "all_conv" and "all_conv_but_first".
bool is_layer_group_name(const std::string& name);

// The name of the op at op_index ("conv2"); throws std::invalid_argument if
// the op is not a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED.
std::string layer_name(const sim::Graph& graph, int op_index);

// Op indices of the named layers, ascending (execution order), each once.
// Throws ConfigError naming a name that matches no op (listing the valid
// names), an empty selection, and two entries that select the same op
// ("all_conv" and "conv2"). Messages start with `context` when it is given
// (e.g. "configs/x.json: approximate.layers").
std::vector<int> resolve_layer_names(const sim::Graph& graph, const std::vector<std::string>& names,
                                     const std::string& context = "approximate.layers");

// The design space of an experiment's "approximate" section on `graph`: one
// ApproximatedLayer per resolved op (execution order) with its name and its
// candidate thresholds (per-layer override, else the default). Throws
// ConfigError for a bad layer name or a per_layer key that names no selected
// layer. `config_file` prefixes the messages.
DesignSpace make_design_space(const sim::Graph& graph, const ApproximateConfig& approximate,
                              const std::string& config_file);

}  // namespace tinyskip::engine
