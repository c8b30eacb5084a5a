#include "mcu_model/kernel_features.h"

#include <string>

#include "mcu_model/errors.h"
#include "mcu_model/unpacked_cost.h"

namespace tinyskip::mcu {

namespace {

double d(int64_t value) { return static_cast<double>(value); }

// The per-call overhead and the im2col of a convolution, CMSIS-NN's or the
// unpacked kernel's (the same loops: per pixel, per tap in bounds or in the
// padding, per channel of each); returns the in-bounds taps.
int64_t add_im2col(KernelFeatures& f, const ConvGeometry& g) {
  const int64_t pixels = g.pixels() * g.batches;
  const int64_t taps_in = g.in_bounds_taps() * g.batches;
  const int64_t taps_pad = pixels * g.taps() - taps_in;
  f.add("one", 1);
  f.add("pixels", d(pixels));
  f.add("taps_in", d(taps_in));
  f.add("taps_pad", d(taps_pad));
  f.add("elements_in", d(taps_in * g.in_channels));
  f.add("elements_pad", d(taps_pad * g.in_channels));
  return taps_in;
}

// The convolution loop nest every conv kernel shares (CMSIS-NN's
// arm_convolve_s8 and the runtime's ts_conv_s8 are the same algorithm): per
// output pixel an im2col over the taps, copying Cin values of an in-bounds
// tap or filling a padded one; per pixel pair one 2x2 matrix pass: per
// output-channel pair a set-up, steps of 4 (CMSIS-NN) or 2 (runtime)
// reduction values and a tail, an odd last channel, an odd last pixel; a
// requantisation per output. CMSIS-NN's 1x1 paths run the same counts
// through arm_nn_mat_mult_nt_t_s8 (taps = 1, no padding).
void add_conv_loop_nest(KernelFeatures& f, const ConvGeometry& g) {
  const int64_t taps_in = add_im2col(f, g);
  const int64_t pixels = g.pixels() * g.batches;
  const int64_t rows = g.out_channels, k = g.conv_reduction();
  const int64_t pixel_pairs = pixels / 2, row_pair_passes = pixel_pairs * (rows / 2);
  f.add("elements_in_tail", d(taps_in * (g.in_channels % 4)));
  f.add("pixel_pairs", d(pixel_pairs));
  f.add("row_pair_passes", d(row_pair_passes));
  f.add("steps_4", d(row_pair_passes * (k / 4)));
  f.add("steps_2", d(row_pair_passes * (k / 2)));
  f.add("tail_4", d(row_pair_passes * (k % 4)));
  f.add("odd_row_k", d(pixel_pairs * (rows % 2) * k));
  f.add("odd_pixel_k", d((pixels % 2) * rows * k));
  f.add("outputs", d(pixels * rows));
}

// The conv path arm_convolve_wrapper_s8 takes.
std::string cmsis_conv_kernel(const ConvGeometry& g) {
  if (g.y.filter == 1 && g.x.filter == 1 && g.y.pad == 0 && g.x.pad == 0 && g.y.dilation == 1 && g.x.dilation == 1)
    return g.is_pointwise_fast_path() ? "cmsis-nn.conv_2d_1x1_fast" : "cmsis-nn.conv_2d_1x1";
  return "cmsis-nn.conv_2d";
}

// The depthwise path arm_depthwise_conv_wrapper_s8 takes on a Cortex-M4:
// the 3x3 kernel (multiplier 1, padding at most 1), the im2col "opt" kernel
// (other multiplier-1 layers), or the generic one; their loops differ, so
// each is a kernel type of its own.
std::string cmsis_depthwise_kernel(const ConvGeometry& g) {
  const bool multiplier_1 = g.depth_multiplier == 1 && g.batches == 1 && g.y.dilation == 1 && g.x.dilation == 1;
  if (!multiplier_1) return "cmsis-nn.depthwise_conv_2d_generic";
  if (g.y.filter == 3 && g.x.filter == 3 && g.y.pad <= 1 && g.x.pad <= 1) return "cmsis-nn.depthwise_conv_2d_3x3";
  return "cmsis-nn.depthwise_conv_2d";
}

void add_depthwise_loop_nest(KernelFeatures& f, const ConvGeometry& g) {
  const int64_t pixels = g.pixels() * g.batches;
  const int64_t taps_in = g.in_bounds_taps() * g.batches;
  f.add("one", 1);
  f.add("pixels", d(pixels));
  f.add("taps_in", d(taps_in));
  f.add("taps_pad", d(pixels * g.taps() - taps_in));
  f.add("channel_taps_in", d(taps_in * g.out_channels));
  f.add("channel_taps_in_tail", d(taps_in * (g.out_channels % 4)));
  f.add("outputs", d(pixels * g.out_channels));
}

// Matrix-vector product: per output-row pair steps of 4 k, a tail, an odd
// last row; the input offset or widening once per batch.
void add_fully_connected_loop_nest(KernelFeatures& f, const FullyConnectedGeometry& g) {
  const int64_t b = g.batches, rows = g.out_features, k = g.in_features;
  f.add("one", 1);
  f.add("inputs", d(b * k));
  f.add("row_pairs", d(b * (rows / 2)));
  f.add("steps_4", d(b * (rows / 2) * (k / 4)));
  f.add("tail_4", d(b * (rows / 2) * (k % 4)));
  f.add("odd_row_k", d(b * (rows % 2) * k));
  f.add("outputs", d(b * rows));
}

// Per output pixel a window, per in-bounds tap a pass over the channels.
void add_pool_loop_nest(KernelFeatures& f, const PoolGeometry& g) {
  const int64_t pixels = g.pixels() * g.batches, taps_in = g.in_bounds_taps() * g.batches;
  f.add("one", 1);
  f.add("pixels", d(pixels));
  f.add("outputs", d(pixels * g.channels));
  f.add("outputs_tail", d(pixels * (g.channels % 4)));
  f.add("taps_in", d(taps_in));
  f.add("channel_taps_in", d(taps_in * g.channels));
  f.add("channel_taps_in_tail", d(taps_in * (g.channels % 4)));
}

void add_elementwise(KernelFeatures& f, int64_t elements) {
  f.add("one", 1);
  f.add("elements", d(elements));
  f.add("elements_tail", d(elements % 4));
}

const char* op_key(sim::OpType type) {
  switch (type) {
    case sim::OpType::kConv2D: return "conv_2d";
    case sim::OpType::kDepthwiseConv2D: return "depthwise_conv_2d";
    case sim::OpType::kFullyConnected: return "fully_connected";
    case sim::OpType::kMaxPool2D: return "max_pool_2d";
    case sim::OpType::kAveragePool2D: return "average_pool_2d";
    case sim::OpType::kAdd: return "add";
    case sim::OpType::kSoftmax: return "softmax";
    case sim::OpType::kQuantize: return "quantize";
    case sim::OpType::kDequantize: return "dequantize";
    case sim::OpType::kReshape: return "reshape";
  }
  return "unknown";
}

bool runs_on_runtime_always(sim::OpType type) {
  return type == sim::OpType::kQuantize || type == sim::OpType::kDequantize || type == sim::OpType::kReshape;
}

}  // namespace

const char* exact_kernels_name(ExactKernels kernels) {
  return kernels == ExactKernels::kCmsisNn ? "cmsis-nn" : "runtime";
}

KernelFeatures exact_kernel_features(const sim::Graph& graph, const sim::Op& op, ExactKernels kernels) {
  const bool cmsis_nn = kernels == ExactKernels::kCmsisNn && !runs_on_runtime_always(op.type);
  KernelFeatures f;
  f.kernel = std::string(cmsis_nn ? "cmsis-nn." : "runtime.") + op_key(op.type);
  switch (op.type) {
    case sim::OpType::kConv2D: {
      const ConvGeometry g = conv_geometry(graph, op);
      if (cmsis_nn) f.kernel = cmsis_conv_kernel(g);
      add_conv_loop_nest(f, g);
      break;
    }
    case sim::OpType::kDepthwiseConv2D: {
      const ConvGeometry g = conv_geometry(graph, op);
      if (cmsis_nn) f.kernel = cmsis_depthwise_kernel(g);
      add_depthwise_loop_nest(f, g);
      break;
    }
    case sim::OpType::kFullyConnected: add_fully_connected_loop_nest(f, fully_connected_geometry(graph, op)); break;
    case sim::OpType::kMaxPool2D:
    case sim::OpType::kAveragePool2D: add_pool_loop_nest(f, pool_geometry(graph, op)); break;
    case sim::OpType::kSoftmax: {
      const int64_t elements = output_elements(graph, op);
      f.add("one", 1);
      f.add("rows", d(elements / output_last_dimension(graph, op)));
      f.add("elements", d(elements));
      break;
    }
    case sim::OpType::kReshape:
      add_elementwise(f, output_elements(graph, op) * sim::data_type_size(graph.output_of(op).type));
      break;
    case sim::OpType::kAdd:
    case sim::OpType::kQuantize:
    case sim::OpType::kDequantize: add_elementwise(f, output_elements(graph, op)); break;
  }
  return f;
}

bool runs_on_cmsis_nn(const KernelFeatures& features) { return features.kernel.rfind("cmsis-nn.", 0) == 0; }

KernelFeatures unpacked_conv_features(const ConvGeometry& g, const UnpackedCounts& counts, sim::OpType type) {
  if (type != sim::OpType::kConv2D && type != sim::OpType::kDepthwiseConv2D)
    throw EstimateError("unpacked_conv_features: not a convolution");
  const int64_t calls = g.batches * ((g.pixels() + 1) / 2);
  KernelFeatures f;
  f.kernel = std::string("unpacked.") + op_key(type);
  add_im2col(f, g);
  f.add("calls", d(calls));
  f.add("row_group_calls", d(calls * ((g.out_channels + 1) / 2)));
  f.add("output_calls", d(calls * g.out_channels));
  f.add("operand_loads", d(calls * counts.operand_pairs));
  f.add("kept_pairs", d(calls * counts.full_pairs));
  f.add("single_weights", d(calls * counts.split_pairs));
  return f;
}

KernelFeatures unpacked_fully_connected_features(int64_t rows, int64_t depth, const UnpackedCounts& counts) {
  KernelFeatures f;
  f.kernel = "unpacked.fully_connected";
  f.add("calls", 1);
  f.add("input_copies", d(depth));
  f.add("row_group_calls", d((rows + 1) / 2));
  f.add("output_calls", d(rows));
  f.add("operand_loads", d(counts.operand_pairs));
  f.add("kept_pairs", d(counts.full_pairs));
  f.add("single_weights", d(counts.split_pairs));
  return f;
}

KernelFeatures unpacked_layer_features(const sim::Graph& graph, const sim::Op& op, const UnpackedCounts& counts) {
  if (op.type == sim::OpType::kConv2D || op.type == sim::OpType::kDepthwiseConv2D)
    return unpacked_conv_features(conv_geometry(graph, op), counts, op.type);
  if (op.type == sim::OpType::kFullyConnected) {
    const sim::Tensor& filter = graph.input_of(op, 1);
    if (filter.shape.size() != 2)
      throw EstimateError(graph.source + ": " + graph.describe(op) + ": filter is not 2-D");
    return unpacked_fully_connected_features(filter.shape[0], filter.shape[1], counts);
  }
  throw EstimateError(graph.source + ": " + graph.describe(op) + ": not an unpackable layer");
}

}  // namespace tinyskip::mcu
