// The graph IR that every part of tinyskip works on: tensors (shape, type,
// quantisation, constant data) and operators in execution order. It is built
// from a .tflite file by sim/tflite_import and never mutated afterwards: design
// points are expressed as weight masks beside it, not as modified copies.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace tinyskip::sim {

enum class DataType : uint8_t { kFloat32, kInt8, kInt16, kInt32, kInt64, kUInt8, kOther };
const char* data_type_name(DataType type);
int data_type_size(DataType type);  // bytes per element, 0 for kOther

// Affine quantisation: real = scale * (q - zero_point). Per-channel tensors
// carry one scale and zero point per slice along quantized_dimension.
struct Quantization {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int quantized_dimension = 0;

  bool present() const { return !scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

struct Tensor {
  std::string name;
  std::vector<int32_t> shape;
  DataType type = DataType::kOther;
  Quantization quant;
  std::vector<uint8_t> data;  // constant contents, little-endian; empty for activations

  bool is_constant() const { return !data.empty(); }
  int64_t num_elements() const {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    return n;
  }
  int64_t num_bytes() const { return num_elements() * data_type_size(type); }
  // Typed view of the constant data; the caller has checked the type.
  template <class T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
  }
};

enum class OpType {
  kQuantize,
  kDequantize,
  kConv2D,
  kDepthwiseConv2D,
  kFullyConnected,
  kMaxPool2D,
  kAveragePool2D,
  kAdd,
  kReshape,
  kSoftmax,
};
const char* op_type_name(OpType type);  // the TFLite builtin name, e.g. "CONV_2D"

enum class Activation { kNone, kRelu, kRelu6 };
enum class Padding { kSame, kValid };

// Builtin options of all supported ops, flattened: each op reads the fields
// that apply to it (see tflite_import.cc for which ones are filled).
struct OpOptions {
  Padding padding = Padding::kValid;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int filter_h = 0, filter_w = 0;  // pooling window
  int depth_multiplier = 1;
  Activation activation = Activation::kNone;
  float softmax_beta = 1.0f;
};

struct Op {
  OpType type;
  int index = 0;             // position in the model's operator list (= execution order)
  std::vector<int> inputs;   // tensor indices; -1 marks an absent optional input (bias)
  std::vector<int> outputs;  // tensor indices
  OpOptions options;
};

struct Graph {
  std::string source;  // file the graph was read from, for messages
  std::vector<Tensor> tensors;
  std::vector<Op> ops;
  int input = -1;   // the single graph input tensor
  int output = -1;  // the single graph output tensor

  const Tensor& tensor(int index) const { return tensors.at(static_cast<size_t>(index)); }
  const Tensor& input_of(const Op& op, int slot) const { return tensor(op.inputs.at(slot)); }
  const Tensor& output_of(const Op& op, int slot = 0) const { return tensor(op.outputs.at(slot)); }
  // Human-readable "op 3 (CONV_2D)" used in every error and log line.
  std::string describe(const Op& op) const;
};

// Output length of a sliding window (conv, depthwise, pool) along one axis,
// TFLite's rule: SAME gives ceil(in / stride); VALID gives
// ceil((in - (filter - 1) * dilation) / stride), which is <= 0 when the
// dilated filter does not fit. Arguments must be positive.
int64_t windowed_output_size(Padding padding, int64_t in, int64_t filter, int64_t stride,
                             int64_t dilation);

// Nominal multiply-accumulates per image (batch element) of CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED ops, 0 for every other op: output
// elements times filter taps per output, the convention papers and MLPerf Tiny
// quote. Taps that fall into SAME padding are counted although the kernels
// skip them, so this is an upper bound on the MACs actually executed.
int64_t macs_of(const Graph& graph, const Op& op);

// Sum of macs_of over every op: the network's nominal MACs per image.
int64_t total_macs(const Graph& graph);

// One line per op: index, builtin name, input and output shapes, MACs of the
// MAC layers; then a total. Used by `tinyskip inspect`.
std::string summarize(const Graph& graph);

}  // namespace tinyskip::sim
