// Whole-network differential test against TensorFlow Lite Micro: the
// simulator must reproduce every byte of TFLM's outputs for both shipped
// models on CIFAR-10 test images 0-999 (../shared/reference/README.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/shared_paths.h"

namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Compares per image and reports the first differing image, so a failure
// says where to look rather than only that something differs.
void require_identical_outputs(const std::string& model, const std::string& pixel_scale, const std::string& reference,
                               int threads) {
  using namespace tinyskip::sim;
  const Graph graph = load_tflite(model);
  const ImageSet images = slice(load_cifar10(tinyskip::test::cifar10_dir()), 0, 1000);
  RunOptions options;
  options.threads = threads;
  const RunOutput run = Simulator(graph).run(images, PixelScale::parse(pixel_scale), options);
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
  INFO("first differing image: " << first_differing);
  CHECK(differing_images == 0);
}

}  // namespace

TEST_CASE("LeNet outputs are byte-identical to TFLM on test images 0-999") {
  require_identical_outputs(tinyskip::test::lenet_model(), "1/255",
                            tinyskip::test::shared_path("reference/lenet_test_0-999_tflm_out_f32.bin"), 2);
}

TEST_CASE("ResNet-8 outputs are byte-identical to TFLM on test images 0-999") {
  require_identical_outputs(tinyskip::test::resnet8_model(), "1",
                            tinyskip::test::shared_path("reference/resnet8_test_0-999_tflm_out_i8.bin"), 2);
}

TEST_CASE("Simulator output does not depend on thread count or chunk size") {
  using namespace tinyskip::sim;
  const Graph graph = load_tflite(tinyskip::test::resnet8_model());
  const ImageSet images = slice(load_cifar10(tinyskip::test::cifar10_dir()), 0, 37);
  const Simulator simulator(graph);
  RunOptions one;
  one.threads = 1;
  one.images_per_chunk = 1;
  RunOptions many;
  many.threads = 2;
  many.images_per_chunk = 5;  // 37 = 7 chunks of 5 + a partial chunk of 2
  CHECK(simulator.run(images, PixelScale::parse("1"), one).outputs ==
        simulator.run(images, PixelScale::parse("1"), many).outputs);
}
