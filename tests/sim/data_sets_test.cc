// Data sets behind one interface: .npy input/label pairs read as stored,
// every way such a pair can be wrong named, samples encoded for a model by
// hand-worked rules (as stored, pixel * scale, quantised like QUANTIZE), and
// the simulator giving the same outputs whichever way the same inputs come.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "sim/data/cifar10.h"
#include "sim/data/data_source.h"
#include "sim/data/model_inputs.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/npy_files.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

namespace tinyskip::sim {
namespace {

using Catch::Matchers::Contains;

std::filesystem::path write_npy(const test::TempDir& dir, const std::string& name, const std::string& bytes) {
  const auto path = dir.path() / name;
  test::write_text(path, bytes);
  return path;
}

TEST_CASE("data sets: an npy pair reads as stored, with labels", "[data]") {
  test::TempDir dir;
  const auto inputs = write_npy(dir, "x.npy", test::npy_array<int8_t>("|i1", "(3, 2, 2)", {1, 2, 3, 4, -1, -2, -3, -4,
                                                                                         127, -128, 0, 5}));
  const auto labels = write_npy(dir, "y.npy", test::npy_array<int64_t>("<i8", "(3,)", {7, 0, 11}));
  const TensorSet set = read_npy_samples(inputs, labels);
  CHECK(set.type == DataType::kInt8);
  CHECK(set.count == 3);
  CHECK(set.sample_shape == std::vector<int64_t>{2, 2});
  CHECK(set.labels == std::vector<int32_t>{7, 0, 11});
  CHECK(static_cast<int8_t>(set.sample(2)[1]) == -128);
  const TensorSet tail = slice(set, 1, 10);  // end clamped
  CHECK(tail.count == 2);
  CHECK(tail.labels == std::vector<int32_t>{0, 11});
  CHECK(static_cast<int8_t>(tail.sample(0)[0]) == -1);

  const TensorSet unlabelled = read_npy_samples(inputs, {});
  CHECK_FALSE(unlabelled.labelled());
  CHECK_THROWS_WITH(concatenate({set, unlabelled}), Contains("with labels"));
}

TEST_CASE("data sets: every malformed npy pair is a DataError naming the file and the problem", "[data]") {
  test::TempDir dir;
  const auto good = write_npy(dir, "x.npy", test::npy_array<uint8_t>("|u1", "(2, 3)", {1, 2, 3, 4, 5, 6}));
  const auto check = [&](const std::filesystem::path& inputs, const std::filesystem::path& labels,
                         const std::string& file, const std::string& problem) {
    CHECK_THROWS_AS(read_npy_samples(inputs, labels), DataError);
    CHECK_THROWS_WITH(read_npy_samples(inputs, labels), Contains(file) && Contains(problem));
  };
  check(write_npy(dir, "i16.npy", test::npy_array<int16_t>("<i2", "(2, 1)", {1, 2})), {}, "i16.npy", "int16");
  check(write_npy(dir, "flat.npy", test::npy_array<int8_t>("|i1", "(4,)", {1, 2, 3, 4})), {}, "flat.npy",
        "(N, *input_shape)");
  check(write_npy(dir, "none.npy", test::npy_array<int8_t>("|i1", "(0, 4)", {})), {}, "none.npy", "no samples");
  check(good, write_npy(dir, "three.npy", test::npy_array<int32_t>("<i4", "(3,)", {0, 1, 2})), "three.npy",
        "3 labels for 2 input samples");
  check(good, write_npy(dir, "float.npy", test::npy_array<float>("<f4", "(2,)", {0, 1})), "float.npy",
        "must be integers");
  check(good, write_npy(dir, "matrix.npy", test::npy_array<int8_t>("|i1", "(2, 1)", {0, 1})), "matrix.npy",
        "1-D");
  check(good, write_npy(dir, "negative.npy", test::npy_array<int8_t>("|i1", "(2,)", {0, -1})), "negative.npy",
        "label 1 is -1");
  check(write_npy(dir, "fortran.npy",
                  test::npy_file("{'descr': '|i1', 'fortran_order': True, 'shape': (2, 2), }", "abcd")),
        {}, "fortran.npy", "Fortran order");
  check(write_npy(dir, "short.npy", test::npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }",
                                                   "abc")),
        {}, "short.npy", "truncated");
  check(dir.path() / "missing.npy", {}, "missing.npy", "cannot read");

  CHECK_THROWS_WITH(data_source_for((dir.path() / "nothing.npy").string(), ""), Contains("nothing.npy"));
  CHECK_THROWS_WITH(data_source_for(good.string(), (dir.path() / "no_labels.npy").string()),
                    Contains("no_labels.npy"));
  CHECK_THROWS_WITH(data_source_for(test::cifar10_dir(), good.string()), Contains("CIFAR-10 files carry"));
}

