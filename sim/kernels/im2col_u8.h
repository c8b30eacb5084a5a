// im2col for the fast conv path: each output pixel's receptive field becomes
// one row of the GEMM's left-hand side, in the filter's (ky, kx, c_in) order,
// as unsigned bytes u = x + 128. Taps outside the input get the byte
// 128 - input_offset, which the GEMM's folded offset turns into exactly zero
// (see gemm_u8s8.h); bytes past the real depth are zero.
//
// It runs in two steps: the input images are first copied once into a
// converted, padded buffer (border = the padding byte), so that the per-pixel
// step is plain bounds-check-free copies of filter rows (filter_w * c_in
// contiguous bytes when dilation_w is 1).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/kernels/kernel_params.h"

namespace tinyskip::sim {

class Im2colGeometry {
 public:
  // Shapes as for conv_s8_nhwc (filter_shape OHWI); row_bytes >= the depth
  // filter_h * filter_w * c_in is the distance between rows.
  Im2colGeometry(const ConvParams& params, const Shape4& input_shape, const Shape4& filter_shape,
                 const Shape4& output_shape, int row_bytes);

  int64_t rows() const { return int64_t{input_.n} * output_h_ * output_w_; }
  int row_bytes() const { return row_bytes_; }
  size_t padded_bytes() const { return static_cast<size_t>(padded_image_bytes_) * input_.n; }

  // Step 1: the converted, padded copy of all input images (padded_bytes()).
  void pad_input(const int8_t* input, uint8_t* padded) const;
  // Step 2: rows first_row .. first_row + row_count - 1 (row index = (image *
  // output_h + out_y) * output_w + out_x), row_bytes apart.
  void rows_from_padded(const uint8_t* padded, int64_t first_row, int row_count,
                        uint8_t* rows) const;
  // A 1x1, stride-1, unpadded filter whose depth fills the row exactly: the
  // padded input already is the row matrix and step 2 is not needed.
  bool padded_input_is_rows() const;

 private:
  Shape4 input_;
  int filter_h_, filter_w_, output_h_, output_w_;
  int stride_h_, stride_w_, dilation_h_, dilation_w_;
  int pad_top_, pad_left_;
  int padded_h_, padded_w_;
  int64_t padded_image_bytes_;
  uint8_t padding_byte_;
  int row_bytes_;
};

// Fully connected input: row r is input row first_row + r of length depth,
// converted to u = x + 128 and zero-padded to row_bytes.
void rows_to_u8(const int8_t* input, int depth, int64_t first_row, int row_count, int row_bytes,
                uint8_t* rows);

}  // namespace tinyskip::sim
