#include "engine/calibrate/fit_set.h"

#include <algorithm>
#include <cstring>
#include <random>

#include <fmt/format.h>

namespace tinyskip::engine {
namespace {

using sim::DataType;
using sim::OpType;
using Shape = std::vector<int32_t>;

// Weights per convolution at most: the unpacked code of a larger layer takes
// minutes to compile, and the shapes above already span what the features need.
constexpr int64_t kMaxConvWeights = 24 * 1024;
constexpr int kImageSize = 32, kImageChannels = 3;

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// Builds one chain of ops, each reading the previous one's output.
class ChainBuilder {
 public:
  ChainBuilder(std::mt19937_64& rng, std::string name) : rng_(rng) { graph_.source = name + ".synthetic"; }

  void int8_input() { current_ = graph_.input = tensor("input", {1, kImageSize, kImageSize, kImageChannels}, DataType::kInt8, 1.0f, -128); }
  void float_input() {
    graph_.input = tensor("input", {1, kImageSize, kImageSize, kImageChannels}, DataType::kFloat32);
    current_ = graph_.input;
    const int out = activation("quantized", shape(), 1.0f / 255, -128);
    op(OpType::kQuantize, {current_}, out);
  }

  void conv(int out_channels, int kernel, int stride, bool same) {
    const Shape in = shape();
    const int in_channels = in[3];
    out_channels = static_cast<int>(std::clamp<int64_t>(kMaxConvWeights / (int64_t{kernel} * kernel * in_channels), 2, out_channels));
    if (!same && (in[1] < kernel || in[2] < kernel)) same = true;
    const sim::Padding padding = same ? sim::Padding::kSame : sim::Padding::kValid;
    const int out_h = static_cast<int>(sim::windowed_output_size(padding, in[1], kernel, stride, 1));
    const int out_w = static_cast<int>(sim::windowed_output_size(padding, in[2], kernel, stride, 1));
    std::vector<int8_t> weights(static_cast<size_t>(out_channels) * kernel * kernel * in_channels);
    for (int8_t& w : weights) w = random_weight();
    std::vector<float> scales(static_cast<size_t>(out_channels));
    for (float& s : scales) s = uniform(0.002f, 0.01f);
    const int filter = tensor("filter", {out_channels, kernel, kernel, in_channels}, DataType::kInt8, scales,
                              std::vector<int32_t>(scales.size(), 0), 0, bytes_of(weights));
    const int bias = tensor("bias", {out_channels}, DataType::kInt32, {}, {}, 0, bytes_of(random_bias(out_channels)));
    const int out = activation("conv", {1, out_h, out_w, out_channels}, uniform(0.02f, 0.1f), -128);
    sim::OpOptions o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    o.activation = sim::Activation::kRelu;
    op(OpType::kConv2D, {current_, filter, bias}, out, o);
  }

  // Depthwise, ReLU; multiplier 1 (the CMSIS-NN paths MobileNet-style
  // models take: the 3x3 kernel, or im2col for other windows).
  void depthwise(int kernel, int stride, bool same) {
    const Shape in = shape();
    const int channels = in[3];
    if (!same && (in[1] < kernel || in[2] < kernel)) same = true;
    const sim::Padding padding = same ? sim::Padding::kSame : sim::Padding::kValid;
    const int out_h = static_cast<int>(sim::windowed_output_size(padding, in[1], kernel, stride, 1));
    const int out_w = static_cast<int>(sim::windowed_output_size(padding, in[2], kernel, stride, 1));
    std::vector<int8_t> weights(static_cast<size_t>(kernel) * kernel * channels);
    for (int8_t& w : weights) w = random_weight();
    std::vector<float> scales(static_cast<size_t>(channels));
    for (float& s : scales) s = uniform(0.005f, 0.03f);
    const int filter = tensor("dw_filter", {1, kernel, kernel, channels}, DataType::kInt8, scales,
                              std::vector<int32_t>(scales.size(), 0), 3, bytes_of(weights));
    const int bias = tensor("bias", {channels}, DataType::kInt32, {}, {}, 0, bytes_of(random_bias(channels)));
    const int out = activation("dw", {1, out_h, out_w, channels}, uniform(0.02f, 0.1f), -128);
    sim::OpOptions o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    o.depth_multiplier = 1;
    o.activation = sim::Activation::kRelu;
    op(OpType::kDepthwiseConv2D, {current_, filter, bias}, out, o);
  }