TEST_CASE("data sets: samples are encoded for the model input by the documented rules", "[data]") {
  // ResNet-8: int8 input, scale 1.0, zero point -128 (SOURCES.md).
  const Graph resnet8 = load_tflite(test::resnet8_model());
  REQUIRE(sample_shape_of(resnet8) == std::vector<int64_t>{32, 32, 3});
  const auto sample = [](DataType type, std::vector<uint8_t> bytes, int count = 1) {
    TensorSet set;
    set.source = "made-up";
    set.type = type;
    set.sample_shape = {32, 32, 3};
    set.count = count;
    bytes.resize(static_cast<size_t>(set.bytes_per_sample() * count));
    set.bytes = std::move(bytes);
    return set;
  };
  {  // uint8 pixels: real = pixel * 1, quantised: q = round(real / 1) - 128
    const ModelInputs inputs(resnet8, sample(DataType::kUInt8, {0, 128, 255, 7}), PixelScale::parse("1"));
    const std::vector<uint8_t> q = inputs.encoded(0, 1);
    CHECK(static_cast<int8_t>(q[0]) == -128);
    CHECK(static_cast<int8_t>(q[1]) == 0);
    CHECK(static_cast<int8_t>(q[2]) == 127);
    CHECK(static_cast<int8_t>(q[3]) == -121);
  }
  {  // uint8 with scale 1/2: 7 * 0.5 = 3.5 rounds away from zero to 4, -> -124
    const ModelInputs inputs(resnet8, sample(DataType::kUInt8, {7, 255}), PixelScale::parse("1/2"));
    CHECK(static_cast<int8_t>(inputs.encoded(0, 1)[0]) == -124);
    CHECK(static_cast<int8_t>(inputs.encoded(0, 1)[1]) == 0);  // 127.5 -> 128 - 128
  }
  {  // float32 real values, quantised with the input's parameters, saturating
    const float values[4] = {100.4f, -1000.0f, 300.0f, 0.5f};
    std::vector<uint8_t> bytes(sizeof values);
    std::memcpy(bytes.data(), values, sizeof values);
    const ModelInputs inputs(resnet8, sample(DataType::kFloat32, bytes), std::nullopt);
    const std::vector<uint8_t> q = inputs.encoded(0, 1);
    CHECK(static_cast<int8_t>(q[0]) == -28);   // 100 - 128
    CHECK(static_cast<int8_t>(q[1]) == -128);  // clamped
    CHECK(static_cast<int8_t>(q[2]) == 127);   // clamped
    CHECK(static_cast<int8_t>(q[3]) == -127);  // 0.5 rounds away from zero: 1 - 128
  }
  {  // int8 samples go in as stored
    const ModelInputs inputs(resnet8, sample(DataType::kInt8, {0x80, 0x7F, 0x05}), std::nullopt);
    CHECK(inputs.encoded(0, 1)[0] == 0x80);
    CHECK(inputs.encoded(0, 1)[2] == 0x05);
  }
  // LeNet: float32 input; pixels become pixel * 1/255 in float.
  const Graph lenet = load_tflite(test::lenet_model());
  {
    const ModelInputs inputs(lenet, sample(DataType::kUInt8, {51, 255}), PixelScale::parse("1/255"));
    const std::vector<uint8_t> f = inputs.encoded(0, 1);
    float first, second;
    std::memcpy(&first, f.data(), 4);
    std::memcpy(&second, f.data() + 4, 4);
    CHECK(first == 51.0f / 255.0f);
    CHECK(second == 1.0f);
  }
  CHECK_THROWS_WITH(ModelInputs(lenet, sample(DataType::kInt8, {}), std::nullopt),
                    Contains("made-up") && Contains("float32"));
  CHECK_THROWS_WITH(ModelInputs(resnet8, sample(DataType::kUInt8, {}), std::nullopt), Contains("pixel scale"));
  TensorSet wrong = sample(DataType::kInt8, {});
  wrong.sample_shape = {96, 96, 3};
  wrong.bytes.resize(96 * 96 * 3);
  CHECK_THROWS_WITH(ModelInputs(resnet8, wrong, std::nullopt),
                    Contains("(96, 96, 3)") && Contains("(32, 32, 3)") && Contains("resnet8"));
}

TEST_CASE("data sets: the same images as CIFAR-10, int8 npy and float32 npy give the same outputs", "[data]") {
  const TensorSet cifar = slice(load_cifar10(test::cifar10_dir()), 0, 24);
  test::TempDir dir;
  std::vector<int8_t> shifted(cifar.bytes.size());
  std::vector<float> scaled(cifar.bytes.size());
  for (size_t i = 0; i < cifar.bytes.size(); ++i) {
    shifted[i] = static_cast<int8_t>(cifar.bytes[i] - 128);  // ResNet-8's input: pixel - 128
    scaled[i] = static_cast<float>(cifar.bytes[i]) / 255.0f;  // LeNet's: pixel / 255
  }
  std::vector<int32_t> labels(cifar.labels.begin(), cifar.labels.end());
  const auto labels_file = write_npy(dir, "y.npy", test::npy_array<int32_t>("<i4", "(24,)", labels));

  const Graph resnet8 = load_tflite(test::resnet8_model());
  const ModelInputs as_pixels(resnet8, cifar, PixelScale::parse("1"));
  const ModelInputs as_int8(
      resnet8,
      read_npy_samples(write_npy(dir, "x8.npy", test::npy_array<int8_t>("|i1", "(24, 32, 32, 3)", shifted)),
                       labels_file),
      std::nullopt);
  const RunOutput pixel_run = Simulator(resnet8).run(as_pixels);
  CHECK(Simulator(resnet8).run(as_int8).outputs == pixel_run.outputs);
  CHECK(count_correct(pixel_run, as_int8, DataType::kInt8, 10) == count_correct(pixel_run, as_pixels, DataType::kInt8, 10));

  const Graph lenet = load_tflite(test::lenet_model());
  const ModelInputs lenet_pixels(lenet, cifar, PixelScale::parse("1/255"));
  const ModelInputs as_float(
      lenet, read_npy_samples(write_npy(dir, "xf.npy", test::npy_array<float>("<f4", "(24, 32, 32, 3)", scaled)), {}),
      std::nullopt);
  CHECK(Simulator(lenet).run(as_float).outputs == Simulator(lenet).run(lenet_pixels).outputs);
  CHECK_THROWS_WITH(count_correct(Simulator(lenet).run(as_float), as_float, DataType::kFloat32, 10),
                    Contains("no labels"));
  // Inputs encoded for one model do not run on another.
  CHECK_THROWS_AS(Simulator(lenet).run(as_int8), SimulatorError);
}

}  // namespace
}  // namespace tinyskip::sim
