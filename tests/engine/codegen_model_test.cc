// Host proof of the whole-network code generator (issue 4): the generated
// model_<name>.c, its per-op files and the runtime are compiled with the host
// C compiler at test time, run on the first 1,000 CIFAR-10 test images, and
// every output byte must equal what sim::Simulator computes with the same
// masks. Configurations per model: all runtime kernels (exact), the
// approximated layers unpacked but exact, and two real approximations (masks
// from the paper's significance on calibration images, ~30 % and ~70 % of the
// skip units of every approximated layer skipped).
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/model_source.h"
#include "engine/significance/significance.h"
#include "engine/significance/skip_masks.h"
#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/engine/codegen_test_support.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

const std::filesystem::path kSource = TINYSKIP_SOURCE_DIR;
constexpr int kProofImages = 1000;
constexpr int kCalibrationImages = 32;

struct ModelCase {
  std::string name;
  std::string model;
  std::string pixel_scale;
  std::vector<int> approximated_ops;  // the default experiment's layers
};

ModelCase lenet() { return {"lenet", test::lenet_model(), "1/255", {3, 5}}; }
ModelCase resnet8() { return {"resnet8", test::resnet8_model(), "1", {0, 1, 2, 4, 5, 6, 8, 9, 10}}; }

enum class Variant { kRuntime, kUnpackedExact, kMid, kAggressive };

sim::ImageSet first_images(const std::string& file, int count) {
  const sim::ImageSet all = sim::read_cifar10_file(test::cifar10_dir() + "/" + file);
  REQUIRE(all.size() >= count);
  sim::ImageSet images;
  images.source = all.source;
  images.pixels.assign(all.pixels.begin(), all.pixels.begin() + int64_t{count} * sim::ImageSet::kPixelsPerImage);
  images.labels.assign(all.labels.begin(), all.labels.begin() + count);
  return images;
}

// Masks skipping `fraction` of every layer's skip units in significance
// order: what an exploration would pick at a mid or aggressive threshold.
sim::MaskSet significance_masks(const sim::Graph& graph, const ModelCase& model, double fraction) {
  const sim::Simulator exact(graph);
  sim::RunOptions options;
  for (int op : model.approximated_ops) options.capture.push_back(graph.ops[static_cast<size_t>(op)].inputs[0]);
  const sim::RunOutput run = exact.run(first_images("data_batch_1.bin", kCalibrationImages),
                                       sim::PixelScale::parse(model.pixel_scale), options);
  sim::MaskSet masks;
  for (int op : model.approximated_ops) {
    const engine::LayerScores scores =
        engine::compute_significance(graph, op, run.captured.at(graph.ops[static_cast<size_t>(op)].inputs[0]));
    const engine::LayerSkipOrder order(scores, engine::SkipGranularity::kPair);
    const auto sorted = order.sorted_scores();
    const double threshold = sorted[static_cast<size_t>(fraction * static_cast<double>(sorted.size()))];
    masks[op] = order.mask_at(threshold);
    REQUIRE(masks[op].skipped_count() > 0);
  }
  return masks;
}

std::string driver_source(const sim::Graph& graph, const std::string& name) {
  const std::string upper = fmt::format("MODEL_{}", name == "lenet" ? "LENET" : "RESNET8");
  return fmt::format(
      "#include <stdio.h>\n#include <stdlib.h>\n#include \"model_{0}.h\"\n"
      "static {1} input[{3}_INPUT_SIZE];\nstatic {2} output[{3}_OUTPUT_SIZE];\n"
      "int main(int argc, char **argv) {{\n"
      "  FILE *in, *out;\n  int i, images;\n"
      "  if (argc != 4) return 2;\n"
      "  in = fopen(argv[1], \"rb\");\n  out = fopen(argv[2], \"wb\");\n  if (!in || !out) return 3;\n"
      "  images = atoi(argv[3]);\n"
      "  for (i = 0; i < images; ++i) {{\n"
      "    if (fread(input, sizeof input, 1, in) != 1) return 4;\n"
      "    if (model_{0}_invoke(input, output) != 0) return 5;\n"
      "    if (fwrite(output, sizeof output, 1, out) != 1) return 6;\n"
      "  }}\n"
      "  fclose(in);\n  return fclose(out) == 0 ? 0 : 7;\n}}\n",
      name, engine::c_type_of(graph, graph.input), engine::c_type_of(graph, graph.output), upper);
}

