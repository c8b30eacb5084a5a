// Reads an int8 .tflite model into the graph IR (sim/graph.h). Everything the
// simulator and the cycle model rely on is checked here, up front: after a
// successful import every op has the tensor counts, types, quantisation and
// shapes its kernel expects, and the ops run in list order. Anything outside
// the supported subset (see graph_validate.h) is a ModelError naming the file,
// the op or tensor, and what is wrong.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "sim/graph.h"
#include "sim/model_error.h"

namespace tinyskip::sim {

// Reads and parses the file. A missing or unreadable path is a ModelError
// naming the path.
Graph load_tflite(const std::string& path);

// Parses a model held in memory; source_name starts every error message and
// becomes Graph::source. The bytes need not outlive the call.
Graph parse_tflite(std::span<const uint8_t> bytes, const std::string& source_name);

// TFLite's name of a builtin operator code ("MUL"), or "builtin code N" for
// codes outside the small table this importer knows.
std::string builtin_operator_name(int32_t code);

}  // namespace tinyskip::sim
