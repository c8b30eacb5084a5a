// The fit behind `tinyskip calibrate` and the statistics behind
// `tinyskip check-model`, on hand-made data whose answers are worked out by
// hand: coefficients recovered from exact samples, non-negativity where the
// unconstrained optimum is negative, one fit per kernel type and level, and
// Spearman's rank correlation with ties.
#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include "engine/calibrate/calibration_job.h"
#include "engine/calibrate/least_squares.h"
#include "engine/calibrate/model_check.h"

namespace tinyskip::engine {
namespace {

constexpr double kNoRidge = 1e-12;

TEST_CASE("non-negative least squares recovers exact coefficients", "[calibrate]") {
  Eigen::MatrixXd a(4, 3);
  a << 1, 10, 100,  //
      1, 20, 50,    //
      1, 5, 400,    //
      1, 40, 10;
  const Eigen::Vector3d truth(7, 2, 0.5);
  const Eigen::VectorXd x = fit_nonnegative(a, a * truth, Eigen::VectorXd::Zero(3), kNoRidge);
  for (int i = 0; i < 3; ++i) CHECK(x(i) == Approx(truth(i)).epsilon(1e-6));
}

TEST_CASE("non-negative least squares clamps a negative optimum to zero", "[calibrate]") {
  // b = 3 a1 - a2 with a1 = (1,1,1), a2 = (0,1,2): unconstrained x = (3, -1).
  // With x2 >= 0 the optimum is x2 = 0 and x1 = a1.b / a1.a1 = 6 / 3 = 2 (the
  // residual (1, 0, -1) has a2.r = -2 <= 0, so x2 = 0 satisfies KKT).
  Eigen::MatrixXd a(3, 2);
  a << 1, 0,  //
      1, 1,   //
      1, 2;
  const Eigen::Vector3d b(3, 2, 1);
  const Eigen::VectorXd x = fit_nonnegative(a, b, Eigen::VectorXd::Zero(2), kNoRidge);
  CHECK(x(0) == Approx(2.0).epsilon(1e-6));
  CHECK(x(1) == Approx(0.0).margin(1e-9));
  CHECK_THROWS_AS(fit_nonnegative(a, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2), kNoRidge),
                  std::invalid_argument);
}

CalibrationSample add_sample(double elements, const std::string& level, double per_call, double per_element) {
  CalibrationSample sample;
  sample.program = std::string("p").append(std::to_string(static_cast<int>(elements)));
  sample.features.kernel = "runtime.add";
  sample.features.add("one", 1);
  sample.features.add("elements", elements);
  sample.opt_level = level;
  sample.measured_cycles = per_call + per_element * elements;
  return sample;
}

TEST_CASE("kernels are fitted per type and optimisation level", "[calibrate]") {
  std::vector<CalibrationSample> samples;
  for (double elements : {16.0, 100.0, 1000.0, 4096.0}) {
    samples.push_back(add_sample(elements, "-Os", 120, 3));
    samples.push_back(add_sample(elements, "-O2", 80, 2));
  }
  const auto kernels = fit_kernels(samples);
  REQUIRE(kernels.size() == 2);
  const mcu::KernelCalibration& os = kernels.at("runtime.add@-Os");
  const mcu::KernelCalibration& o2 = kernels.at("runtime.add@-O2");
  CHECK(os.features == std::vector<std::string>{"one", "elements"});
  // The fit's small ridge pulls towards zero by about 1e-6 of the scale.
  CHECK(os.cycles[0] == Approx(120).epsilon(1e-3));
  CHECK(os.cycles[1] == Approx(3).epsilon(1e-3));
  CHECK(o2.cycles[0] == Approx(80).epsilon(1e-3));
  CHECK(o2.cycles[1] == Approx(2).epsilon(1e-3));
  CHECK(os.residuals.samples == 4);
  CHECK(os.residuals.max_relative_error < 1e-4);

  SECTION("residuals are relative errors of the samples") {
    // One sample 10 % above the line: a two-feature fit through four points
    // cannot absorb it, so the residuals show it.
    samples[0].measured_cycles *= 1.10;
    const mcu::KernelCalibration noisy = fit_kernels(samples).at("runtime.add@-Os");
    CHECK(noisy.residuals.max_relative_error > 0.02);
    CHECK(noisy.residuals.max_relative_error < 0.10);
  }
}

TEST_CASE("Spearman's rank correlation, ties sharing their mean rank", "[calibrate]") {
  CHECK(spearman_correlation({1, 2, 3, 4}, {10, 20, 30, 40}) == Approx(1.0));
  CHECK(spearman_correlation({1, 2, 3, 4}, {4, 3, 2, 1}) == Approx(-1.0));
  // Ranks (1, 2, 3, 4) against (1, 3, 2, 4): d^2 = 0 + 1 + 1 + 0 = 2,
  // rho = 1 - 6 * 2 / (4 * 15) = 0.8.
  CHECK(spearman_correlation({1, 2, 3, 4}, {5, 7, 6, 8}) == Approx(0.8));
  // b = (1, 2, 2, 3) ranks as (1, 2.5, 2.5, 4): the Pearson correlation of
  // ranks (1,2,3,4) and (1,2.5,2.5,4): centred (-1.5,-.5,.5,1.5) and
  // (-1.5,0,0,1.5): 4.5 / sqrt(5 * 4.5) = 0.9487.
  CHECK(spearman_correlation({1, 2, 3, 4}, {1, 2, 2, 3}) == Approx(4.5 / std::sqrt(5.0 * 4.5)));
  CHECK(spearman_correlation({1}, {1}) == 0.0);
  CHECK(spearman_correlation({1, 2, 3}, {5, 5, 5}) == 0.0);
}

TEST_CASE("error summaries: rms, largest and whose", "[calibrate]") {
  std::vector<CycleComparison> comparisons = {
      {"a", -1, "", 100, 103, {}}, {"b", -1, "", 200, 196, {}}, {"c", -1, "", 50, 50, {}}};
  const ErrorSummary summary = summarize_errors(comparisons);
  CHECK(summary.count == 3);
  // Relative errors 3 %, -2 %, 0: rms sqrt((9 + 4 + 0) / 3) %.
  CHECK(summary.rms == Approx(std::sqrt(13.0 / 3.0) / 100));
  CHECK(summary.max_abs == Approx(0.03));
  CHECK(summary.worst == "a");
}

}  // namespace
}  // namespace tinyskip::engine
