// The importer on the two shipped models, and on corrupted copies of them.
// Expected structure comes from ../shared/models/SOURCES.md and from the
// flatc JSON dump of each file:
//   flatc --json --raw-binary --strict-json sim/schema/tflite_subset.fbs -- <model>.tflite
// not from the importer itself.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/tflite_import.h"
#include "tests/shared_paths.h"
#include "tests/sim/tflite_model_builder.h"

namespace tinyskip::sim {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::vector<OpType> op_types(const Graph& graph) {
  std::vector<OpType> types;
  for (const Op& op : graph.ops) types.push_back(op.type);
  return types;
}

// Message of the ModelError that parsing throws; "" if it parses. Any other
// exception escapes and fails the test.
std::string parse_error(const std::vector<uint8_t>& bytes, const std::string& name) {
  try {
    parse_tflite(bytes, name);
  } catch (const ModelError& error) {
    return error.what();
  }
  return "";
}

TEST_CASE("tflite import: LeNet structure matches the published model") {
  const Graph graph = load_tflite(test::lenet_model());
  CHECK(graph.source == test::lenet_model());
  CHECK(graph.tensors.size() == 22);  // JSON dump: tensors 0..21
  CHECK(op_types(graph) == std::vector<OpType>{OpType::kQuantize, OpType::kConv2D, OpType::kMaxPool2D,
                                               OpType::kConv2D, OpType::kMaxPool2D, OpType::kConv2D,
                                               OpType::kReshape, OpType::kFullyConnected,
                                               OpType::kFullyConnected, OpType::kDequantize});
  for (size_t i = 0; i < graph.ops.size(); ++i) CHECK(graph.ops[i].index == static_cast<int>(i));

  // Float input and output around QUANTIZE / DEQUANTIZE (SOURCES.md).
  const Tensor& input = graph.tensor(graph.input);
  CHECK(input.type == DataType::kFloat32);
  CHECK(input.shape == std::vector<int32_t>{1, 32, 32, 3});
  CHECK_FALSE(input.quant.present());
  CHECK(graph.tensor(graph.output).type == DataType::kFloat32);
  CHECK(graph.tensor(graph.output).shape == std::vector<int32_t>{1, 10});
  // QUANTIZE output: scale 0.003922 (~1/255), zero point -128 (JSON tensor 12).
  const Tensor& quantized = graph.output_of(graph.ops[0]);
  CHECK(quantized.type == DataType::kInt8);
  CHECK(quantized.quant.scale.at(0) == Approx(1.0 / 255).epsilon(1e-3));
  CHECK(quantized.quant.zero_point.at(0) == -128);

  // Three 3x3 VALID stride-1 RELU convs with 32/64/64 channels, per-channel.
  struct ConvFacts {
    int op;
    std::vector<int32_t> filter, output;
  };
  const std::vector<ConvFacts> convs = {{1, {32, 3, 3, 3}, {1, 30, 30, 32}},
                                        {3, {64, 3, 3, 32}, {1, 13, 13, 64}},
                                        {5, {64, 3, 3, 64}, {1, 4, 4, 64}}};
  for (const ConvFacts& facts : convs) {
    const Op& op = graph.ops.at(facts.op);
    INFO(graph.describe(op));
    const Tensor& filter = graph.input_of(op, 1);
    CHECK(filter.shape == facts.filter);
    CHECK(graph.output_of(op).shape == facts.output);
    CHECK(filter.type == DataType::kInt8);
    CHECK(filter.quant.scale.size() == static_cast<size_t>(facts.filter[0]));
    CHECK(filter.quant.quantized_dimension == 0);
    CHECK(filter.data.size() == static_cast<size_t>(facts.filter[0] * facts.filter[1] * facts.filter[2] *
                                                    facts.filter[3]));
    CHECK(graph.input_of(op, 2).shape == std::vector<int32_t>{facts.filter[0]});
    CHECK(graph.input_of(op, 2).type == DataType::kInt32);
    CHECK(op.options.padding == Padding::kValid);
    CHECK(op.options.stride_h == 1);
    CHECK(op.options.stride_w == 1);
    CHECK(op.options.dilation_h == 1);
    CHECK(op.options.activation == Activation::kRelu);
  }
  // 2x2 stride-2 max pools: 30 -> 15, 13 -> 6.
  for (int index : {2, 4}) {
    const Op& pool = graph.ops.at(index);
    CHECK(pool.options.filter_h == 2);
    CHECK(pool.options.filter_w == 2);
    CHECK(pool.options.stride_h == 2);
    CHECK(pool.options.padding == Padding::kValid);
  }
  CHECK(graph.output_of(graph.ops[2]).shape == std::vector<int32_t>{1, 15, 15, 32});
  CHECK(graph.output_of(graph.ops[4]).shape == std::vector<int32_t>{1, 6, 6, 64});
  // FC 64 (RELU), FC 10 (no activation); per-tensor weights.
  CHECK(graph.input_of(graph.ops[7], 1).shape == std::vector<int32_t>{64, 1024});
  CHECK(graph.ops[7].options.activation == Activation::kRelu);
  CHECK(graph.input_of(graph.ops[8], 1).shape == std::vector<int32_t>{10, 64});
  CHECK(graph.ops[8].options.activation == Activation::kNone);
  CHECK(graph.input_of(graph.ops[8], 1).quant.scale.size() == 1);

  // MACs per layer (output elements x taps per output):
  //   conv1 30*30*32 * 3*3*3  =   777,600
  //   conv2 13*13*64 * 3*3*32 = 3,115,008
  //   conv3  4*4*64  * 3*3*64 =   589,824
  //   fc1   64 * 1024         =    65,536
  //   fc2   10 * 64           =       640
  //   total                   = 4,548,608 (SOURCES.md: 4.55 M)
  CHECK(macs_of(graph, graph.ops[1]) == 777'600);
  CHECK(macs_of(graph, graph.ops[3]) == 3'115'008);
  CHECK(macs_of(graph, graph.ops[5]) == 589'824);
  CHECK(macs_of(graph, graph.ops[7]) == 65'536);
  CHECK(macs_of(graph, graph.ops[8]) == 640);
  CHECK(macs_of(graph, graph.ops[2]) == 0);
  CHECK(total_macs(graph) == 4'548'608);
}

TEST_CASE("tflite import: LeNet constants are copied from their buffers") {
  const Graph graph = load_tflite(test::lenet_model());
  // Values read off the JSON dump's buffer bytes.
  const Tensor& reshape_shape = graph.input_of(graph.ops[6], 1);  // tensor 1, buffer 2
  REQUIRE(reshape_shape.type == DataType::kInt32);
  CHECK(std::vector<int32_t>(reshape_shape.values<int32_t>().begin(), reshape_shape.values<int32_t>().end()) ==
        std::vector<int32_t>{-1, 1024});
  const Tensor& fc2_bias = graph.input_of(graph.ops[8], 2);  // tensor 2: bytes 12 255 255 255 90 253 ...
  REQUIRE(fc2_bias.values<int32_t>().size() == 10);
  CHECK(fc2_bias.values<int32_t>()[0] == -244);
  CHECK(fc2_bias.values<int32_t>()[1] == -678);
  CHECK(fc2_bias.values<int32_t>()[3] == 458);
  const Tensor& conv1_filter = graph.input_of(graph.ops[1], 1);  // tensor 11: bytes 25 218 24 25 198
  REQUIRE(conv1_filter.values<int8_t>().size() == 864);
  CHECK(conv1_filter.values<int8_t>()[0] == 25);
  CHECK(conv1_filter.values<int8_t>()[1] == -38);
  CHECK(conv1_filter.values<int8_t>()[4] == -58);
  CHECK_FALSE(graph.tensor(graph.input).is_constant());
}

TEST_CASE("tflite import: ResNet-8 structure matches the MLPerf Tiny model") {
  const Graph graph = load_tflite(test::resnet8_model());
  CHECK(graph.tensors.size() == 38);
  const OpType conv = OpType::kConv2D, add = OpType::kAdd;
  CHECK(op_types(graph) == std::vector<OpType>{conv, conv, conv, add, conv, conv, conv, add, conv, conv, conv, add,
                                               OpType::kAveragePool2D, OpType::kReshape, OpType::kFullyConnected,
                                               OpType::kSoftmax});
  // int8 input with scale 1.0 and zero point -128; softmax output 1/256, -128.
  const Tensor& input = graph.tensor(graph.input);
  CHECK(input.type == DataType::kInt8);
  CHECK(input.shape == std::vector<int32_t>{1, 32, 32, 3});
  CHECK(input.quant.scale == std::vector<float>{1.0f});
  CHECK(input.quant.zero_point == std::vector<int32_t>{-128});
  const Tensor& output = graph.tensor(graph.output);
  CHECK(output.type == DataType::kInt8);
  CHECK(output.shape == std::vector<int32_t>{1, 10});
  CHECK(output.quant.scale.at(0) == Approx(1.0 / 256));
  CHECK(output.quant.zero_point.at(0) == -128);

  // Convs (JSON dump): filter shape, stride, fused RELU. No padding field is
  // written, so all are SAME; output H/W = ceil(in / stride).
  struct ConvFacts {
    int op;
    std::vector<int32_t> filter;
    int stride;
    bool relu;
    std::vector<int32_t> output;
  };
  const std::vector<ConvFacts> convs = {
      {0, {16, 3, 3, 3}, 1, true, {1, 32, 32, 16}},   {1, {16, 3, 3, 16}, 1, true, {1, 32, 32, 16}},
      {2, {16, 3, 3, 16}, 1, false, {1, 32, 32, 16}}, {4, {32, 3, 3, 16}, 2, true, {1, 16, 16, 32}},
      {5, {32, 3, 3, 32}, 1, false, {1, 16, 16, 32}}, {6, {32, 1, 1, 16}, 2, false, {1, 16, 16, 32}},
      {8, {64, 3, 3, 32}, 2, true, {1, 8, 8, 64}},    {9, {64, 3, 3, 64}, 1, false, {1, 8, 8, 64}},
      {10, {64, 1, 1, 32}, 2, false, {1, 8, 8, 64}},
  };
  for (const ConvFacts& facts : convs) {
    const Op& op = graph.ops.at(facts.op);
    INFO(graph.describe(op));
    REQUIRE(op.type == OpType::kConv2D);
    CHECK(graph.input_of(op, 1).shape == facts.filter);
    CHECK(graph.input_of(op, 1).quant.scale.size() == static_cast<size_t>(facts.filter[0]));
    CHECK(graph.input_of(op, 2).shape == std::vector<int32_t>{facts.filter[0]});
    CHECK(graph.output_of(op).shape == facts.output);
    CHECK(op.options.padding == Padding::kSame);
    CHECK(op.options.stride_h == facts.stride);
    CHECK(op.options.stride_w == facts.stride);
    CHECK(op.options.activation == (facts.relu ? Activation::kRelu : Activation::kNone));
  }
  // Residual wiring: block 2 and 3 start from the previous ADD on two paths
  // (3x3 stride-2 conv and 1x1 stride-2 shortcut) that meet at the next ADD.
  for (auto [first_add, main_conv, shortcut_conv, next_add] :
       {std::tuple{3, 4, 6, 7}, std::tuple{7, 8, 10, 11}}) {
    const int block_input = graph.ops[first_add].outputs[0];
    CHECK(graph.ops[main_conv].inputs[0] == block_input);
    CHECK(graph.ops[shortcut_conv].inputs[0] == block_input);
    std::vector<int> add_inputs = graph.ops[next_add].inputs;
    std::sort(add_inputs.begin(), add_inputs.end());
    std::vector<int> expected{graph.ops[shortcut_conv].outputs[0], graph.ops[main_conv + 1].outputs[0]};
    std::sort(expected.begin(), expected.end());
    CHECK(add_inputs == expected);
    CHECK(graph.ops[next_add].options.activation == Activation::kRelu);
  }
  // 8x8 average pool over the 8x8x64 map.
  const Op& pool = graph.ops[12];
  CHECK(pool.options.filter_h == 8);
  CHECK(pool.options.stride_w == 8);
  CHECK(pool.options.padding == Padding::kValid);
  CHECK(graph.output_of(pool).shape == std::vector<int32_t>{1, 1, 1, 64});
  CHECK(graph.input_of(graph.ops[14], 1).shape == std::vector<int32_t>{10, 64});
  CHECK(graph.ops[15].options.softmax_beta == 1.0f);

  // MACs per layer (output elements x taps per output):
  //   op0  32*32*16 * 27  =   442,368    op1, op2  32*32*16 * 144 = 2,359,296 each
  //   op4  16*16*32 * 144 = 1,179,648    op5       16*16*32 * 288 = 2,359,296
  //   op6  16*16*32 * 16  =   131,072    op8        8*8*64 * 288  = 1,179,648
  //   op9   8*8*64  * 576 = 2,359,296    op10       8*8*64 * 32   =   131,072
  //   fc   10 * 64        =       640
  //   total 12,501,632 (SOURCES.md: 12.50 M)
  CHECK(macs_of(graph, graph.ops[0]) == 442'368);
  CHECK(macs_of(graph, graph.ops[6]) == 131'072);
  CHECK(macs_of(graph, graph.ops[9]) == 2'359'296);
  CHECK(macs_of(graph, graph.ops[3]) == 0);
  CHECK(total_macs(graph) == 12'501'632);
}

TEST_CASE("graph: names, sizes and op descriptions") {
  CHECK(std::string(data_type_name(DataType::kInt8)) == "INT8");
  CHECK(std::string(data_type_name(DataType::kFloat32)) == "FLOAT32");
  CHECK(data_type_size(DataType::kInt8) == 1);
  CHECK(data_type_size(DataType::kInt16) == 2);
  CHECK(data_type_size(DataType::kInt32) == 4);
  CHECK(data_type_size(DataType::kFloat32) == 4);
  CHECK(data_type_size(DataType::kInt64) == 8);
  CHECK(data_type_size(DataType::kOther) == 0);
  CHECK(std::string(op_type_name(OpType::kDepthwiseConv2D)) == "DEPTHWISE_CONV_2D");
  CHECK(std::string(op_type_name(OpType::kAveragePool2D)) == "AVERAGE_POOL_2D");
  Graph graph;
  Op op;
  op.type = OpType::kConv2D;
  op.index = 3;
  CHECK(graph.describe(op) == "op 3 (CONV_2D)");
  CHECK(builtin_operator_name(18) == "MUL");
  CHECK(builtin_operator_name(34) == "PAD");
  CHECK(builtin_operator_name(4000) == "builtin code 4000");
}

TEST_CASE("graph: windowed output size follows TFLite's padding rule") {
  // SAME: ceil(in / stride).
  CHECK(windowed_output_size(Padding::kSame, 32, 3, 1, 1) == 32);
  CHECK(windowed_output_size(Padding::kSame, 32, 3, 2, 1) == 16);
  CHECK(windowed_output_size(Padding::kSame, 5, 3, 2, 1) == 3);
  // VALID: ceil((in - (f - 1) * dilation) / stride).
  CHECK(windowed_output_size(Padding::kValid, 32, 3, 1, 1) == 30);
  CHECK(windowed_output_size(Padding::kValid, 13, 2, 2, 1) == 6);   // (13 - 1) / 2
  CHECK(windowed_output_size(Padding::kValid, 10, 3, 3, 2) == 2);   // ceil((10 - 4) / 3)
  CHECK(windowed_output_size(Padding::kValid, 4, 3, 1, 2) <= 0);    // dilated filter spans 5 > 4
}

TEST_CASE("graph: summarize prints one line per op with MACs") {
  const Graph graph = load_tflite(test::lenet_model());
  const std::string text = summarize(graph);
  CHECK_THAT(text, StartsWith(test::lenet_model()));
  CHECK_THAT(text, Contains("op   1 CONV_2D"));
  CHECK_THAT(text, Contains("[1,30,30,32] INT8"));
  CHECK_THAT(text, Contains("MACs 777600"));
  CHECK_THAT(text, Contains("op   9 DEQUANTIZE"));
  CHECK_THAT(text, Contains("total MACs per image: 4548608"));
  // Header (3 lines), one line per op, total.
  CHECK(std::count(text.begin(), text.end(), '\n') == 3 + 10 + 1);
  // int8 input: its quantisation is shown (SOURCES.md: scale 1.0, zero point -128).
  CHECK_THAT(summarize(load_tflite(test::resnet8_model())),
             Contains("[1,32,32,3] INT8 (scale 1, zero point -128)") && Contains("total MACs per image: 12501632"));
}

// ------------------------------------------------------ malformed files --

TEST_CASE("tflite import: missing, unreadable and non-model paths") {
  const std::string missing = "/nonexistent/dir/model.tflite";
  CHECK_THROWS_WITH(load_tflite(missing), StartsWith(missing) && Contains("no such file"));
  CHECK_THROWS_AS(load_tflite(missing), ModelError);
  CHECK_THROWS_WITH(load_tflite(test::shared_dir()), StartsWith(test::shared_dir()) && Contains("not a regular file"));
  const std::string text_file = test::shared_path("models/SOURCES.md");
  CHECK_THROWS_WITH(load_tflite(text_file), StartsWith(text_file) && Contains("not a TFLite model"));
}

TEST_CASE("tflite import: empty, tiny and wrongly identified buffers") {
  CHECK(parse_error({}, "empty.tflite") == "empty.tflite: file is empty");
  CHECK(parse_error({0x10, 0, 0, 0, 'T'}, "tiny.tflite") ==
        "tiny.tflite: file is too small (5 bytes) to be a TFLite model");
  std::vector<uint8_t> bytes = read_bytes(test::lenet_model());
  bytes[7] = '2';  // "TFL3" -> "TFL2"
  CHECK(parse_error(bytes, "lenet.tflite") ==
        "lenet.tflite: not a TFLite model: file identifier is 'TFL2', expected 'TFL3'");
  bytes[4] = 0x01;
  CHECK_THAT(parse_error(bytes, "lenet.tflite"), Contains("file identifier is '\\x01FL2'"));
}

TEST_CASE("tflite import: truncated files are rejected") {
  for (const std::string& path : {test::lenet_model(), test::resnet8_model()}) {
    const std::vector<uint8_t> bytes = read_bytes(path);
    for (size_t length : {size_t{1}, size_t{7}, size_t{8}, size_t{64}, size_t{1000}, bytes.size() / 2,
                          bytes.size() - 100, bytes.size() - 1}) {
      INFO(path << " truncated to " << length << " bytes");
      const std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
      const std::string message = parse_error(truncated, "cut.tflite");
      CHECK_THAT(message, StartsWith("cut.tflite: "));
      if (length < 8)
        CHECK_THAT(message, Contains("too small"));
      else
        CHECK_THAT(message, Contains("corrupt or truncated"));
    }
  }
}

TEST_CASE("tflite import: zeroed vtable of the root table") {
  std::vector<uint8_t> bytes = read_bytes(test::resnet8_model());
  // Flatbuffer layout: uoffset to the root table at byte 0; the table starts
  // with an soffset back to its vtable; the vtable's first uint16 is its size.
  const auto read_u32 = [&](size_t at) {
    return uint32_t{bytes[at]} | uint32_t{bytes[at + 1]} << 8 | uint32_t{bytes[at + 2]} << 16 |
           uint32_t{bytes[at + 3]} << 24;
  };
  const size_t table = read_u32(0);
  const size_t vtable = table - static_cast<int32_t>(read_u32(table));
  const size_t vtable_size = bytes[vtable] | bytes[vtable + 1] << 8;
  REQUIRE(vtable_size >= 4);
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(vtable),
            bytes.begin() + static_cast<std::ptrdiff_t>(vtable + vtable_size), 0);
  // Every Model field now reads as absent: it still verifies, but has no subgraph.
  CHECK(parse_error(bytes, "resnet8.tflite") == "resnet8.tflite: model has 0 subgraphs, expected exactly 1");
}

TEST_CASE("tflite import: a model at an odd address parses like an aligned one") {
  // Flatbuffer accessors load scalars in place; the importer must realign
  // the bytes first (UBSan builds would flag misaligned loads).
  const std::vector<uint8_t> bytes = read_bytes(test::resnet8_model());
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  const Graph graph = parse_tflite(std::span<const uint8_t>(shifted).subspan(1), "shifted.tflite");
  CHECK(graph.source == "shifted.tflite");
  CHECK(graph.ops.size() == 16);
  CHECK(graph.tensor(graph.input).quant.zero_point == std::vector<int32_t>{-128});
  CHECK(graph.tensor(8).data == load_tflite(test::resnet8_model()).tensor(8).data);
}

TEST_CASE("tflite import: 8-byte zero points at a 4-byte boundary are read correctly") {
  // The verifier only aligns a vector's length field to 4 bytes, so [long]
  // elements can sit at 4 mod 8. Build such a file from ResNet-8: write a
  // one-element zero-point vector {-99} over the characters of an activation
  // tensor's name (any bytes make a valid name; in this file each name lies
  // after its tensor's quantisation table, as uoffsets must point forward)
  // and point that tensor's zero points at it. Tensors 22-32 are conv and ADD
  // outputs, whose zero point is free to change.
  std::vector<uint8_t> bytes = read_bytes(test::resnet8_model());
  const auto* tensors = test::fbt::GetModel(bytes.data())->subgraphs()->Get(0)->tensors();
  const auto position = [&](const void* p) { return static_cast<size_t>(static_cast<const uint8_t*>(p) - bytes.data()); };
  const auto read_i32 = [&](size_t at) { int32_t v; std::memcpy(&v, &bytes[at], 4); return v; };
  int patched = -1;
  for (int index = 22; index <= 32 && patched < 0; ++index) {
    const auto* tensor = tensors->Get(static_cast<uint32_t>(index));
    const size_t table = position(tensor->quantization());
    const size_t vtable = table - static_cast<size_t>(read_i32(table));
    uint16_t field_offset = 0;
    std::memcpy(&field_offset, &bytes[vtable + test::fbt::QuantizationParameters::VT_ZERO_POINT], 2);
    const size_t field = table + field_offset;
    const size_t name = position(tensor->name()->data());
    const size_t vector = (name + 7) / 8 * 8;  // length at 0 mod 8, element at 4 mod 8
    if (field_offset == 0 || vector <= field || vector + 12 > name + tensor->name()->size()) continue;
    const uint32_t length = 1, offset = static_cast<uint32_t>(vector - field);
    const int64_t zero_point = -99;
    std::memcpy(&bytes[vector], &length, 4);
    std::memcpy(&bytes[vector + 4], &zero_point, 8);
    std::memcpy(&bytes[field], &offset, 4);
    REQUIRE(reinterpret_cast<uintptr_t>(&bytes[vector + 4]) % 8 == 4);
    patched = index;
  }
  REQUIRE(patched >= 0);

  const Graph graph = parse_tflite(bytes, "realigned.tflite");
  CHECK(graph.tensor(patched).quant.zero_point == std::vector<int32_t>{-99});
  CHECK(graph.tensor(patched).quant.scale.size() == 1);
}

// Byte ranges of the constant buffers' contents: flips there only change
// weights, so the structural fuzzing below avoids them.
std::vector<std::pair<size_t, size_t>> weight_ranges(const std::vector<uint8_t>& bytes) {
  std::vector<std::pair<size_t, size_t>> ranges;
  const auto* model = test::fbt::GetModel(bytes.data());
  for (const auto* buffer : *model->buffers())
    if (buffer->data() && buffer->data()->size() > 0) {
      const size_t begin = static_cast<size_t>(buffer->data()->data() - bytes.data());
      ranges.emplace_back(begin, begin + buffer->data()->size());
    }
  return ranges;
}

bool in_ranges(size_t at, const std::vector<std::pair<size_t, size_t>>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const auto& r) { return at >= r.first && at < r.second; });
}

// Damages 1-8 random bytes per seed (xor with a random value, or set to 0x00
// or 0xff, which turns offsets and lengths into extremes) and sometimes
// truncates too; each copy must parse or throw ModelError (parse_error lets
// anything else escape, and ASan/UBSan builds catch out-of-bounds and
// misaligned reads). Structural bytes are targeted so most copies break.
void fuzz_byte_flips(const std::string& path, int seeds) {
  const std::vector<uint8_t> original = read_bytes(path);
  const auto weights = weight_ranges(original);
  std::vector<size_t> structural;
  for (size_t i = 0; i < original.size(); ++i)
    if (!in_ranges(i, weights)) structural.push_back(i);
  REQUIRE(structural.size() > 1000);
  int rejected = 0, parsed = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    std::vector<uint8_t> bytes = original;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) {
      // One in eight flips anywhere (weights too); the rest hit structure.
      const size_t at = rng() % 8 == 0 ? rng() % bytes.size() : structural[rng() % structural.size()];
      switch (rng() % 4) {
        case 0: bytes[at] = 0x00; break;
        case 1: bytes[at] = 0xff; break;
        default: bytes[at] ^= static_cast<uint8_t>(1 + rng() % 255);
      }
    }
    if (rng() % 16 == 0) bytes.resize(1 + rng() % bytes.size());
    INFO(path << " seed " << seed);
    const std::string message = parse_error(bytes, "fuzz.tflite");
    if (message.empty()) {
      ++parsed;
    } else {
      ++rejected;
      CHECK_THAT(message, StartsWith("fuzz.tflite: "));
    }
  }
  // Flipping structure must be noticed most of the time; some flips (names,
  // scales, unused fields) legitimately leave a valid model.
  CHECK(rejected > seeds / 4);
  CHECK(parsed > 0);
}

TEST_CASE("tflite import: random byte flips in LeNet never crash") { fuzz_byte_flips(test::lenet_model(), 1500); }

TEST_CASE("tflite import: random byte flips in ResNet-8 never crash") { fuzz_byte_flips(test::resnet8_model(), 1500); }

}  // namespace
}  // namespace tinyskip::sim
