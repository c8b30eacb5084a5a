#include "sim/kernels/conv_s8_gemm.h"

#include <algorithm>
#include <string>

#include "sim/kernels/conv_s8.h"
#include "sim/kernels/im2col_u8.h"
#include "sim/kernels/kernel_check.h"

namespace tinyskip::sim {

int gemm_tile_rows(int row_bytes) {
  constexpr int kTileBytes = 16 * 1024;
  constexpr int kRowMultiple = 48;  // lcm of the micro-kernels' row tiles
  return std::max(kRowMultiple, kTileBytes / row_bytes / kRowMultiple * kRowMultiple);
}

void check_gemm_input_offset(int32_t input_offset, const char* kernel) {
  // The padded-tap byte 128 - input_offset must be a byte (gemm_u8s8.h).
  kernel_check(input_offset >= -127 && input_offset <= 128, kernel,
               "input_offset " + std::to_string(input_offset) +
                   " is not minus an int8 zero point (must be in [-127, 128])");
}

void conv_s8_nhwc_gemm(const ConvParams& params, const ChannelRequant& requant,
                       const Shape4& input_shape, const int8_t* input, const PackedFilter& filter,
                       const int32_t* bias, const Shape4& output_shape, int8_t* output,
                       GemmScratch& scratch) {
  constexpr const char* kKernel = "conv_s8_nhwc_gemm";
  check_conv_s8_shapes(params, requant, input_shape, filter.filter_shape, output_shape, kKernel);
  check_gemm_input_offset(params.input_offset, kKernel);

  const Im2colGeometry geometry(params, input_shape, filter.filter_shape, output_shape,
                                filter.depth_padded);
  uint8_t* padded = scratch.padded_input_buffer(geometry.padded_bytes());
  geometry.pad_input(input, padded);
  const bool padded_input_is_rows = geometry.padded_input_is_rows();

  GemmProblem problem;
  problem.filter = &filter;
  problem.stage = scratch.prepare_stage(filter, bias, requant, params.input_offset,
                                        params.output_offset, params.activation);
  const int tile_rows = gemm_tile_rows(filter.depth_padded);
  uint8_t* lhs = padded_input_is_rows
                     ? nullptr
                     : scratch.lhs_buffer(static_cast<size_t>(tile_rows) * filter.depth_padded);
  const int64_t total_rows = geometry.rows();
  for (int64_t row = 0; row < total_rows; row += tile_rows) {
    problem.rows = static_cast<int>(std::min<int64_t>(tile_rows, total_rows - row));
    if (padded_input_is_rows) {
      problem.lhs = padded + row * filter.depth_padded;
    } else {
      geometry.rows_from_padded(padded, row, problem.rows, lhs);
      problem.lhs = lhs;
    }
    problem.output = output + row * filter.out_channels;
    gemm_u8s8_requant(scratch.level(), problem);
  }
}

}  // namespace tinyskip::sim
