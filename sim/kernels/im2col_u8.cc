#include "sim/kernels/im2col_u8.h"

#include <algorithm>
#include <cstring>

namespace tinyskip::sim {

namespace {

// u = x + 128 is x with its sign bit flipped; a plain loop the compiler
// vectorises.
void copy_to_u8(const int8_t* source, int64_t count, uint8_t* destination) {
  for (int64_t i = 0; i < count; ++i) {
    destination[i] = static_cast<uint8_t>(static_cast<uint8_t>(source[i]) ^ 0x80u);
  }
}

// memcpy for the short runs of im2col (a few to a few hundred bytes), as
// inline fixed-size moves: 16-byte chunks and one overlapping tail chunk
// instead of a library call per filter row.
inline void copy_run(uint8_t* destination, const uint8_t* source, size_t count) {
  if (count >= 16) {
    size_t i = 0;
    for (; i + 16 < count; i += 16) std::memcpy(destination + i, source + i, 16);
    std::memcpy(destination + count - 16, source + count - 16, 16);
  } else if (count >= 8) {
    std::memcpy(destination, source, 8);
    std::memcpy(destination + count - 8, source + count - 8, 8);
  } else if (count >= 4) {
    std::memcpy(destination, source, 4);
    std::memcpy(destination + count - 4, source + count - 4, 4);
  } else {
    for (size_t i = 0; i < count; ++i) destination[i] = source[i];
  }
}

// Extent of the padded buffer along one axis: the leading padding, the
// input, and as much trailing padding as the last output's window reaches.
int padded_extent(int input, int pad_before, int output, int filter, int stride, int dilation) {
  const int last_tap = (output - 1) * stride + (filter - 1) * dilation;  // in padded coordinates
  return std::max(pad_before + input, last_tap + 1);
}

}  // namespace

Im2colGeometry::Im2colGeometry(const ConvParams& params, const Shape4& input_shape,
                               const Shape4& filter_shape, const Shape4& output_shape,
                               int row_bytes)
    : input_(input_shape),
      filter_h_(filter_shape.h),
      filter_w_(filter_shape.w),
      output_h_(output_shape.h),
      output_w_(output_shape.w),
      stride_h_(params.stride_h),
      stride_w_(params.stride_w),
      dilation_h_(params.dilation_h),
      dilation_w_(params.dilation_w),
      pad_top_(params.pad_h),
      pad_left_(params.pad_w),
      padded_h_(padded_extent(input_shape.h, params.pad_h, output_shape.h, filter_shape.h,
                              params.stride_h, params.dilation_h)),
      padded_w_(padded_extent(input_shape.w, params.pad_w, output_shape.w, filter_shape.w,
                              params.stride_w, params.dilation_w)),
      padded_image_bytes_(int64_t{padded_h_} * padded_w_ * input_shape.c),
      padding_byte_(static_cast<uint8_t>(128 - params.input_offset)),
      row_bytes_(row_bytes) {}

bool Im2colGeometry::padded_input_is_rows() const {
  return filter_h_ == 1 && filter_w_ == 1 && stride_h_ == 1 && stride_w_ == 1 && pad_top_ == 0 &&
         pad_left_ == 0 && padded_h_ == input_.h && padded_w_ == input_.w &&
         output_h_ == input_.h && output_w_ == input_.w && row_bytes_ == input_.c;
}

void Im2colGeometry::pad_input(const int8_t* input, uint8_t* padded) const {
  const int64_t channels = input_.c;
  const int64_t padded_row = int64_t{padded_w_} * channels;
  for (int image = 0; image < input_.n; ++image) {
    uint8_t* out = padded + image * padded_image_bytes_;
    const int8_t* in = input + image * input_.image_elements();
    for (int y = 0; y < padded_h_; ++y) {
      uint8_t* out_row = out + y * padded_row;
      const int in_y = y - pad_top_;
      if (in_y < 0 || in_y >= input_.h) {
        std::memset(out_row, padding_byte_, static_cast<size_t>(padded_row));
        continue;
      }
      const int64_t left = pad_left_ * channels;
      const int64_t middle = input_.w * channels;
      std::memset(out_row, padding_byte_, static_cast<size_t>(left));
      copy_to_u8(in + in_y * middle, middle, out_row + left);
      std::memset(out_row + left + middle, padding_byte_,
                  static_cast<size_t>(padded_row - left - middle));
    }
  }
}

void Im2colGeometry::rows_from_padded(const uint8_t* padded, int64_t first_row, int row_count,
                                      uint8_t* rows) const {
  const size_t channels = static_cast<size_t>(input_.c);
  const size_t tap_run = channels * (dilation_w_ == 1 ? filter_w_ : 1);  // contiguous bytes
  const int runs = dilation_w_ == 1 ? 1 : filter_w_;
  const int64_t padded_row = int64_t{padded_w_} * input_.c;
  const int64_t pixels_per_image = int64_t{output_h_} * output_w_;
  const size_t depth = channels * filter_h_ * filter_w_;
  // Walk the output pixels in order, carrying (image, y, x) instead of
  // dividing for every row.
  int64_t image = first_row / pixels_per_image;
  int out_y = static_cast<int>(first_row % pixels_per_image / output_w_);
  int out_x = static_cast<int>(first_row % output_w_);
  for (int r = 0; r < row_count; ++r) {
    uint8_t* destination = rows + static_cast<size_t>(r) * row_bytes_;
    const uint8_t* window = padded + image * padded_image_bytes_ +
                            int64_t{out_y} * stride_h_ * padded_row +
                            int64_t{out_x} * stride_w_ * input_.c;
    for (int ky = 0; ky < filter_h_; ++ky) {
      const uint8_t* source = window + int64_t{ky} * dilation_h_ * padded_row;
      for (int run = 0; run < runs; ++run) {
        copy_run(destination, source + run * dilation_w_ * input_.c, tap_run);
        destination += tap_run;
      }
    }
    // At most a few bytes up to the next depth group: a loop, not a call.
    for (size_t k = depth; k < static_cast<size_t>(row_bytes_); ++k) *destination++ = 0;
    if (++out_x == output_w_) {
      out_x = 0;
      if (++out_y == output_h_) {
        out_y = 0;
        ++image;
      }
    }
  }
}

void rows_to_u8(const int8_t* input, int depth, int64_t first_row, int row_count, int row_bytes,
                uint8_t* rows) {
  for (int r = 0; r < row_count; ++r) {
    uint8_t* row = rows + static_cast<size_t>(r) * row_bytes;
    copy_to_u8(input + (first_row + r) * depth, depth, row);
    std::memset(row + depth, 0, static_cast<size_t>(row_bytes - depth));
  }
}

}  // namespace tinyskip::sim
