// How one MAC layer looks to the significance metric and to the skip masks:
// a weight matrix of `rows` x `depth` (row r = one output channel or unit,
// reduction index k in the order the CMSIS-NN kernels walk it) multiplied
// with "columns" built from the input activations, one column per output
// pixel. The mapping from (row, k) back to the filter tensor's stored layout
// (= the index in sim::WeightMask::skip) lives here too, so that scores,
// masks and pair counts all agree on which weight is which.
//
//   CONV_2D            rows = output channels, k = (ky, kx, c_in), column of
//                      output pixel (oy, ox) = its im2col vector; filter OHWI,
//                      so weight (r, k) is stored at r * depth + k.
//   DEPTHWISE_CONV_2D  rows = output channels; row oc = ic * depth_multiplier
//                      + m reads input channel ic only, k = (ky, kx); the
//                      column of a pixel is therefore per input channel
//                      ("group" ic). Filter 1HWC: weight (r, k) at k * rows + r.
//   FULLY_CONNECTED    rows = units, k = input feature; every input vector of
//                      an image is one column. Weights [out][in]: r * depth + k.
//
// Columns hold input + input_offset (= input - input zero point), widened as
// CMSIS-NN's im2col does; taps that fall into the padding are 0 (the kernels
// skip them, which contributes nothing to any sum).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/graph.h"

namespace tinyskip::engine {

struct ReductionLayout {
  int op_index = -1;
  sim::OpType op_type = sim::OpType::kConv2D;
  int rows = 0;   // output channels (conv, depthwise) or units (fully connected)
  int depth = 0;  // reduction length of one row

  // Sliding-window geometry of one image. A fully connected layer is
  // described as a 1x1 window over in_h "pixels" (its input vectors).
  int in_h = 1, in_w = 1, in_c = 1;
  int out_h = 1, out_w = 1;
  int filter_h = 1, filter_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_h = 0, pad_w = 0;  // padding before the first row / column
  int32_t input_offset = 0;  // -input zero point

  // Rows sharing the same columns: conv and FC have one group of all rows and
  // all input channels; depthwise has one group per input channel, holding
  // its depth_multiplier rows.
  int groups = 1;
  int rows_per_group = 0;
  int channels_per_group = 1;
  // Output pixels processed per kernel call: 2 for the convolutions (the
  // CMSIS-NN 2x2 matrix kernel), 1 for fully connected.
  int pixels_per_call = 2;

  int64_t weight_count() const { return int64_t{rows} * depth; }
  int64_t pixels_per_image() const { return int64_t{out_h} * out_w; }
  int64_t input_elements_per_image() const { return int64_t{in_h} * in_w * in_c; }
  int group_of_row(int row) const { return row / rows_per_group; }
  // Position of weight (row, k) in the filter tensor's stored layout, which
  // is also its index in sim::WeightMask::skip.
  int64_t weight_index(int row, int k) const;
};

// Reads the op's shapes, padding and input offset (through the simulator's
// own parameter derivation, so they cannot disagree with the kernels).
// Throws SignificanceError for an op index out of range or an op that is not
// CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED, and sim::ModelError when the
// op's tensors are inconsistent.
ReductionLayout reduction_layout(const sim::Graph& graph, int op_index);

// The filter weights in (row, k) order: element r * depth + k.
std::vector<int8_t> row_major_weights(const sim::Graph& graph, const ReductionLayout& layout);

// Writes the column of output pixel `pixel` (raster index oy * out_w + ox) of
// one image for `group` into column[0 .. depth): input + input_offset, 0 for
// padded taps. `image` points at that image's NHWC input.
void build_column(const ReductionLayout& layout, const int8_t* image, int group, int64_t pixel,
                  double* column);

}  // namespace tinyskip::engine
