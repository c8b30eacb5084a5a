// The generated unpacked CONV_2D kernels are compiled with the host C
// compiler at test time, run on random int8 images and compared byte for byte
// with the simulator's reference conv (sim::conv_s8_nhwc) on the filter with
// the skipped weights zeroed -- the approximate model as the exploration
// scored it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/codegen/codegen_error.h"
#include "engine/codegen/unpacked_conv.h"
#include "sim/kernels/conv_s8.h"
#include "sim/kernels/op_params.h"
#include "sim/tflite_import.h"
#include "tests/engine/significance_graphs.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

const std::filesystem::path kTemplates = TINYSKIP_SOURCE_DIR "/engine/codegen/templates";
constexpr int kImages = 3;

// A scratch directory removed when the test is done.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    std::random_device seed;
    path = std::filesystem::temp_directory_path() /
           ("tinyskip_codegen_" + tag + "_" + std::to_string(seed()) + std::to_string(seed()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

void write_file(const std::filesystem::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  REQUIRE(out.good());
}

std::vector<int8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Driver: `prog <variant> <in> <out> <images>` runs generated kernel
// kernel_<variant> on every image of <in> and writes the outputs to <out>.
std::string driver_source(int variants, int64_t in_size, int64_t out_size) {
  std::string src = "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n";
  std::string table;
  for (int v = 0; v < variants; ++v) {
    src += "void kernel_" + std::to_string(v) + "(const int8_t *input, int8_t *output);\n";
    table += "kernel_" + std::to_string(v) + ", ";
  }
  src += "static void (*const kernels[])(const int8_t *, int8_t *) = {" + table + "};\n";
  src += "static int8_t in_buf[" + std::to_string(in_size) + "];\nstatic int8_t out_buf[" +
         std::to_string(out_size) + "];\n";
  src +=
      "int main(int argc, char **argv) {\n"
      "  FILE *in, *out;\n  int i, images;\n"
      "  if (argc != 5) return 2;\n"
      "  in = fopen(argv[2], \"rb\");\n  out = fopen(argv[3], \"wb\");\n"
      "  if (!in || !out) return 3;\n"
      "  images = atoi(argv[4]);\n"
      "  for (i = 0; i < images; ++i) {\n"
      "    if (fread(in_buf, 1, sizeof in_buf, in) != sizeof in_buf) return 4;\n"
      "    kernels[atoi(argv[1])](in_buf, out_buf);\n"
      "    if (fwrite(out_buf, 1, sizeof out_buf, out) != sizeof out_buf) return 5;\n"
      "  }\n"
      "  fclose(in);\n  return fclose(out) == 0 ? 0 : 6;\n}\n";
  return src;
}

int run(const std::string& command) { return std::system(command.c_str()); }

std::string compiler() {
  const char* cc = std::getenv("CC");
  return cc != nullptr ? cc : "cc";
}

sim::WeightMask random_mask(size_t size, double skip_probability, uint32_t seed) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution skip(skip_probability);
  sim::WeightMask mask;
  mask.skip.resize(size);
  for (uint8_t& s : mask.skip) s = skip(rng) ? 1 : 0;
  return mask;
}

// Exact, random (30 % of weights skipped) and aggressive (85 %) masks.
std::vector<sim::WeightMask> test_masks(size_t filter_size) {
  return {sim::WeightMask{}, random_mask(filter_size, 0.3, 11), random_mask(filter_size, 0.85, 12)};
}

// Generates one kernel per mask into one translation unit (which also checks
// that the shared helpers can appear several times), compiles it with the
// driver, runs it and compares with the simulator's reference conv.
void check_bit_exact(const sim::Graph& graph, int op_index, const std::string& tag) {
  const sim::Op& op = graph.ops.at(static_cast<size_t>(op_index));
  REQUIRE(op.type == sim::OpType::kConv2D);
  const auto [params, requant] = sim::make_conv_params(graph, op);
  const sim::OpShapes shapes = sim::op_shapes(graph, op);
  const sim::Tensor& filter_tensor = graph.input_of(op, 1);
  const sim::Shape4 filter_shape = sim::shape_of(filter_tensor);
  const std::vector<int8_t> filter(filter_tensor.values<int8_t>().begin(), filter_tensor.values<int8_t>().end());
  const int32_t* bias =
      op.inputs.size() > 2 && op.inputs[2] >= 0 ? graph.tensor(op.inputs[2]).values<int32_t>().data() : nullptr;
  const std::vector<sim::WeightMask> masks = test_masks(filter.size());

  TempDir dir(tag);
  std::string kernels;
  for (size_t v = 0; v < masks.size(); ++v)
    kernels += engine::generate_unpacked_conv_c(graph, op_index, masks[v], "kernel_" + std::to_string(v), kTemplates);
  write_file(dir.path / "kernels.c", kernels.data(), kernels.size());
  const std::string driver =
      driver_source(static_cast<int>(masks.size()), shapes.input.image_elements(), shapes.output.image_elements());
  write_file(dir.path / "driver.c", driver.data(), driver.size());
  const std::string prog = (dir.path / "prog").string();
  const std::string compile = compiler() + " -O1 -std=c99 -Wall -Werror -I" TINYSKIP_SOURCE_DIR "/engine/runtime -o " + prog + " " +
                              (dir.path / "kernels.c").string() + " " + (dir.path / "driver.c").string();
  INFO(compile);
  REQUIRE(run(compile) == 0);

  std::mt19937 rng(std::hash<std::string>{}(tag) & 0xFFFFu);
  const std::vector<int8_t> images =
      test::random_int8(rng, static_cast<size_t>(shapes.input.image_elements() * kImages));
  write_file(dir.path / "in.bin", images.data(), images.size());

  std::vector<int8_t> exact_expected;
  for (size_t v = 0; v < masks.size(); ++v) {
    INFO(tag << " mask variant " << v << " (" << masks[v].skipped_count() << " of " << filter.size() << " skipped)");
    const std::filesystem::path out_file = dir.path / ("out" + std::to_string(v) + ".bin");
    REQUIRE(run(prog + " " + std::to_string(v) + " " + (dir.path / "in.bin").string() + " " + out_file.string() +
                " " + std::to_string(kImages)) == 0);
    const std::vector<int8_t> generated = read_bytes(out_file);

    std::vector<int8_t> masked = filter;
    for (size_t i = 0; i < masks[v].skip.size(); ++i)
      if (masks[v].skip[i] != 0) masked[i] = 0;
    const int64_t in_size = shapes.input.image_elements();
    const int64_t out_size = shapes.output.image_elements();
    std::vector<int8_t> expected(static_cast<size_t>(out_size * kImages));
    for (int image = 0; image < kImages; ++image)
      sim::conv_s8_nhwc(params, requant, shapes.input, images.data() + image * in_size, filter_shape, masked.data(),
                        bias, shapes.output, expected.data() + image * out_size);
    REQUIRE(generated.size() == expected.size());
    CHECK(generated == expected);
    // The comparison must be able to fail: outputs are not saturated to a
    // few values, and the masks really change the layer's result.
    CHECK(std::set<int8_t>(expected.begin(), expected.end()).size() >= 8);
    if (v == 0) exact_expected = expected;
    else CHECK(expected != exact_expected);
  }
}

// A one-op conv graph with bias, per-channel filter scales (different
// requantisation per channel) and a non-zero input zero point.
sim::Graph small_conv_graph(test::LayerSpec spec, uint32_t seed) {
  std::mt19937 rng(seed);
  spec.input_zero_point = 7;
  spec.filter = test::random_int8(rng, static_cast<size_t>(spec.out_c * spec.filter_h * spec.filter_w * spec.in_c));
  sim::Graph graph = test::layer_graph(spec);
  sim::Tensor& filter = graph.tensors[1];
  filter.quant.scale.clear();
  filter.quant.zero_point.assign(static_cast<size_t>(spec.out_c), 0);
  for (int c = 0; c < spec.out_c; ++c) filter.quant.scale.push_back(0.002f + 0.0015f * static_cast<float>(c));
  graph.tensors[0].quant.scale = {0.05f};
  graph.tensors[2].quant.scale = {0.04f};
  sim::Tensor bias;
  bias.name = "bias";
  bias.type = sim::DataType::kInt32;
  bias.shape = {spec.out_c};
  std::uniform_int_distribution<int32_t> value(-3000, 3000);
  std::vector<int32_t> bias_values(static_cast<size_t>(spec.out_c));
  for (int32_t& b : bias_values) b = value(rng);
  bias.data.resize(bias_values.size() * sizeof(int32_t));
  std::memcpy(bias.data.data(), bias_values.data(), bias.data.size());
  graph.tensors.push_back(bias);
  graph.ops[0].inputs[2] = 3;
  graph.ops[0].options.activation = sim::Activation::kRelu;
  return graph;
}

TEST_CASE("codegen unpacked conv: LeNet conv2 is bit-exact with the simulator", "[codegen]") {
  check_bit_exact(sim::load_tflite(test::lenet_model()), 3, "lenet_conv2");
}

TEST_CASE("codegen unpacked conv: ResNet-8 conv2 (SAME padding) is bit-exact with the simulator", "[codegen]") {
  check_bit_exact(sim::load_tflite(test::resnet8_model()), 1, "resnet8_conv2");
}

TEST_CASE("codegen unpacked conv: odd pixels, channels and reduction length are bit-exact", "[codegen]") {
  // 5x5x3 input, 3x3 filter, stride (2, 1), SAME: 3x5 = 15 output pixels (odd
  // last pixel), 5 output channels (odd last channel), k = 27 (odd last index).
  test::LayerSpec same;
  same.in_h = 5, same.in_w = 5, same.in_c = 3, same.out_c = 5;
  same.filter_h = 3, same.filter_w = 3, same.stride_h = 2, same.stride_w = 1;
  same.padding = sim::Padding::kSame;
  check_bit_exact(small_conv_graph(same, 5), 0, "small_same");

  // VALID with dilation 2: 6x7x2 input, 2x3 filter -> 4x3 = 12 pixels, 3 channels, k = 12.
  test::LayerSpec dilated;
  dilated.in_h = 6, dilated.in_w = 7, dilated.in_c = 2, dilated.out_c = 3;
  dilated.filter_h = 2, dilated.filter_w = 3, dilated.dilation_h = 2, dilated.dilation_w = 2;
  check_bit_exact(small_conv_graph(dilated, 6), 0, "small_dilated");
}

TEST_CASE("codegen unpacked conv: one SMLAD per kept pair, one MAC per split pair, nothing for skipped",
          "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::lenet_model());
  const sim::Op& op = graph.ops[3];
  const auto filter = graph.input_of(op, 1).values<int8_t>();
  const sim::Shape4 shape = sim::shape_of(graph.input_of(op, 1));
  const size_t k_len = static_cast<size_t>(shape.h * shape.w * shape.c);
  const auto count = [](const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
  };
  for (const sim::WeightMask& mask : test_masks(filter.size())) {
    // Naive count: per output channel, pairs (2j, 2j+1) of the reduction row
    // with both effective weights non-zero (SMLAD) or exactly one (MAC); each
    // is emitted once per pixel column, two per line.
    size_t pairs = 0, singles = 0;
    const auto kept = [&](size_t i) { return filter[i] != 0 && (mask.skip.empty() || mask.skip[i] == 0); };
    for (size_t row = 0; row < static_cast<size_t>(shape.n); ++row)
      for (size_t k = 0; k < k_len; k += 2) {
        const bool lo = kept(row * k_len + k);
        const bool hi = k + 1 < k_len && kept(row * k_len + k + 1);
        pairs += lo && hi;
        singles += lo != hi;
      }
    const std::string code = engine::generate_unpacked_conv_c(graph, 3, mask, "lenet_conv2", kTemplates);
    CHECK(count(code, "= TS_SMLAD(0x") == 2 * pairs);
    CHECK(count(code, " += col0[") == singles);
    const size_t lines = count(code, "\n");
    WARN("LeNet conv2, " << mask.skipped_count() << " weights skipped: " << lines << " lines, " << code.size()
                         << " bytes, " << pairs << " SMLAD pairs, " << singles << " single MACs");
  }
}

TEST_CASE("codegen unpacked conv: bad input is rejected with a clear error", "[codegen]") {
  const sim::Graph graph = sim::load_tflite(test::lenet_model());
  const sim::WeightMask exact;
  CHECK_THROWS_AS(engine::generate_unpacked_conv_c(graph, 99, exact, "f", kTemplates), engine::CodegenError);
  int not_conv = -1;
  for (const sim::Op& op : graph.ops)
    if (op.type != sim::OpType::kConv2D) not_conv = op.index;
  REQUIRE(not_conv >= 0);
  CHECK_THROWS_WITH(engine::generate_unpacked_conv_c(graph, not_conv, exact, "f", kTemplates),
                    Catch::Contains("CONV_2D ops only"));
  sim::WeightMask short_mask;
  short_mask.skip.assign(5, 1);
  CHECK_THROWS_WITH(engine::generate_unpacked_conv_c(graph, 3, short_mask, "f", kTemplates),
                    Catch::Contains("weight mask has 5 entries"));
  CHECK_THROWS_WITH(engine::generate_unpacked_conv_c(graph, 3, exact, "2bad-name", kTemplates),
                    Catch::Contains("not a C identifier"));
  CHECK_THROWS_WITH(engine::generate_unpacked_conv_c(graph, 3, exact, "f", "/nonexistent/templates"),
                    Catch::Contains("cannot read code template"));
}

}  // namespace
}  // namespace tinyskip
