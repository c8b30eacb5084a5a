// Kernel unpacking of one FULLY_CONNECTED layer (../shared/docs/method.md,
// step 2), with CMSIS-NN's vector x matrix structure for one input vector:
// the input widened to q15 with its offset added, then every output row as
// fully unrolled straight-line code with the weights as compile-time
// constants, rows taken in pairs (the odd last one alone). Per row and
// reduction pair (2j, 2j+1): one SMLAD with both weights packed into a 32-bit
// immediate when both are kept, a plain multiply-accumulate when one is,
// nothing when neither is (skipped or zero). Requantisation is the
// simulator's, so the function computes exactly what
// sim::fully_connected_s8 computes on the filter with the skipped weights
// zeroed. The structure is what mcu_model/unpacked_cost.h prices for fully
// connected layers (one column per call).
#pragma once

#include <filesystem>
#include <string>

#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// C99 source (helpers, then `void <function_name>(const int8_t* input,
// int8_t* output)` for one input vector) for the FULLY_CONNECTED op
// graph.ops[op_index]. `mask` has one entry per filter weight ([rows][depth])
// or is empty for the exact layer. CodegenError for a bad op index, another
// op type, a batch other than 1, a mask of the wrong size, a function name
// that is not a C identifier or a missing template.
std::string generate_unpacked_fully_connected_c(const sim::Graph& graph, int op_index, const sim::WeightMask& mask,
                                                const std::string& function_name,
                                                const std::filesystem::path& template_dir);

}  // namespace tinyskip::engine