  void pool(OpType type, int window, int stride) {
    const Shape in = shape();
    window = std::min({window, in[1], in[2]});
    const int out_h = static_cast<int>(sim::windowed_output_size(sim::Padding::kValid, in[1], window, stride, 1));
    const int out_w = static_cast<int>(sim::windowed_output_size(sim::Padding::kValid, in[2], window, stride, 1));
    const sim::Quantization q = graph_.tensor(current_).quant;
    const int out = activation("pool", {1, out_h, out_w, in[3]}, q.scale[0], q.zero_point[0]);
    sim::OpOptions o;
    o.padding = sim::Padding::kValid;
    o.stride_h = o.stride_w = stride;
    o.filter_h = o.filter_w = window;
    op(type, {current_}, out, o);
  }

  // x + conv(x), the conv keeping the shape.
  void residual(int kernel) {
    const int block_input = current_;
    conv(shape()[3], kernel, 1, true);
    if (shape()[3] != graph_.tensor(block_input).shape[3]) return;  // the conv had to shrink
    const int out = activation("sum", shape(), uniform(0.05f, 0.15f), static_cast<int32_t>(uniform(-128, -60)));
    op(OpType::kAdd, {block_input, current_}, out);
  }

  void flatten() {
    const Shape in = shape();
    const int32_t features = in[1] * in[2] * in[3];
    const int new_shape = tensor("shape", {2}, DataType::kInt32, {}, {}, 0, bytes_of(std::vector<int32_t>{1, features}));
    const sim::Quantization q = graph_.tensor(current_).quant;
    const int out = activation("flat", {1, features}, q.scale[0], q.zero_point[0]);
    op(OpType::kReshape, {current_, new_shape}, out);
  }

  void fully_connected(int units, bool relu) {
    const int32_t depth = shape()[1];
    std::vector<int8_t> weights(static_cast<size_t>(units) * static_cast<size_t>(depth));
    for (int8_t& w : weights) w = random_weight();
    const int filter = tensor("weights", {units, depth}, DataType::kInt8, {uniform(0.002f, 0.01f)}, {0}, 0, bytes_of(weights));
    const int bias = tensor("bias", {units}, DataType::kInt32, {}, {}, 0, bytes_of(random_bias(units)));
    const int out = activation("fc", {1, units}, uniform(0.05f, 0.2f), relu ? -128 : 0);
    sim::OpOptions o;
    o.activation = relu ? sim::Activation::kRelu : sim::Activation::kNone;
    op(OpType::kFullyConnected, {current_, filter, bias}, out, o);
  }

  void softmax() { op(OpType::kSoftmax, {current_}, activation("probabilities", shape(), 1.0f / 256, -128)); }
  void dequantize() { op(OpType::kDequantize, {current_}, tensor("output", shape(), DataType::kFloat32)); }

  Shape shape() const { return graph_.tensor(current_).shape; }
  float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng_); }
  sim::Graph finish() {
    graph_.output = current_;
    return std::move(graph_);
  }

 private:
  int tensor(const std::string& name, Shape shape, DataType type, std::vector<float> scales = {},
             std::vector<int32_t> zero_points = {}, int axis = 0, std::vector<uint8_t> data = {}) {
    sim::Tensor t;
    t.name = fmt::format("{}_{}", name, graph_.tensors.size());
    t.shape = std::move(shape);
    t.type = type;
    t.quant.scale = std::move(scales);
    t.quant.zero_point = std::move(zero_points);
    t.quant.quantized_dimension = axis;
    t.data = std::move(data);
    graph_.tensors.push_back(std::move(t));
    return static_cast<int>(graph_.tensors.size()) - 1;
  }
  int tensor(const std::string& name, Shape shape, DataType type, float scale, int32_t zero_point) {
    return tensor(name, std::move(shape), type, std::vector<float>{scale}, std::vector<int32_t>{zero_point});
  }
  int activation(const std::string& name, Shape shape, float scale, int32_t zero_point) {
    return tensor(name, std::move(shape), DataType::kInt8, scale, zero_point);
  }
  void op(OpType type, std::vector<int> inputs, int output, sim::OpOptions options = {}) {
    sim::Op o;
    o.type = type;
    o.index = static_cast<int>(graph_.ops.size());
    o.inputs = std::move(inputs);
    o.outputs = {output};
    o.options = options;
    graph_.ops.push_back(std::move(o));
    current_ = output;
  }
  // Trained int8 filters have a few percent exact zeros, which the unpacked
  // generator drops like skipped weights.
  int8_t random_weight() {
    if (uniform(0, 1) < 0.04f) return 0;
    const int value = static_cast<int>(std::normal_distribution<float>(0, 40)(rng_));
    return static_cast<int8_t>(std::clamp(value == 0 ? 1 : value, -127, 127));
  }
  std::vector<int32_t> random_bias(int count) {
    std::vector<int32_t> bias(static_cast<size_t>(count));
    for (int32_t& b : bias) b = std::uniform_int_distribution<int32_t>(-2000, 2000)(rng_);
    return bias;
  }

