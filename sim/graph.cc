#include "sim/graph.h"

#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tinyskip::sim {

const char* data_type_name(DataType type) {
  switch (type) {
    case DataType::kFloat32: return "FLOAT32";
    case DataType::kInt8: return "INT8";
    case DataType::kInt16: return "INT16";
    case DataType::kInt32: return "INT32";
    case DataType::kInt64: return "INT64";
    case DataType::kUInt8: return "UINT8";
    case DataType::kOther: return "OTHER";
  }
  return "OTHER";
}

int data_type_size(DataType type) {
  switch (type) {
    case DataType::kFloat32: return 4;
    case DataType::kInt8: return 1;
    case DataType::kInt16: return 2;
    case DataType::kInt32: return 4;
    case DataType::kInt64: return 8;
    case DataType::kUInt8: return 1;
    case DataType::kOther: return 0;
  }
  return 0;
}

const char* op_type_name(OpType type) {
  switch (type) {
    case OpType::kQuantize: return "QUANTIZE";
    case OpType::kDequantize: return "DEQUANTIZE";
    case OpType::kConv2D: return "CONV_2D";
    case OpType::kDepthwiseConv2D: return "DEPTHWISE_CONV_2D";
    case OpType::kFullyConnected: return "FULLY_CONNECTED";
    case OpType::kMaxPool2D: return "MAX_POOL_2D";
    case OpType::kAveragePool2D: return "AVERAGE_POOL_2D";
    case OpType::kAdd: return "ADD";
    case OpType::kReshape: return "RESHAPE";
    case OpType::kSoftmax: return "SOFTMAX";
  }
  return "UNKNOWN";
}

std::string Graph::describe(const Op& op) const {
  return fmt::format("op {} ({})", op.index, op_type_name(op.type));
}

int64_t windowed_output_size(Padding padding, int64_t in, int64_t filter, int64_t stride,
                             int64_t dilation) {
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  const int64_t effective_filter = (filter - 1) * dilation + 1;
  const int64_t span = in - effective_filter + 1;  // window positions at stride 1
  if (span <= 0) return span;
  return (span + stride - 1) / stride;
}

namespace {

// Per-image multiplier: everything but the leading batch dimension.
int64_t elements_per_image(const Tensor& tensor) {
  if (tensor.shape.empty() || tensor.shape[0] <= 0) return tensor.num_elements();
  return tensor.num_elements() / tensor.shape[0];
}

void require_rank(const Graph& graph, const Op& op, const Tensor& tensor, size_t rank) {
  if (tensor.shape.size() != rank)
    throw std::invalid_argument(fmt::format("{}: {}: tensor '{}' has rank {}, expected {}", graph.source,
                                            graph.describe(op), tensor.name, tensor.shape.size(), rank));
}

std::string shape_text(const std::vector<int32_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

std::string tensor_text(const Graph& graph, int index) {
  if (index < 0) return "none";
  const Tensor& tensor = graph.tensor(index);
  return fmt::format("{}{} {}", tensor.is_constant() ? "const " : "", shape_text(tensor.shape),
                     data_type_name(tensor.type));
}

std::string quantization_text(const Quantization& quant) {
  if (!quant.present()) return "";
  if (quant.per_channel()) return fmt::format(" ({} per-channel scales)", quant.scale.size());
  return fmt::format(" (scale {}, zero point {})", quant.scale[0], quant.zero_point.at(0));
}

std::string tensor_list_text(const Graph& graph, const std::vector<int>& indices) {
  std::vector<std::string> parts;
  for (int index : indices) parts.push_back(tensor_text(graph, index));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

int64_t total_macs(const Graph& graph) {
  int64_t total = 0;
  for (const Op& op : graph.ops) total += macs_of(graph, op);
  return total;
}

int64_t macs_of(const Graph& graph, const Op& op) {
  switch (op.type) {
    case OpType::kConv2D: {  // filter OHWI: each output element takes KH*KW*I products
      const Tensor& filter = graph.input_of(op, 1);
      require_rank(graph, op, filter, 4);
      return elements_per_image(graph.output_of(op)) * filter.shape[1] * filter.shape[2] * filter.shape[3];
    }
    case OpType::kDepthwiseConv2D: {  // filter 1HWC: each output element takes KH*KW products
      const Tensor& filter = graph.input_of(op, 1);
      require_rank(graph, op, filter, 4);
      return elements_per_image(graph.output_of(op)) * filter.shape[1] * filter.shape[2];
    }
    case OpType::kFullyConnected: {  // weights [out][in]: each output element takes `in` products
      const Tensor& weights = graph.input_of(op, 1);
      require_rank(graph, op, weights, 2);
      return elements_per_image(graph.output_of(op)) * weights.shape[1];
    }
    default:
      return 0;
  }
}

std::string summarize(const Graph& graph) {
  std::string text = fmt::format("{}: {} ops, {} tensors\n", graph.source, graph.ops.size(),
                                 graph.tensors.size());
  for (const auto& [label, index] : {std::pair{"input: ", graph.input}, std::pair{"output:", graph.output}}) {
    const Tensor& tensor = graph.tensor(index);
    text += fmt::format("{} tensor {} '{}' {}{}\n", label, index, tensor.name, tensor_text(graph, index),
                        quantization_text(tensor.quant));
  }
  for (const Op& op : graph.ops) {
    const int64_t macs = macs_of(graph, op);
    text += fmt::format("op {:>3} {:<18} {} -> {}", op.index, op_type_name(op.type),
                        tensor_list_text(graph, op.inputs), tensor_list_text(graph, op.outputs));
    if (macs > 0) text += fmt::format("  MACs {}", macs);
    text += "\n";
  }
  text += fmt::format("total MACs per image: {}\n", total_macs(graph));
  return text;
}

}  // namespace tinyskip::sim
