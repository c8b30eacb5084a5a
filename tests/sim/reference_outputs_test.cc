// Whole-network differential test against TensorFlow Lite Micro: the
// simulator must reproduce every byte of TFLM's outputs, for the two CIFAR-10
// models on test images 0-999 and for the three other MLPerf Tiny models on
// TFLM's 8 seeded random inputs each (../shared/reference/README.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "sim/data/cifar10.h"
#include "sim/data/model_inputs.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/shared_paths.h"

namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), {}};
}

using namespace tinyskip::sim;

ModelInputs cifar10_test_images(const Graph& graph, const std::string& pixel_scale, int count) {
  return ModelInputs(graph, slice(load_cifar10(tinyskip::test::cifar10_dir()), 0, count),
                     PixelScale::parse(pixel_scale));
}

// A reference file of raw int8 input tensors, one after the other.
ModelInputs raw_int8_inputs(const Graph& graph, const std::string& file) {
  TensorSet set;
  set.source = file;
  set.type = DataType::kInt8;
  set.sample_shape = sample_shape_of(graph);
  set.bytes = read_bytes(file);
  REQUIRE(set.bytes.size() % static_cast<size_t>(set.bytes_per_sample()) == 0);
  set.count = static_cast<int>(set.bytes.size() / static_cast<size_t>(set.bytes_per_sample()));
  return ModelInputs(graph, std::move(set), std::nullopt);
}

// Compares per input and reports the first differing one, so a failure
// says where to look rather than only that something differs.
void require_identical_outputs(const Graph& graph, const ModelInputs& inputs, const std::string& reference,
                               int threads) {
  RunOptions options;
  options.threads = threads;
  const RunOutput run = Simulator(graph).run(inputs, options);
  const std::vector<uint8_t> expected = read_bytes(reference);
  REQUIRE(expected.size() == run.outputs.size());
  int differing_images = 0, first_differing = -1;
  for (int i = 0; i < run.images; ++i) {
    const size_t offset = static_cast<size_t>(i) * run.bytes_per_image;
    if (!std::equal(run.outputs.begin() + offset, run.outputs.begin() + offset + run.bytes_per_image,
                    expected.begin() + offset)) {
      if (first_differing < 0) first_differing = i;
      ++differing_images;
    }
  }
  INFO("first differing input: " << first_differing);
  CHECK(differing_images == 0);
}

void require_identical_to_random_reference(const std::string& model) {
  const Graph graph = load_tflite(tinyskip::test::shared_path("models/" + model + ".tflite"));
  const ModelInputs inputs =
      raw_int8_inputs(graph, tinyskip::test::shared_path("reference/" + model + "_random_0-7_in_i8.bin"));
  REQUIRE(inputs.size() == 8);
  require_identical_outputs(graph, inputs,
                            tinyskip::test::shared_path("reference/" + model + "_random_0-7_tflm_out_i8.bin"), 2);
}

}  // namespace

TEST_CASE("LeNet outputs are byte-identical to TFLM on test images 0-999") {
  const Graph graph = load_tflite(tinyskip::test::lenet_model());
  require_identical_outputs(graph, cifar10_test_images(graph, "1/255", 1000),
                            tinyskip::test::shared_path("reference/lenet_test_0-999_tflm_out_f32.bin"), 2);
}

TEST_CASE("ResNet-8 outputs are byte-identical to TFLM on test images 0-999") {
  const Graph graph = load_tflite(tinyskip::test::resnet8_model());
  require_identical_outputs(graph, cifar10_test_images(graph, "1", 1000),
                            tinyskip::test::shared_path("reference/resnet8_test_0-999_tflm_out_i8.bin"), 2);
}

TEST_CASE("KWS (DS-CNN) outputs are byte-identical to TFLM on its 8 random reference inputs") {
  require_identical_to_random_reference("kws_ref_model");
}

TEST_CASE("VWW (MobileNetV1 0.25) outputs are byte-identical to TFLM on its 8 random reference inputs") {
  require_identical_to_random_reference("vww_96_int8");
}

TEST_CASE("AD01 (FC autoencoder) outputs are byte-identical to TFLM on its 8 random reference inputs") {
  require_identical_to_random_reference("ad01_int8");
}

TEST_CASE("Simulator output does not depend on thread count or chunk size") {
  const Graph graph = load_tflite(tinyskip::test::resnet8_model());
  const ModelInputs images = cifar10_test_images(graph, "1", 37);
  const Simulator simulator(graph);
  RunOptions one;
  one.threads = 1;
  one.images_per_chunk = 1;
  RunOptions many;
  many.threads = 2;
  many.images_per_chunk = 5;  // 37 = 7 chunks of 5 + a partial chunk of 2
  CHECK(simulator.run(images, one).outputs == simulator.run(images, many).outputs);
}
