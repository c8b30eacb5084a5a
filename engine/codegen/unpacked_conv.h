// Kernel unpacking (../shared/docs/method.md, step 2): one CONV_2D layer as a
// specialised C99 function with the CMSIS-NN structure (im2col of two output
// pixels into q15, then a 2 output channels x 2 pixels mat-mult) in which the
// loops over output channels and the reduction index k = (ky, kx, c_in) are
// fully unrolled and the weights are compile-time constants: one SMLAD per
// kept weight pair (2j, 2j+1) with both weights packed into a 32-bit
// immediate, a plain multiply-accumulate when only one weight of the pair is
// kept, nothing at all for a skipped or zero pair. Requantisation is the
// simulator's double rounding, so the function computes exactly what
// sim::conv_s8_nhwc computes on the filter with the skipped weights zeroed.
#pragma once

#include <filesystem>
#include <string>

#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// C99 source (helpers, then `void <function_name>(const int8_t* input,
// int8_t* output)` for one image, NHWC int8 in and out) for the CONV_2D op
// graph.ops[op_index]. `mask` has one entry per filter weight (OHWI) or is
// empty for the exact layer. The fixed parts of the source are read from
// template_dir (engine/codegen/templates in the source tree). Throws
// CodegenError for a bad op index, a non-CONV_2D op, a mask of the wrong size,
// a function name that is not a C identifier or a missing template; the
// sim's ModelError when the op's tensors are not int8 conv tensors.
std::string generate_unpacked_conv_c(const sim::Graph& graph, int op_index, const sim::WeightMask& mask,
                                     const std::string& function_name,
                                     const std::filesystem::path& template_dir);

}  // namespace tinyskip::engine
