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

#include "tests/engine/cli_test_support.h"
#include "tests/shared_paths.h"

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
  for (const std::string level : {"portable", "avx2", "avx512"}) {
    const std::string out = (std::filesystem::temp_directory_path() / ("tinyskip_simd_" + level + ".bin")).string();
    const auto result = run_cli(eval_args(tinyskip::test::resnet8_model(), "1") + " --limit 300 --outputs " + out,
                                "TINYSKIP_SIMD=" + level);
    INFO(level << ": " << result.output);
    REQUIRE(result.exit_code == 0);
    std::ifstream actual_file(out, std::ios::binary);
    const std::vector<char> actual((std::istreambuf_iterator<char>(actual_file)), {});
    CHECK(actual == expected);
  }
}
