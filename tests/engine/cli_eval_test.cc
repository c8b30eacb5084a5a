// End-to-end: `tinyskip eval` on the real shipped models and all 10,000
// CIFAR-10 test images (the stand-in test_batch.bin, see its PROVENANCE.md).
// The simulator is proven byte-identical to TFLM on images 0-999
// (tests/sim/reference_outputs_test.cc); these pins catch any later change of
// the numbers users see on the whole test set, and of the tie rule.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "sim/data/cifar10.h"
#include "sim/kernels/simd_level.h"
#include "tests/engine/cli_test_support.h"
#include "tests/npy_files.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

using tinyskip::test::run_cli;

namespace {
std::string eval_args(const std::string& model, const std::string& scale) {
  return "eval --model " + model + " --data " + tinyskip::test::cifar10_dir() + " --pixel-scale " + scale;
}
}  // namespace

TEST_CASE("tinyskip eval: ResNet-8 exact top-1 on all 10,000 test images is 7707/10000") {
  const auto result = run_cli(eval_args(tinyskip::test::resnet8_model(), "1"));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("77.07 %") && Catch::Contains("(7707/10000)"));
  CHECK_THAT(result.output, Catch::Contains("GMAC/s"));
}

TEST_CASE("tinyskip eval: LeNet exact top-1 on all 10,000 test images is 7058/10000") {
  const auto result = run_cli(eval_args(tinyskip::test::lenet_model(), "1/255"));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::Contains("70.58 %") && Catch::Contains("(7058/10000)"));
}

TEST_CASE("tinyskip eval: bad inputs give one clear error and a non-zero exit") {
  const auto missing_model = run_cli(eval_args("/nonexistent/model.tflite", "1"));
  CHECK(missing_model.exit_code != 0);
  CHECK_THAT(missing_model.output, Catch::Contains("/nonexistent/model.tflite"));

  const auto bad_scale = run_cli(eval_args(tinyskip::test::lenet_model(), "abc"));
  CHECK(bad_scale.exit_code != 0);
  CHECK_THAT(bad_scale.output, Catch::Contains("pixel scale 'abc'"));

  const auto missing_data = run_cli("eval --model " + tinyskip::test::lenet_model() +
                                    " --data /nonexistent/cifar --pixel-scale 1");
  CHECK(missing_data.exit_code != 0);
  CHECK_THAT(missing_data.output, Catch::Contains("/nonexistent/cifar"));

  const auto past_end = run_cli(eval_args(tinyskip::test::lenet_model(), "1") + " --offset 20000");
  CHECK(past_end.exit_code != 0);
  CHECK_THAT(past_end.output, Catch::Contains("--offset 20000"));
}

TEST_CASE("tinyskip eval: every SIMD level reproduces TFLM's ResNet-8 outputs byte for byte") {
  // The GEMM path dispatches at run time (AVX-512 VNNI, AVX2, portable);
  // TINYSKIP_SIMD caps the level, so each level runs the whole network here.
  const std::string reference = tinyskip::test::shared_path("reference/resnet8_test_0-999_tflm_out_i8.bin");
  std::ifstream expected_file(reference, std::ios::binary);
  std::vector<char> expected((std::istreambuf_iterator<char>(expected_file)), {});
  REQUIRE(expected.size() == 10000);
  expected.resize(300 * 10);  // images 0-299
  // A cap above what the CPU has runs the best level it has; the eval output
  // names the level that really ran.
  using tinyskip::sim::SimdLevel;
  const std::vector<std::pair<std::string, SimdLevel>> caps = {
      {"portable", SimdLevel::kPortable}, {"avx2", SimdLevel::kAvx2}, {"avx512", SimdLevel::kAvx512Vnni}};
  for (const auto& [level, cap] : caps) {
    SimdLevel ran = SimdLevel::kPortable;
    for (SimdLevel supported : tinyskip::sim::supported_simd_levels())
      if (supported <= cap) ran = supported;
    if (ran != cap) WARN("TINYSKIP_SIMD=" << level << ": this CPU lacks it, so " << simd_level_name(ran) << " ran");
    const std::string out = (std::filesystem::temp_directory_path() / ("tinyskip_simd_" + level + ".bin")).string();
    const auto result = run_cli(eval_args(tinyskip::test::resnet8_model(), "1") + " --limit 300 --outputs " + out,
                                "TINYSKIP_SIMD=" + level);
    INFO(level << ": " << result.output);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.output, Catch::Matchers::Contains(std::string("SIMD level ") + simd_level_name(ran)));
    std::ifstream actual_file(out, std::ios::binary);
    const std::vector<char> actual((std::istreambuf_iterator<char>(actual_file)), {});
    CHECK(actual == expected);
  }
}