void check_generated_model(const ModelCase& model, Variant variant) {
  const sim::Graph graph = sim::load_tflite(model.model);
  const sim::PixelScale scale = sim::PixelScale::parse(model.pixel_scale);
  sim::MaskSet masks;
  if (variant == Variant::kMid) masks = significance_masks(graph, model, 0.3);
  if (variant == Variant::kAggressive) masks = significance_masks(graph, model, 0.7);
  engine::ModelCodegenOptions options;
  options.model_name = model.name;
  if (variant != Variant::kRuntime) options.unpacked_ops.insert(model.approximated_ops.begin(), model.approximated_ops.end());
  options.template_dir = kSource / "engine/codegen/templates";
  options.runtime_dir = kSource / "engine/runtime";
  const engine::ModelSources sources = engine::generate_model_sources(graph, masks, options);

  test::TempDir dir;
  test::write_generated(sources.files, dir.path());
  test::write_text(dir.path() / "driver" / "driver.c", driver_source(graph, model.name));
  const std::string cc = test::host_c_compiler();
  const std::string flags = " -std=c99 -O1 -Wall -Wextra -pedantic -Werror -I" + test::quoted(dir.path()) + " -I" +
                            test::quoted(dir.path() / "runtime");
  const std::filesystem::path program = dir.path() / "model";
  test::build_program(test::c_sources({dir.path(), dir.path() / "runtime", dir.path() / "driver"}), cc + flags, cc,
                      program, " -lm");

  const sim::ImageSet images = first_images("test_batch.bin", kProofImages);
  const int input_bytes = static_cast<int>(graph.tensor(graph.input).num_bytes());
  std::string inputs(static_cast<size_t>(input_bytes) * kProofImages, '\0');
  for (int i = 0; i < kProofImages; ++i)
    sim::encode_input(graph, scale, images.image(i), sim::ImageSet::kPixelsPerImage,
                      reinterpret_cast<uint8_t*>(inputs.data()) + int64_t{i} * input_bytes);
  test::write_text(dir.path() / "inputs.bin", inputs);
  const test::ShellResult ran =
      test::run_shell(test::quoted(program) + " " + test::quoted(dir.path() / "inputs.bin") + " " +
                      test::quoted(dir.path() / "outputs.bin") + " " + std::to_string(kProofImages));
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const std::string generated = test::read_text(dir.path() / "outputs.bin");

  const sim::RunOutput simulated = sim::Simulator(graph, masks).run(images, scale);
  const std::string expected(simulated.outputs.begin(), simulated.outputs.end());
  REQUIRE(generated.size() == expected.size());
  size_t first_difference = 0;
  while (first_difference < expected.size() && generated[first_difference] == expected[first_difference])
    ++first_difference;
  INFO("first differing byte " << first_difference << " (image " << first_difference / simulated.bytes_per_image
                               << ")");
  CHECK(first_difference == expected.size());

  // The masks must matter, or the comparison proves nothing about skipping.
  if (!masks.empty()) {
    const sim::RunOutput exact = sim::Simulator(graph).run(images, scale);
    CHECK(exact.outputs != simulated.outputs);
  }
}

TEST_CASE("codegen model: LeNet with runtime kernels only matches the simulator on 1000 images", "[codegen]") {
  check_generated_model(lenet(), Variant::kRuntime);
}
TEST_CASE("codegen model: LeNet with exact unpacked conv2/conv3 matches the simulator", "[codegen]") {
  check_generated_model(lenet(), Variant::kUnpackedExact);
}
TEST_CASE("codegen model: LeNet mid approximation (30 % of units skipped) matches the simulator", "[codegen]") {
  check_generated_model(lenet(), Variant::kMid);
}
TEST_CASE("codegen model: LeNet aggressive approximation (70 %) matches the simulator", "[codegen]") {
  check_generated_model(lenet(), Variant::kAggressive);
}
TEST_CASE("codegen model: ResNet-8 with runtime kernels only matches the simulator on 1000 images", "[codegen]") {
  check_generated_model(resnet8(), Variant::kRuntime);
}
TEST_CASE("codegen model: ResNet-8 with all convs unpacked, exact, matches the simulator", "[codegen]") {
  check_generated_model(resnet8(), Variant::kUnpackedExact);
}
TEST_CASE("codegen model: ResNet-8 mid approximation (30 %) matches the simulator", "[codegen]") {
  check_generated_model(resnet8(), Variant::kMid);
}
TEST_CASE("codegen model: ResNet-8 aggressive approximation (70 %) matches the simulator", "[codegen]") {
  check_generated_model(resnet8(), Variant::kAggressive);
}

}  // namespace
}  // namespace tinyskip
