// Builds small .tflite flatbuffers in memory for tests, with the builder API
// that flatc generates from sim/schema/tflite_subset.fbs. A ModelSpec lists
// tensors and ops the way the TFLite converter would write them; tests edit
// one field of a valid spec to produce exactly one defect.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "sim/schema/tflite_subset_generated.h"

namespace tinyskip::test {

namespace fbt = tinyskip::tflite;

// TensorType ordinals of the TFLite schema.
inline constexpr int8_t kTflFloat32 = 0;
inline constexpr int8_t kTflInt32 = 2;
inline constexpr int8_t kTflInt16 = 7;
inline constexpr int8_t kTflInt8 = 9;

struct TensorSpec {
  std::string name{};
  std::vector<int32_t> shape{};
  int8_t type = kTflInt8;
  std::vector<uint8_t> data{};  // constant contents; empty: an activation (buffer 0)
  std::vector<float> scale{};
  std::vector<int64_t> zero_point{};
  int32_t quantized_dimension = 0;
  std::optional<uint32_t> buffer_override{};  // write this buffer index instead
  uint64_t buffer_offset = 0;               // non-zero: mark the data as external
};

using OptionsWriter = std::function<std::pair<fbt::BuiltinOptions, flatbuffers::Offset<void>>(
    flatbuffers::FlatBufferBuilder&)>;

// How the operator code is stored: files before schema v3a only have the
// byte; newer writers fill both (127 in the byte for codes above 127).
enum class CodeStyle { kBoth, kDeprecatedByteOnly, kInt32Only };

struct OpSpec {
  int32_t builtin_code = 0;
  std::vector<int32_t> inputs{};
  std::vector<int32_t> outputs{};
  OptionsWriter options{};  // empty: no builtin options
  CodeStyle code_style = CodeStyle::kBoth;
  std::string custom_code{};
  std::optional<uint32_t> opcode_index_override{};  // default: this op's own code entry
};

struct ModelSpec {
  std::vector<TensorSpec> tensors;
  std::vector<OpSpec> ops;
  std::vector<int32_t> inputs{0};
  std::vector<int32_t> outputs;
  int num_subgraphs = 1;  // the same subgraph repeated
};

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

inline OptionsWriter conv_options(int8_t padding, int stride_h, int stride_w, int8_t activation,
                                  int dilation_h = 1, int dilation_w = 1) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto o = fbt::CreateConv2DOptions(b, padding, stride_w, stride_h, activation, dilation_w, dilation_h);
    return std::make_pair(fbt::BuiltinOptions::Conv2DOptions, o.Union());
  };
}

inline OptionsWriter depthwise_options(int8_t padding, int stride, int multiplier, int8_t activation) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto o = fbt::CreateDepthwiseConv2DOptions(b, padding, stride, stride, multiplier, activation);
    return std::make_pair(fbt::BuiltinOptions::DepthwiseConv2DOptions, o.Union());
  };
}

inline OptionsWriter pool_options(int8_t padding, int stride, int filter) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto o = fbt::CreatePool2DOptions(b, padding, stride, stride, filter, filter);
    return std::make_pair(fbt::BuiltinOptions::Pool2DOptions, o.Union());
  };
}

inline OptionsWriter add_options(int8_t activation) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto o = fbt::CreateAddOptions(b, activation);
    return std::make_pair(fbt::BuiltinOptions::AddOptions, o.Union());
  };
}

inline OptionsWriter fully_connected_options(int8_t activation) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto o = fbt::CreateFullyConnectedOptions(b, activation);
    return std::make_pair(fbt::BuiltinOptions::FullyConnectedOptions, o.Union());
  };
}

inline OptionsWriter softmax_options(float beta) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto o = fbt::CreateSoftmaxOptions(b, beta);
    return std::make_pair(fbt::BuiltinOptions::SoftmaxOptions, o.Union());
  };
}

inline std::vector<uint8_t> build_model(const ModelSpec& spec) {
  flatbuffers::FlatBufferBuilder b;
  // Buffer 0 is the empty sentinel, as the converter writes it; each
  // constant gets its own buffer after it.
  std::vector<flatbuffers::Offset<fbt::Buffer>> buffers{fbt::CreateBuffer(b)};
  std::vector<flatbuffers::Offset<fbt::Tensor>> tensors;
  for (const TensorSpec& t : spec.tensors) {
    uint32_t buffer_index = 0;
    if (!t.data.empty() || t.buffer_offset != 0) {
      buffer_index = static_cast<uint32_t>(buffers.size());
      auto data = t.data.empty() ? 0 : b.CreateVector(t.data);
      buffers.push_back(fbt::CreateBuffer(b, data, t.buffer_offset, t.buffer_offset ? t.data.size() : 0));
    }
    auto quant = fbt::CreateQuantizationParameters(b, 0, 0, t.scale.empty() ? 0 : b.CreateVector(t.scale),
                                                   t.zero_point.empty() ? 0 : b.CreateVector(t.zero_point),
                                                   fbt::QuantizationDetails::NONE, 0, t.quantized_dimension);
    tensors.push_back(fbt::CreateTensor(b, b.CreateVector(t.shape), t.type, t.buffer_override.value_or(buffer_index),
                                        b.CreateString(t.name), quant));
  }
  std::vector<flatbuffers::Offset<fbt::OperatorCode>> codes;
  std::vector<flatbuffers::Offset<fbt::Operator>> ops;
  for (const OpSpec& op : spec.ops) {
    const int8_t byte_code = op.code_style == CodeStyle::kInt32Only
                                 ? int8_t{0}
                                 : static_cast<int8_t>(op.builtin_code > 127 ? 127 : op.builtin_code);
    const int32_t int_code = op.code_style == CodeStyle::kDeprecatedByteOnly ? 0 : op.builtin_code;
    codes.push_back(fbt::CreateOperatorCode(b, byte_code, op.custom_code.empty() ? 0 : b.CreateString(op.custom_code),
                                            1, int_code));
    auto options = op.options ? op.options(b) : std::make_pair(fbt::BuiltinOptions::NONE, flatbuffers::Offset<void>());
    const uint32_t opcode_index = op.opcode_index_override.value_or(static_cast<uint32_t>(ops.size()));
    ops.push_back(fbt::CreateOperator(b, opcode_index, b.CreateVector(op.inputs),
                                      b.CreateVector(op.outputs), options.first, options.second));
  }
  auto subgraph = fbt::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(spec.inputs),
                                      b.CreateVector(spec.outputs), b.CreateVector(ops), b.CreateString("main"));
  std::vector<flatbuffers::Offset<fbt::SubGraph>> subgraphs(static_cast<size_t>(spec.num_subgraphs), subgraph);
  auto model = fbt::CreateModel(b, 3, b.CreateVector(codes), b.CreateVector(subgraphs), b.CreateString("test"),
                                b.CreateVector(buffers));
  fbt::FinishModelBuffer(b, model);
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

}  // namespace tinyskip::test