// The same 200 test images as CIFAR-10 and as an int8 .npy pair (pixel - 128,
// ResNet-8's input) give the same top-1; bad .npy data gets one clear error.
TEST_CASE("tinyskip eval: .npy inputs and labels, and every bad .npy a clear error") {
  const tinyskip::sim::TensorSet cifar =
      tinyskip::sim::slice(tinyskip::sim::load_cifar10(tinyskip::test::cifar10_dir()), 0, 200);
  std::vector<int8_t> shifted(cifar.bytes.size());
  for (size_t i = 0; i < shifted.size(); ++i) shifted[i] = static_cast<int8_t>(cifar.bytes[i] - 128);
  tinyskip::test::TempDir dir;
  const auto inputs = dir.path() / "x.npy", labels = dir.path() / "y.npy";
  tinyskip::test::write_text(inputs, tinyskip::test::npy_array<int8_t>("|i1", "(200, 32, 32, 3)", shifted));
  tinyskip::test::write_text(labels, tinyskip::test::npy_array<int32_t>("<i4", "(200,)", cifar.labels));
  const std::string model = " --model " + tinyskip::test::resnet8_model();

  const auto from_cifar =
      run_cli("eval" + model + " --data " + tinyskip::test::cifar10_dir() + " --pixel-scale 1 --limit 200");
  const auto from_npy = run_cli("eval" + model + " --data " + inputs.string() + " --labels " + labels.string());
  INFO(from_cifar.output << from_npy.output);
  REQUIRE(from_cifar.exit_code == 0);
  REQUIRE(from_npy.exit_code == 0);
  const auto top1_line = [](const std::string& output) {
    const size_t at = output.find("top-1");
    return output.substr(at, output.find('\n', at) - at);
  };
  CHECK(top1_line(from_npy.output) == top1_line(from_cifar.output));
  const auto unlabelled = run_cli("eval" + model + " --data " + inputs.string());
  CHECK(unlabelled.exit_code == 0);
  CHECK_THAT(unlabelled.output, Catch::Contains("no labels, not scored; predicted classes"));

  const auto lenet = run_cli("eval --model " + tinyskip::test::lenet_model() + " --data " + inputs.string());
  CHECK(lenet.exit_code != 0);
  CHECK_THAT(lenet.output, Catch::Contains("x.npy") && Catch::Contains("float32"));
  const auto few_labels = dir.path() / "few.npy";
  tinyskip::test::write_text(few_labels, tinyskip::test::npy_array<int32_t>("<i4", "(3,)", {1, 2, 3}));
  const auto mismatch = run_cli("eval" + model + " --data " + inputs.string() + " --labels " + few_labels.string());
  CHECK(mismatch.exit_code != 0);
  CHECK_THAT(mismatch.output, Catch::Contains("few.npy: 3 labels for 200 input samples"));
  const auto wrong_shape = dir.path() / "flat.npy";
  tinyskip::test::write_text(wrong_shape,
                             tinyskip::test::npy_array<int8_t>("|i1", "(2, 3072)", std::vector<int8_t>(6144)));
  const auto shape = run_cli("eval" + model + " --data " + wrong_shape.string());
  CHECK(shape.exit_code != 0);
  CHECK_THAT(shape.output, Catch::Contains("flat.npy") && Catch::Contains("(3072,)") && Catch::Contains("(32, 32, 3)"));
  const auto truncated = dir.path() / "cut.npy";
  std::string bytes = tinyskip::test::npy_array<int8_t>("|i1", "(2, 32, 32, 3)", std::vector<int8_t>(6144));
  bytes.resize(bytes.size() - 1000);
  tinyskip::test::write_text(truncated, bytes);
  const auto cut = run_cli("eval" + model + " --data " + truncated.string());
  CHECK(cut.exit_code != 0);
  CHECK_THAT(cut.output, Catch::Contains("cut.npy") && Catch::Contains("truncated"));
}
