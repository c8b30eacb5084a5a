// The top-1 rule: the largest output, ties to the lowest class index
// (numpy's argmax). Hand cases, and an independent pin: numpy's argmax of
// TFLM's reference outputs for test images 0-999 (../shared/reference) gets
// 880 right for ResNet-8 and 707 for LeNet (computed with numpy, not with
// this program).
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

#include "sim/data/cifar10.h"
#include "sim/simulator.h"
#include "tests/shared_paths.h"

using namespace tinyskip::sim;

namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), {}};
}

int int8_top1(std::vector<int8_t> values) {
  return top1_class(reinterpret_cast<const uint8_t*>(values.data()), DataType::kInt8, static_cast<int>(values.size()));
}

int float_top1(std::vector<float> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return top1_class(bytes.data(), DataType::kFloat32, static_cast<int>(values.size()));
}

int correct_of(const std::string& reference, DataType type, const std::vector<int32_t>& labels) {
  const std::vector<uint8_t> outputs = read_bytes(reference);
  const size_t bytes = 10 * (type == DataType::kFloat32 ? 4 : 1);
  REQUIRE(outputs.size() == 1000 * bytes);
  int correct = 0;
  for (size_t i = 0; i < 1000; ++i) correct += top1_class(outputs.data() + i * bytes, type, 10) == labels[i];
  return correct;
}

}  // namespace

TEST_CASE("top1_class: the largest value, ties to the lowest index") {
  CHECK(int8_top1({-128, 5, 3}) == 1);
  CHECK(int8_top1({7, 7, 7}) == 0);
  CHECK(int8_top1({-5, 9, -100, 9}) == 1);
  CHECK(int8_top1({-128, -128, -127}) == 2);
  CHECK(int8_top1({127}) == 0);
  CHECK(float_top1({0.25f, 0.5f, 0.5f, 0.125f}) == 1);
  CHECK(float_top1({-1.0f, -0.5f, -0.75f}) == 1);
  CHECK(float_top1({0.0f, -0.0f}) == 0);  // equal values: the lower index
  CHECK(float_top1({-0.0f, 0.0f}) == 0);
}

TEST_CASE("top1_class on TFLM's reference outputs gives numpy's counts") {
  const TensorSet test = load_cifar10(tinyskip::test::cifar10_dir() + "/" + kCifar10TestFile);
  const std::vector<int32_t> labels(test.labels.begin(), test.labels.begin() + 1000);
  CHECK(correct_of(tinyskip::test::shared_path("reference/resnet8_test_0-999_tflm_out_i8.bin"), DataType::kInt8,
                   labels) == 880);
  CHECK(correct_of(tinyskip::test::shared_path("reference/lenet_test_0-999_tflm_out_f32.bin"), DataType::kFloat32,
                   labels) == 707);
}