  std::mt19937_64& rng_;
  sim::Graph graph_;
  int current_ = -1;
};

template <class T>
T pick(std::mt19937_64& rng, std::initializer_list<T> values) {
  const auto index = std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng);
  return *(values.begin() + index);
}

bool chance(std::mt19937_64& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

sim::Graph random_chain(std::mt19937_64& rng, const std::string& name, bool float_input) {
  ChainBuilder b(rng, name);
  if (float_input)
    b.float_input();
  else
    b.int8_input();
  b.conv(pick(rng, {8, 12, 16, 20, 24}), pick(rng, {3, 3, 5}), chance(rng, 0.3) ? 2 : 1, chance(rng, 0.6));
  if (chance(rng, 0.5)) b.pool(OpType::kMaxPool2D, 2, 2);
  b.conv(pick(rng, {8, 12, 16, 24, 32, 40, 48}), pick(rng, {1, 3, 3, 5}), chance(rng, 0.4) ? 2 : 1, chance(rng, 0.6));
  if (chance(rng, 0.6)) b.residual(3);
  if (chance(rng, 0.5)) b.conv(pick(rng, {12, 24, 32, 48}), 1, 1, false);  // CMSIS-NN's 1x1 fast path
  if (chance(rng, 0.5)) b.conv(pick(rng, {16, 24, 40, 56}), 1, 2, false);  // the strided 1x1 path
  if (chance(rng, 0.7)) b.conv(pick(rng, {16, 24, 32, 48, 64}), 3, chance(rng, 0.5) ? 2 : 1, chance(rng, 0.5));
  if (chance(rng, 0.5))
    b.pool(OpType::kAveragePool2D, chance(rng, 0.5) ? 64 : 2, 2);  // global or 2x2
  else
    b.pool(OpType::kMaxPool2D, pick(rng, {2, 3}), 2);
  b.flatten();
  if (chance(rng, 0.7)) b.fully_connected(pick(rng, {16, 32, 48, 64}), true);
  b.fully_connected(pick(rng, {10, 10, 7}), false);
  if (float_input)
    b.dequantize();
  else
    b.softmax();
  return b.finish();
}

// A depthwise-separable chain (MobileNet, DS-CNN): a first conv, then blocks
// of a depthwise layer and a pointwise conv, a global average pool and the
// classifier.
sim::Graph random_separable_chain(std::mt19937_64& rng, const std::string& name, bool float_input) {
  ChainBuilder b(rng, name);
  if (float_input)
    b.float_input();
  else
    b.int8_input();
  // Stride 2 first, as MobileNet and DS-CNN do: the activations then fit
  // the smallest board's RAM.
  b.conv(pick(rng, {8, 16, 24}), 3, 2, true);
  const int blocks = pick(rng, {2, 3, 3});
  for (int block = 0; block < blocks; ++block) {
    b.depthwise(pick(rng, {3, 3, 3, 5}), chance(rng, 0.4) ? 2 : 1, chance(rng, 0.7));
    b.conv(pick(rng, {16, 24, 32, 48, 64}), 1, 1, false);
  }
  b.pool(OpType::kAveragePool2D, 64, 2);  // global, as MobileNet and DS-CNN end
  b.flatten();
  // Half of them with a wide and a narrow FC layer first (an autoencoder's
  // shapes, 96-128 wide with an 8-16 bottleneck), so the unpacked FC fit sees
  // the long rows and short columns of AD01-like models.
  if (chance(rng, 0.5)) {
    b.fully_connected(pick(rng, {96, 128}), true);
    b.fully_connected(pick(rng, {8, 16}), true);
    b.fully_connected(pick(rng, {96, 128}), true);
  }
  if (chance(rng, 0.8)) b.fully_connected(pick(rng, {16, 32, 48, 64}), true);
  b.fully_connected(pick(rng, {10, 12}), false);
  if (float_input)
    b.dequantize();
  else
    b.softmax();
  return b.finish();
}

// Skips about `fraction` of every layer's weights; pair-wise masks (both
// weights of a reduction pair, the search's pair mode) or single weights.
sim::MaskSet random_masks(std::mt19937_64& rng, const sim::Graph& graph, const std::set<int>& ops, double fraction,
                          bool pairs) {
  sim::MaskSet masks;
  for (int index : ops) {
    const sim::Op& op = graph.ops[static_cast<size_t>(index)];
    const sim::Tensor& filter = graph.input_of(op, 1);
    // Rows are output channels or units; a depthwise filter (1HWC) stores
    // its rows' taps channel-fastest.
    const bool depthwise = op.type == OpType::kDepthwiseConv2D;
    const int64_t rows = depthwise ? filter.shape[3] : filter.shape[0], k = filter.num_elements() / rows;
    auto stored_at = [&](int64_t r, int64_t i) { return static_cast<size_t>(depthwise ? i * rows + r : r * k + i); };
    sim::WeightMask mask;
    mask.skip.assign(static_cast<size_t>(filter.num_elements()), 0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < k; j += pairs ? 2 : 1)
        if (chance(rng, fraction))
          for (int64_t i = j; i < std::min(k, j + (pairs ? 2 : 1)); ++i) mask.skip[stored_at(r, i)] = 1;
    masks[index] = std::move(mask);
  }
  return masks;
}


// The network's four programs: exact on CMSIS-NN, exact on the runtime, and
// the `unpacked` layers unpacked at a low and a high skip fraction.
void add_programs(std::mt19937_64& rng, FitNetwork& network, const std::set<int>& unpacked, int n) {
  network.programs.push_back({network.name + "_cmsis_nn", true, {}, {}, 0});
  network.programs.push_back({network.name + "_runtime", false, {}, {}, 0});
  const double low = std::uniform_real_distribution<double>(0, 0.3)(rng);
  const double high = std::uniform_real_distribution<double>(0.3, 0.9)(rng);
  network.programs.push_back({network.name + "_unpacked_low", n % 2 == 0, unpacked,
                              random_masks(rng, network.graph, unpacked, low, chance(rng, 0.7)), low});
  network.programs.push_back({network.name + "_unpacked_high", n % 2 == 1, unpacked,
                              random_masks(rng, network.graph, unpacked, high, chance(rng, 0.7)), high});
}

std::set<int> ops_of_types(const sim::Graph& graph, std::initializer_list<OpType> types) {
  std::set<int> ops;
  for (const sim::Op& op : graph.ops)
    if (std::find(types.begin(), types.end(), op.type) != types.end()) ops.insert(op.index);
  return ops;
}

// The separable networks draw from a stream of their own, so that adding
// them left the first family (and its fitted conv kernels) as it was.
constexpr uint64_t kSeparableStream = 0x5eba7ab1e;

}  // namespace

