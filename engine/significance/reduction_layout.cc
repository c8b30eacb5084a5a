#include "engine/significance/reduction_layout.h"

#include <fmt/format.h>

#include "engine/significance/significance_error.h"
#include "sim/kernels/op_params.h"

namespace tinyskip::engine {

namespace {

[[noreturn]] void fail(const sim::Graph& graph, const sim::Op& op, const std::string& what) {
  throw SignificanceError(fmt::format("{}: {}: {}", graph.source, graph.describe(op), what));
}

// The captured activations hold one whole input tensor per image, so a
// convolution's input must be a single image (batch 1).
void require_single_batch(const sim::Graph& graph, const sim::Op& op, const sim::Shape4& input) {
  if (input.n != 1)
    fail(graph, op, fmt::format("input batch is {}; significance needs a batch of 1 per image", input.n));
}

void set_window(ReductionLayout& layout, const sim::Shape4& input, const sim::Shape4& output,
                const sim::Shape4& filter, const sim::ConvParams& params) {
  layout.in_h = input.h;
  layout.in_w = input.w;
  layout.in_c = input.c;
  layout.out_h = output.h;
  layout.out_w = output.w;
  layout.filter_h = filter.h;
  layout.filter_w = filter.w;
  layout.stride_h = params.stride_h;
  layout.stride_w = params.stride_w;
  layout.dilation_h = params.dilation_h;
  layout.dilation_w = params.dilation_w;
  layout.pad_h = params.pad_h;
  layout.pad_w = params.pad_w;
  layout.input_offset = params.input_offset;
}

ReductionLayout conv_layout(const sim::Graph& graph, const sim::Op& op) {
  const sim::ConvParams params = sim::make_conv_params(graph, op).first;
  const sim::OpShapes shapes = sim::op_shapes(graph, op);
  require_single_batch(graph, op, shapes.input);
  const sim::Shape4 filter = sim::shape_of(graph.input_of(op, 1));  // OHWI
  ReductionLayout layout;
  set_window(layout, shapes.input, shapes.output, filter, params);
  layout.rows = filter.n;
  layout.depth = filter.h * filter.w * filter.c;
  layout.groups = 1;
  layout.rows_per_group = layout.rows;
  layout.channels_per_group = shapes.input.c;
  layout.pixels_per_call = 2;
  return layout;
}

ReductionLayout depthwise_layout(const sim::Graph& graph, const sim::Op& op) {
  const sim::ConvParams params = sim::make_depthwise_params(graph, op).first;
  const sim::OpShapes shapes = sim::op_shapes(graph, op);
  require_single_batch(graph, op, shapes.input);
  const sim::Shape4 filter = sim::shape_of(graph.input_of(op, 1));  // 1HWC
  ReductionLayout layout;
  set_window(layout, shapes.input, shapes.output, filter, params);
  layout.rows = filter.c;
  layout.depth = filter.h * filter.w;
  layout.groups = shapes.input.c;
  layout.rows_per_group = params.depth_multiplier;
  layout.channels_per_group = 1;
  layout.pixels_per_call = 2;
  return layout;
}

// A fully connected layer is a 1x1 window over its input vectors: each vector
// is one "pixel" of the image and one kernel call.
ReductionLayout fully_connected_layout(const sim::Graph& graph, const sim::Op& op) {
  const sim::FullyConnectedParams params = sim::make_fully_connected_params(graph, op).first;
  const sim::Tensor& weights = graph.input_of(op, 1);  // [units][depth], checked above
  const int units = weights.shape[0];
  const int depth = weights.shape[1];
  const int64_t vectors = graph.input_of(op, 0).num_elements() / depth;
  ReductionLayout layout;
  layout.rows = units;
  layout.depth = depth;
  layout.in_h = static_cast<int>(vectors);
  layout.in_c = depth;
  layout.out_h = layout.in_h;
  layout.input_offset = params.input_offset;
  layout.groups = 1;
  layout.rows_per_group = units;
  layout.channels_per_group = depth;
  layout.pixels_per_call = 1;
  return layout;
}

}  // namespace

int64_t ReductionLayout::weight_index(int row, int k) const {
  if (op_type == sim::OpType::kDepthwiseConv2D) return int64_t{k} * rows + row;
  return int64_t{row} * depth + k;
}

ReductionLayout reduction_layout(const sim::Graph& graph, int op_index) {
  if (op_index < 0 || op_index >= static_cast<int>(graph.ops.size()))
    throw SignificanceError(fmt::format("{}: op index {} is out of range (the graph has {} ops)", graph.source,
                                        op_index, graph.ops.size()));
  const sim::Op& op = graph.ops[static_cast<size_t>(op_index)];
  ReductionLayout layout;
  switch (op.type) {
    case sim::OpType::kConv2D: layout = conv_layout(graph, op); break;
    case sim::OpType::kDepthwiseConv2D: layout = depthwise_layout(graph, op); break;
    case sim::OpType::kFullyConnected: layout = fully_connected_layout(graph, op); break;
    default:
      fail(graph, op, "significance is defined for CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED only");
  }
  layout.op_index = op_index;
  layout.op_type = op.type;
  return layout;
}

std::vector<int8_t> row_major_weights(const sim::Graph& graph, const ReductionLayout& layout) {
  const sim::Op& op = graph.ops.at(static_cast<size_t>(layout.op_index));
  const auto stored = graph.input_of(op, 1).values<int8_t>();
  if (static_cast<int64_t>(stored.size()) != layout.weight_count())
    fail(graph, op, fmt::format("filter holds {} values, expected {} x {}", stored.size(), layout.rows,
                                layout.depth));
  std::vector<int8_t> weights(static_cast<size_t>(layout.weight_count()));
  for (int r = 0; r < layout.rows; ++r)
    for (int k = 0; k < layout.depth; ++k)
      weights[static_cast<size_t>(int64_t{r} * layout.depth + k)] =
          stored[static_cast<size_t>(layout.weight_index(r, k))];
  return weights;
}

void build_column(const ReductionLayout& layout, const int8_t* image, int group, int64_t pixel,
                  double* column) {
  const int out_y = static_cast<int>(pixel / layout.out_w);
  const int out_x = static_cast<int>(pixel % layout.out_w);
  const int in_y_origin = out_y * layout.stride_h - layout.pad_h;
  const int in_x_origin = out_x * layout.stride_w - layout.pad_w;
  const int first_channel = group * layout.channels_per_group;
  const int channels = layout.channels_per_group;
  for (int ky = 0; ky < layout.filter_h; ++ky) {
    const int in_y = in_y_origin + ky * layout.dilation_h;
    const bool row_inside = in_y >= 0 && in_y < layout.in_h;
    for (int kx = 0; kx < layout.filter_w; ++kx) {
      const int in_x = in_x_origin + kx * layout.dilation_w;
      double* tap = column + (int64_t{ky} * layout.filter_w + kx) * channels;
      if (!row_inside || in_x < 0 || in_x >= layout.in_w) {
        for (int c = 0; c < channels; ++c) tap[c] = 0.0;
        continue;
      }
      const int8_t* source = image + (int64_t{in_y} * layout.in_w + in_x) * layout.in_c + first_channel;
      for (int c = 0; c < channels; ++c) tap[c] = static_cast<double>(source[c] + layout.input_offset);
    }
  }
}

}  // namespace tinyskip::engine
