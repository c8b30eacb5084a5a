// The importer on small models built in memory (tflite_model_builder.h):
// each test starts from a valid model, checks that it parses, then changes
// one field and checks the message names the file, the op or tensor, and the
// defect. Expected values are worked out by hand in the comments.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/tflite_import.h"
#include "tests/sim/tflite_model_builder.h"

namespace tinyskip::sim {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using test::bytes_of;
using test::ModelSpec;
using test::OpSpec;
using test::TensorSpec;

// Builtin codes and option enums of the TFLite schema.
constexpr int32_t kAdd = 0, kConv = 3, kDepthwise = 4, kDequantize = 6, kFullyConnected = 9, kMaxPool = 17,
                  kMul = 18, kReshape = 22, kSoftmax = 25, kCustom = 32, kQuantize = 114;
constexpr int8_t kSame = 0, kValid = 1;
constexpr int8_t kNone = 0, kRelu = 1, kRelu6 = 3, kTanh = 4;

const std::string kName = "tiny.tflite";

Graph import(const ModelSpec& spec) { return parse_tflite(test::build_model(spec), kName); }

std::string import_error(const ModelSpec& spec) {
  try {
    import(spec);
  } catch (const ModelError& error) {
    return error.what();
  }
  return "";
}

std::vector<int8_t> ramp(int count) {  // -count/2 ... distinct, non-trivial weights
  std::vector<int8_t> values;
  for (int i = 0; i < count; ++i) values.push_back(static_cast<int8_t>(i - count / 2));
  return values;
}

// input [1,4,4,2] -> CONV_2D 3x3, 3 filters, VALID, stride 1, RELU -> [1,2,2,3]
// (VALID: (4 - 3 + 1) / 1 = 2).
ModelSpec conv_model() {
  ModelSpec m;
  m.tensors = {
      {.name = "input", .shape = {1, 4, 4, 2}, .scale = {0.5f}, .zero_point = {-1}},
      {.name = "filter",
       .shape = {3, 3, 3, 2},
       .data = bytes_of(ramp(54)),
       .scale = {0.1f, 0.2f, 0.3f},
       .zero_point = {0, 0, 0}},
      {.name = "bias",
       .shape = {3},
       .type = test::kTflInt32,
       .data = bytes_of(std::vector<int32_t>{100, -200, 300}),
       .scale = {0.05f, 0.1f, 0.15f},
       .zero_point = {0, 0, 0}},
      {.name = "output", .shape = {1, 2, 2, 3}, .scale = {0.25f}, .zero_point = {3}},
  };
  m.ops = {{.builtin_code = kConv, .inputs = {0, 1, 2}, .outputs = {3}, .options = test::conv_options(kValid, 1, 1, kRelu)}};
  m.outputs = {3};
  return m;
}

TEST_CASE("tflite import: a hand-built conv model is read field by field") {
  const Graph graph = import(conv_model());
  CHECK(graph.source == kName);
  REQUIRE(graph.tensors.size() == 4);
  REQUIRE(graph.ops.size() == 1);
  CHECK(graph.input == 0);
  CHECK(graph.output == 3);
  const Tensor& input = graph.tensor(0);
  CHECK(input.name == "input");
  CHECK(input.type == DataType::kInt8);
  CHECK(input.quant.scale == std::vector<float>{0.5f});
  CHECK(input.quant.zero_point == std::vector<int32_t>{-1});
  CHECK_FALSE(input.is_constant());
  const Tensor& filter = graph.tensor(1);
  CHECK(filter.data == bytes_of(ramp(54)));
  CHECK(filter.values<int8_t>()[0] == -27);
  CHECK(filter.quant.scale == std::vector<float>{0.1f, 0.2f, 0.3f});
  CHECK(filter.quant.per_channel());
  const Tensor& bias = graph.tensor(2);
  CHECK(bias.type == DataType::kInt32);
  CHECK(std::vector<int32_t>(bias.values<int32_t>().begin(), bias.values<int32_t>().end()) ==
        std::vector<int32_t>{100, -200, 300});
  const Op& op = graph.ops[0];
  CHECK(op.type == OpType::kConv2D);
  CHECK(op.inputs == std::vector<int>{0, 1, 2});
  CHECK(op.outputs == std::vector<int>{3});
  CHECK(op.options.padding == Padding::kValid);
  CHECK(op.options.activation == Activation::kRelu);
  CHECK(op.options.dilation_h == 1);  // absent field: schema default 1
  CHECK(macs_of(graph, op) == 2 * 2 * 3 * (3 * 3 * 2));  // output elements x taps = 216

  ModelSpec no_bias = conv_model();
  no_bias.ops[0].inputs = {0, 1, -1};  // -1: absent optional bias
  CHECK(import(no_bias).ops[0].inputs[2] == -1);
  no_bias.ops[0].inputs = {0, 1};
  CHECK(import(no_bias).ops[0].inputs.size() == 2);

  ModelSpec same_stride2 = conv_model();  // SAME, stride 2: ceil(4 / 2) = 2, still [1,2,2,3]
  same_stride2.ops[0].options = test::conv_options(kSame, 2, 2, kRelu6);
  const Graph strided = import(same_stride2);
  CHECK(strided.ops[0].options.padding == Padding::kSame);
  CHECK(strided.ops[0].options.stride_h == 2);
  CHECK(strided.ops[0].options.activation == Activation::kRelu6);
}

TEST_CASE("tflite import: operator codes in the byte, the int32 field, or both") {
  ModelSpec byte_only = conv_model();
  byte_only.ops[0].code_style = test::CodeStyle::kDeprecatedByteOnly;
  CHECK(import(byte_only).ops[0].type == OpType::kConv2D);
  ModelSpec int_only = conv_model();
  int_only.ops[0].code_style = test::CodeStyle::kInt32Only;
  CHECK(import(int_only).ops[0].type == OpType::kConv2D);

  // A code above 127: the byte holds the placeholder 127, the int32 the code.
  ModelSpec big_code = conv_model();
  big_code.ops[0].builtin_code = 200;
  CHECK(import_error(big_code) == "tiny.tflite: op 0 (builtin code 200): unsupported operator");
}

TEST_CASE("tflite import: unsupported and custom operators are named") {
  ModelSpec mul = conv_model();
  mul.ops[0].builtin_code = kMul;
  CHECK(import_error(mul) == "tiny.tflite: op 0 (MUL): unsupported operator");
  ModelSpec custom = conv_model();
  custom.ops[0].builtin_code = kCustom;
  custom.ops[0].custom_code = "MyFancyOp";
  CHECK(import_error(custom) == "tiny.tflite: op 0 (CUSTOM): custom operator 'MyFancyOp' is not supported");
  ModelSpec bad_index = conv_model();
  bad_index.ops[0].opcode_index_override = 5;
  CHECK(import_error(bad_index) == "tiny.tflite: op 0: opcode index 5 out of range (model has 1 operator codes)");
  ModelSpec no_ops = conv_model();
  no_ops.ops.clear();
  CHECK(import_error(no_ops) == "tiny.tflite: model has no operators");
}

TEST_CASE("tflite import: float and int16 bodies are rejected") {
  ModelSpec float_conv = conv_model();
  for (TensorSpec& t : float_conv.tensors) {
    t.type = test::kTflFloat32;
    t.scale.clear();
    t.zero_point.clear();
  }
  float_conv.tensors[1].data = bytes_of(std::vector<float>(54, 0.5f));
  float_conv.tensors[2].data = bytes_of(std::vector<float>{1.0f, 2.0f, 3.0f});
  CHECK(import_error(float_conv) ==
        "tiny.tflite: op 0 (CONV_2D): float/int16 body not supported: input (tensor 0 'input') is FLOAT32; only "
        "int8 layers (between QUANTIZE and DEQUANTIZE) can be simulated");
  ModelSpec int16_conv = conv_model();
  int16_conv.tensors[0].type = test::kTflInt16;
  CHECK_THAT(import_error(int16_conv),
             StartsWith("tiny.tflite: op 0 (CONV_2D): float/int16 body not supported: input (tensor 0 'input') is INT16"));
  ModelSpec int64_bias = conv_model();
  int64_bias.tensors[2].type = 4;  // INT64, as int16x8 models store biases
  int64_bias.tensors[2].data = bytes_of(std::vector<int64_t>{1, 2, 3});
  CHECK(import_error(int64_bias) == "tiny.tflite: op 0 (CONV_2D): bias (tensor 2 'bias') is INT64, expected INT32");
}

TEST_CASE("tflite import: buffer problems name the tensor") {
  ModelSpec missing = conv_model();
  missing.tensors[1].buffer_override = 99;  // buffers: sentinel, filter, bias
  CHECK(import_error(missing) == "tiny.tflite: tensor 1 'filter': buffer index 99 out of range (model has 3 buffers)");
  ModelSpec external = conv_model();
  external.tensors[1].buffer_offset = 4096;
  CHECK(import_error(external) ==
        "tiny.tflite: tensor 1 'filter': data stored outside the flatbuffer (buffer 1 at offset 4096) is not "
        "supported");
  ModelSpec short_data = conv_model();
  short_data.tensors[1].data.pop_back();  // 3*3*3*2 = 54 int8 values expected
  CHECK(import_error(short_data) ==
        "tiny.tflite: tensor 1 'filter': constant data is 53 bytes, expected 54 (54 elements of INT8)");
  ModelSpec negative = conv_model();
  negative.tensors[0].shape = {1, -4, 4, 2};
  CHECK(import_error(negative) == "tiny.tflite: tensor 0 'input': dimension 1 of shape [1, -4, 4, 2] is not positive");
  ModelSpec huge = conv_model();
  huge.tensors[3].shape = {1, 65536, 65536, 3};
  CHECK_THAT(import_error(huge), StartsWith("tiny.tflite: tensor 3 'output': shape [1, 65536, 65536, 3] has more than"));
  ModelSpec unpaired = conv_model();
  unpaired.tensors[0].zero_point.clear();
  CHECK(import_error(unpaired) == "tiny.tflite: tensor 0 'input': quantization has 1 scales but 0 zero points");
}

TEST_CASE("tflite import: conv shapes must add up") {
  ModelSpec bias = conv_model();
  bias.tensors[2].shape = {4};
  bias.tensors[2].data = bytes_of(std::vector<int32_t>{1, 2, 3, 4});
  CHECK(import_error(bias) ==
        "tiny.tflite: op 0 (CONV_2D): bias (tensor 2 'bias') has shape [4], expected [3] (one value per output "
        "channel)");
  ModelSpec output = conv_model();
  output.tensors[3].shape = {1, 3, 3, 3};
  CHECK(import_error(output) ==
        "tiny.tflite: op 0 (CONV_2D): output height 3 does not add up: expected 2 (VALID padding, input 4, filter "
        "3, stride 1, dilation 1)");
  ModelSpec same = conv_model();  // SAME, stride 1 keeps 4x4
  same.ops[0].options = test::conv_options(kSame, 1, 1, kRelu);
  CHECK_THAT(import_error(same), Contains("output height 2 does not add up: expected 4 (SAME padding"));
  ModelSpec dilated = conv_model();  // a 3-tap filter at dilation 2 spans 5 > 4 rows
  dilated.ops[0].options = test::conv_options(kValid, 1, 1, kRelu, 2, 2);
  CHECK(import_error(dilated) ==
        "tiny.tflite: op 0 (CONV_2D): filter height 3 (dilation 2) does not fit the input height 4 with VALID "
        "padding");
  ModelSpec zero_stride = conv_model();
  zero_stride.ops[0].options = test::conv_options(kValid, 0, 1, kRelu);
  CHECK(import_error(zero_stride) == "tiny.tflite: op 0 (CONV_2D): strides 0x1 must be positive");
  ModelSpec channels = conv_model();
  channels.tensors[1].shape = {3, 3, 3, 1};
  channels.tensors[1].data = bytes_of(ramp(27));
  CHECK(import_error(channels) == "tiny.tflite: op 0 (CONV_2D): filter (tensor 1 'filter') has 1 input channels, input has 2");
  ModelSpec out_of_range = conv_model();
  out_of_range.ops[0].inputs = {0, 1, 7};
  CHECK(import_error(out_of_range) == "tiny.tflite: op 0 (CONV_2D): input 2 refers to tensor 7, but the model has 4 tensors");
  ModelSpec no_filter = conv_model();
  no_filter.ops[0].inputs = {0, -1, 2};  // only the bias may be absent
  CHECK_THAT(import_error(no_filter), Contains("op 0 (CONV_2D): input 1 refers to tensor -1"));
  ModelSpec too_many = conv_model();
  too_many.ops[0].inputs = {0, 1, 2, 2};
  CHECK(import_error(too_many) == "tiny.tflite: op 0 (CONV_2D): has 4 inputs, expected 2 or 3");
}

TEST_CASE("tflite import: options and activations") {
  ModelSpec unknown = conv_model();
  unknown.ops[0].options = test::conv_options(kValid, 1, 1, 9);
  CHECK(import_error(unknown) == "tiny.tflite: op 0 (CONV_2D): unknown fused activation code 9");
  ModelSpec tanh = conv_model();
  tanh.ops[0].options = test::conv_options(kValid, 1, 1, kTanh);
  CHECK(import_error(tanh) == "tiny.tflite: op 0 (CONV_2D): fused activation TANH is not supported");
  ModelSpec padding = conv_model();
  padding.ops[0].options = test::conv_options(2, 1, 1, kRelu);
  CHECK(import_error(padding) == "tiny.tflite: op 0 (CONV_2D): unknown padding code 2");
  ModelSpec absent = conv_model();
  absent.ops[0].options = nullptr;
  CHECK(import_error(absent) == "tiny.tflite: op 0 (CONV_2D): missing Conv2DOptions (builtin options are absent)");
  ModelSpec wrong = conv_model();
  wrong.ops[0].options = test::pool_options(kValid, 1, 3);
  CHECK(import_error(wrong) ==
        "tiny.tflite: op 0 (CONV_2D): missing Conv2DOptions (builtin options are Pool2DOptions)");
}

TEST_CASE("tflite import: quantization of weights and activations") {
  ModelSpec count = conv_model();
  count.tensors[1].scale = {0.1f, 0.2f};
  count.tensors[1].zero_point = {0, 0};
  CHECK(import_error(count) ==
        "tiny.tflite: op 0 (CONV_2D): filter (tensor 1 'filter') has 2 per-channel scales, expected 3 (one per "
        "output channel)");
  ModelSpec zero_point = conv_model();
  zero_point.tensors[1].zero_point = {0, 5, 0};
  CHECK(import_error(zero_point) ==
        "tiny.tflite: op 0 (CONV_2D): filter (tensor 1 'filter') has zero point 5 (entry 1); int8 weights must have "
        "zero point 0");
  ModelSpec dimension = conv_model();
  dimension.tensors[1].quantized_dimension = 3;
  CHECK(import_error(dimension) ==
        "tiny.tflite: op 0 (CONV_2D): filter (tensor 1 'filter') is quantized along dimension 3, expected 0");
  ModelSpec per_tensor = conv_model();  // one scale for all channels is fine
  per_tensor.tensors[1].scale = {0.1f};
  per_tensor.tensors[1].zero_point = {0};
  CHECK_FALSE(import(per_tensor).tensor(1).quant.per_channel());
  ModelSpec unquantized = conv_model();
  unquantized.tensors[3].scale.clear();
  unquantized.tensors[3].zero_point.clear();
  CHECK(import_error(unquantized) ==
        "tiny.tflite: op 0 (CONV_2D): output (tensor 3 'output') has no quantization parameters");
  ModelSpec per_channel_activation = conv_model();
  per_channel_activation.tensors[0].scale = {0.5f, 0.5f};
  per_channel_activation.tensors[0].zero_point = {0, 0};
  per_channel_activation.tensors[0].quantized_dimension = 3;
  CHECK(import_error(per_channel_activation) ==
        "tiny.tflite: op 0 (CONV_2D): input (tensor 0 'input') has 2 scales; activations must be quantized per "
        "tensor");
}

TEST_CASE("tflite import: graph inputs, outputs and subgraphs") {
  ModelSpec two_subgraphs = conv_model();
  two_subgraphs.num_subgraphs = 2;
  CHECK(import_error(two_subgraphs) == "tiny.tflite: model has 2 subgraphs, expected exactly 1");
  ModelSpec two_inputs = conv_model();
  two_inputs.inputs = {0, 1};
  CHECK(import_error(two_inputs) == "tiny.tflite: graph has 2 inputs, expected exactly 1");
  ModelSpec no_output = conv_model();
  no_output.outputs.clear();
  CHECK(import_error(no_output) == "tiny.tflite: graph has 0 outputs, expected exactly 1");
  ModelSpec input_range = conv_model();
  input_range.inputs = {9};
  CHECK(import_error(input_range) == "tiny.tflite: graph input refers to tensor 9, but the model has 4 tensors");
  ModelSpec unproduced = conv_model();
  unproduced.tensors.push_back({.name = "unused", .shape = {1, 2, 2, 3}, .scale = {0.25f}, .zero_point = {3}});
  unproduced.outputs = {4};
  CHECK(import_error(unproduced) == "tiny.tflite: graph output (tensor 4 'unused') is not produced by any op");
  ModelSpec writes_constant = conv_model();
  writes_constant.ops[0].outputs = {1};
  CHECK(import_error(writes_constant) ==
        "tiny.tflite: op 0 (CONV_2D): output (tensor 1 'filter') is a constant; only filters, biases and shapes may "
        "be");
}

// in [1,2,2,3] -> ADD(in, in) -> mid -> ADD(in, mid) -> out: a residual pair.
ModelSpec add_model() {
  ModelSpec m;
  for (const char* name : {"in", "mid", "out"})
    m.tensors.push_back({.name = name, .shape = {1, 2, 2, 3}, .scale = {0.1f}, .zero_point = {-5}});
  m.ops = {{.builtin_code = kAdd, .inputs = {0, 0}, .outputs = {1}, .options = test::add_options(kNone)},
           {.builtin_code = kAdd, .inputs = {0, 1}, .outputs = {2}, .options = test::add_options(kRelu)}};
  m.outputs = {2};
  return m;
}

TEST_CASE("tflite import: ops must run in list order, ADD without broadcasting") {
  const Graph graph = import(add_model());
  CHECK(graph.ops[1].options.activation == Activation::kRelu);
  CHECK(macs_of(graph, graph.ops[1]) == 0);

  ModelSpec swapped = add_model();
  std::swap(swapped.ops[0], swapped.ops[1]);
  CHECK(import_error(swapped) ==
        "tiny.tflite: op 0 (ADD): input 1 (tensor 1 'mid') is neither a constant, the graph input, nor the output of "
        "an earlier op");
  ModelSpec twice = add_model();
  twice.ops[1].outputs = {1};
  twice.ops[1].inputs = {0, 0};
  CHECK(import_error(twice) == "tiny.tflite: op 1 (ADD): output (tensor 1 'mid') is already produced by an earlier op");

  // MAX_POOL 2x2 / 2 shrinks "mid" to [1,1,1,3]; adding it to [1,2,2,3] would need broadcasting.
  ModelSpec broadcast = add_model();
  broadcast.tensors[1].shape = {1, 1, 1, 3};
  broadcast.ops[0] = {.builtin_code = kMaxPool, .inputs = {0}, .outputs = {1}, .options = test::pool_options(kValid, 2, 2)};
  ModelSpec pool_only = broadcast;  // the pool on its own is valid
  pool_only.ops.pop_back();
  pool_only.outputs = {1};
  CHECK(import(pool_only).ops[0].type == OpType::kMaxPool2D);
  CHECK(import_error(broadcast) ==
        "tiny.tflite: op 1 (ADD): input 1 (tensor 1 'mid') has shape [1, 1, 1, 3] but input 0 (tensor 0 'in') has "
        "shape [1, 2, 2, 3] (broadcasting is not supported)");
  // Same pool with the output left at 2x2: VALID (2 - 2 + 1) / 2 rounds up to 1.
  ModelSpec pool_shape = add_model();
  pool_shape.ops[0] = broadcast.ops[0];
  CHECK(import_error(pool_shape) ==
        "tiny.tflite: op 0 (MAX_POOL_2D): output height 2 does not add up: expected 1 (VALID padding, input 2, "
        "filter 2, stride 2, dilation 1)");
  ModelSpec rescaling_pool = broadcast;
  rescaling_pool.tensors[1].scale = {0.2f};
  CHECK_THAT(import_error(rescaling_pool), StartsWith("tiny.tflite: op 0 (MAX_POOL_2D): output (tensor 1 'mid') has "
                                                      "scale 0.2 and zero point -5 but input (tensor 0 'in') has "
                                                      "scale 0.1"));
}

TEST_CASE("tflite import: depthwise conv, multiplier and channel dimension") {
  // input [1,5,5,2], multiplier 2 -> 4 channels; 3x3 SAME stride 2: ceil(5 / 2) = 3.
  ModelSpec m;
  m.tensors = {
      {.name = "input", .shape = {1, 5, 5, 2}, .scale = {0.5f}, .zero_point = {0}},
      {.name = "dw_filter",
       .shape = {1, 3, 3, 4},
       .data = bytes_of(ramp(36)),
       .scale = {0.1f, 0.2f, 0.3f, 0.4f},
       .zero_point = {0, 0, 0, 0},
       .quantized_dimension = 3},
      {.name = "dw_bias", .shape = {4}, .type = test::kTflInt32, .data = bytes_of(std::vector<int32_t>{1, 2, 3, 4})},
      {.name = "output", .shape = {1, 3, 3, 4}, .scale = {0.25f}, .zero_point = {0}},
  };
  m.ops = {{.builtin_code = kDepthwise, .inputs = {0, 1, 2}, .outputs = {3}, .options = test::depthwise_options(kSame, 2, 2, kRelu6)}};
  m.outputs = {3};
  const Graph graph = import(m);
  const Op& op = graph.ops[0];
  CHECK(op.type == OpType::kDepthwiseConv2D);
  CHECK(op.options.depth_multiplier == 2);
  CHECK(op.options.padding == Padding::kSame);
  CHECK(op.options.stride_w == 2);
  CHECK(op.options.activation == Activation::kRelu6);
  CHECK(graph.tensor(1).quant.quantized_dimension == 3);
  CHECK(macs_of(graph, op) == 3 * 3 * 4 * (3 * 3));  // output elements x 9 taps = 324

  ModelSpec wrong_axis = m;
  wrong_axis.tensors[1].quantized_dimension = 0;
  CHECK(import_error(wrong_axis) ==
        "tiny.tflite: op 0 (DEPTHWISE_CONV_2D): filter (tensor 1 'dw_filter') is quantized along dimension 0, "
        "expected 3");
  ModelSpec multiplier = m;
  multiplier.ops[0].options = test::depthwise_options(kSame, 2, 1, kRelu6);
  CHECK(import_error(multiplier) ==
        "tiny.tflite: op 0 (DEPTHWISE_CONV_2D): filter (tensor 1 'dw_filter') has 4 channels, expected 2 (input "
        "channels 2 x depth multiplier 1)");
}

TEST_CASE("tflite import: fully connected, reshape, softmax, quantize, dequantize") {
  // float x [1,2,2,3] -QUANTIZE-> q -RESHAPE-> [1,12] -FC 5-> logits -SOFTMAX-> p -DEQUANTIZE-> y [1,5]
  ModelSpec m;
  m.tensors = {
      {.name = "x", .shape = {1, 2, 2, 3}, .type = test::kTflFloat32},
      {.name = "q", .shape = {1, 2, 2, 3}, .scale = {0.02f}, .zero_point = {5}},
      {.name = "shape", .shape = {2}, .type = test::kTflInt32, .data = bytes_of(std::vector<int32_t>{-1, 12})},
      {.name = "flat", .shape = {1, 12}, .scale = {0.02f}, .zero_point = {5}},
      {.name = "weights", .shape = {5, 12}, .data = bytes_of(ramp(60)), .scale = {0.01f}, .zero_point = {0}},
      {.name = "logits", .shape = {1, 5}, .scale = {0.1f}, .zero_point = {0}},
      {.name = "p", .shape = {1, 5}, .scale = {1.0f / 256}, .zero_point = {-128}},
      {.name = "y", .shape = {1, 5}, .type = test::kTflFloat32},
  };
  m.ops = {
      // The int32 code alone: the byte (0) would read as ADD.
      {.builtin_code = kQuantize, .inputs = {0}, .outputs = {1}, .code_style = test::CodeStyle::kInt32Only},
      {.builtin_code = kReshape, .inputs = {1, 2}, .outputs = {3}},
      {.builtin_code = kFullyConnected, .inputs = {3, 4, -1}, .outputs = {5}, .options = test::fully_connected_options(kNone)},
      {.builtin_code = kSoftmax, .inputs = {5}, .outputs = {6}, .options = test::softmax_options(1.0f)},
      {.builtin_code = kDequantize, .inputs = {6}, .outputs = {7}},
  };
  m.outputs = {7};
  const Graph graph = import(m);
  CHECK(graph.ops[0].type == OpType::kQuantize);
  CHECK(graph.ops[2].type == OpType::kFullyConnected);
  CHECK(macs_of(graph, graph.ops[2]) == 5 * 12);
  CHECK(graph.ops[3].options.softmax_beta == 1.0f);

  ModelSpec fc_rows = m;
  fc_rows.tensors[4].shape = {5, 7};  // 12 inputs are not whole rows of 7
  fc_rows.tensors[4].data = bytes_of(ramp(35));
  CHECK(import_error(fc_rows) ==
        "tiny.tflite: op 2 (FULLY_CONNECTED): input (tensor 3 'flat') has 12 elements, not a whole number of rows "
        "of 7 (the weights' input size)");
  ModelSpec fc_out = m;
  fc_out.tensors[5].shape = {1, 4};
  CHECK(import_error(fc_out) ==
        "tiny.tflite: op 2 (FULLY_CONNECTED): output (tensor 5 'logits') has shape [1, 4], expected 1 rows of 5 "
        "outputs");
  ModelSpec reshape_count = m;
  reshape_count.tensors[3].shape = {1, 10};
  CHECK_THAT(import_error(reshape_count),
             StartsWith("tiny.tflite: op 1 (RESHAPE): output (tensor 3 'flat') has shape [1, 10] (10 elements) but"));
  ModelSpec softmax_quant = m;
  softmax_quant.tensors[6].zero_point = {0};
  CHECK(import_error(softmax_quant) ==
        "tiny.tflite: op 3 (SOFTMAX): output (tensor 6 'p') has scale 0.00390625 and zero point 0, expected 1/256 "
        "and -128");
  ModelSpec no_beta = m;
  no_beta.ops[3].options = nullptr;
  CHECK(import_error(no_beta) == "tiny.tflite: op 3 (SOFTMAX): missing SoftmaxOptions (builtin options are absent)");
  ModelSpec int16_quantize = m;
  int16_quantize.tensors[1].type = test::kTflInt16;
  CHECK_THAT(import_error(int16_quantize),
             StartsWith("tiny.tflite: op 0 (QUANTIZE): float/int16 body not supported: output (tensor 1 'q') is INT16"));
  ModelSpec int8_output = m;
  int8_output.tensors[7].type = test::kTflInt8;
  CHECK(import_error(int8_output) == "tiny.tflite: op 4 (DEQUANTIZE): output (tensor 7 'y') is INT8, expected FLOAT32");
}

}  // namespace
}  // namespace tinyskip::sim