std::vector<FitNetwork> generate_fit_set(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<FitNetwork> set;
  for (int n = 0; n < count; ++n) {
    FitNetwork network;
    network.name = fmt::format("fit{:02d}", n);
    network.float_input = n % 4 == 3;
    network.graph = random_chain(rng, network.name, network.float_input);
    add_programs(rng, network, ops_of_types(network.graph, {OpType::kConv2D}), n);
    set.push_back(std::move(network));
  }
  std::mt19937_64 separable_rng(seed ^ kSeparableStream);
  for (int n = 0; n < separable_count(count); ++n) {
    FitNetwork network;
    network.name = fmt::format("fitdw{:02d}", n);
    network.float_input = n % 4 == 3;
    network.graph = random_separable_chain(separable_rng, network.name, network.float_input);
    add_programs(separable_rng, network,
                 ops_of_types(network.graph, {OpType::kConv2D, OpType::kDepthwiseConv2D, OpType::kFullyConnected}),
                 n);
    set.push_back(std::move(network));
  }
  return set;
}

int separable_count(int count) { return (count + 1) / 2; }

std::string describe_fit_set(int count, uint64_t seed) {
  return fmt::format(
      "{} generated chain networks (seed {}; engine/calibrate/fit_set.h), none a shipped model's layer: CIFAR-sized "
      "int8 input (every 4th float with QUANTIZE/DEQUANTIZE), convolutions of 8-64 channels, 1x1/3x3/5x5 kernels, "
      "stride 1-2, SAME/VALID, 1x1 fast and strided paths, max/average pools, a residual ADD, RESHAPE, fully "
      "connected, SOFTMAX; random int8 weights (4 % zeros) and quantisation. Each timed exact on CMSIS-NN, exact "
      "on the runtime, and with every conv unpacked at skip fractions drawn from [0, 0.3) and [0.3, 0.9) (pair-wise "
      "or single-weight masks). Plus {} depthwise-separable chains (a 3x3 conv, 2-3 blocks of a 3x3 or 5x5 "
      "depthwise layer and a 1x1 conv, a global pool, one to five FC layers (half with a 96-128 wide, 8-16 "
      "bottleneck stack)) timed the same way with every conv, "
      "depthwise and FC layer unpacked. Held out: the shipped models.",
      count, seed, separable_count(count));
}

}  // namespace tinyskip::engine
