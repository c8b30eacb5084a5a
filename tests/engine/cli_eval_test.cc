// End-to-end: `tinyskip eval` on the real shipped models and all 10,000
// CIFAR-10 test images (the stand-in test_batch.bin, see its PROVENANCE.md).
// The simulator is proven byte-identical to TFLM on images 0-999
// (tests/sim/reference_outputs_test.cc); these pins catch any later change of
// the numbers users see on the whole test set, and of the tie rule.
#include <catch2/catch.hpp>

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
