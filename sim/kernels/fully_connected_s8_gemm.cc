#include "sim/kernels/fully_connected_s8_gemm.h"

#include <algorithm>
#include <string>

#include "sim/kernels/conv_s8_gemm.h"
#include "sim/kernels/im2col_u8.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

PackedFilter pack_fully_connected_filter(const int8_t* weights, const Shape4& weights_shape,
                                         const uint8_t* skip) {
  check_shape_positive(weights_shape, "pack_fully_connected_filter", "weights");
  const int depth = weights_shape.c;
  const Shape4 units_by_depth{static_cast<int>(weights_shape.elements() / depth), 1, 1, depth};
  return pack_filter(weights, units_by_depth, skip);
}

void fully_connected_s8_gemm(const FullyConnectedParams& params, const ChannelRequant& requant,
                             const Shape4& input_shape, const int8_t* input,
                             const PackedFilter& filter, const int32_t* bias,
                             const Shape4& output_shape, int8_t* output, GemmScratch& scratch) {
  constexpr const char* kKernel = "fully_connected_s8_gemm";
  const Shape4& filter_shape = filter.filter_shape;
  check_shape_positive(input_shape, kKernel, "input");
  check_shape_positive(output_shape, kKernel, "output");
  kernel_check(filter_shape.h == 1 && filter_shape.w == 1, kKernel,
               "weights must be [units][depth] (h = w = 1)");
  kernel_check(filter_shape.n == output_shape.c, kKernel,
               "weights have " + std::to_string(filter_shape.n) + " units, output has " +
                   std::to_string(output_shape.c));
  const int depth = filter.depth;
  const int64_t batches = output_shape.elements() / output_shape.c;
  kernel_check(input_shape.elements() == batches * depth, kKernel,
               "input has " + std::to_string(input_shape.elements()) + " values, expected " +
                   std::to_string(batches) + " rows of " + std::to_string(depth));
  check_activation_range(params.activation, kKernel);
  check_channel_requant(requant, output_shape.c, kKernel);
  check_gemm_input_offset(params.input_offset, kKernel);

  GemmProblem problem;
  problem.filter = &filter;
  problem.stage = scratch.prepare_stage(filter, bias, requant, params.input_offset,
                                        params.output_offset, params.activation);
  const int tile_rows = gemm_tile_rows(filter.depth_padded);
  uint8_t* lhs = scratch.lhs_buffer(static_cast<size_t>(tile_rows) * filter.depth_padded);
  for (int64_t row = 0; row < batches; row += tile_rows) {
    problem.rows = static_cast<int>(std::min<int64_t>(tile_rows, batches - row));
    rows_to_u8(input, depth, row, problem.rows, filter.depth_padded, lhs);
    problem.lhs = lhs;
    problem.output = output + row * filter.out_channels;
    gemm_u8s8_requant(scratch.level(), problem);
  }
}

}  // namespace tinyskip::sim
