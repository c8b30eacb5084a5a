// Threshold range expansion: exact decimal values, no drift, max included
// only when it is a whole number of steps away.
#include <catch2/catch.hpp>

#include "engine/config/threshold_spec.h"

using tinyskip::engine::expand_threshold_range;
using tinyskip::engine::round_significant;

TEST_CASE("0 to 0.01 in steps of 0.001 gives exactly the 11 decimal values") {
  const std::vector<double> values = expand_threshold_range(0.0, 0.01, 0.001);
  REQUIRE(values.size() == 11);
  // i / 1000.0 is a single correctly rounded division: the double nearest the
  // decimal i/1000, which is what the literal 0.00i denotes.
  for (int i = 0; i <= 10; ++i) CHECK(values[static_cast<size_t>(i)] == i / 1000.0);
  CHECK(values[3] == 0.003);
  CHECK(values[10] == 0.01);
}

TEST_CASE("range values are computed as min + i * step, not accumulated") {
  // Accumulating 0.1 gives 0.30000000000000004 on the third value; the
  // expansion must give the double of the literal 0.3.
  const std::vector<double> values = expand_threshold_range(0.1, 0.3, 0.1);
  CHECK(values == std::vector<double>{0.1, 0.2, 0.3});
  // 1000 steps of 1e-5: the last is exactly 0.01, each one i * 1e-5 rounded.
  const std::vector<double> fine = expand_threshold_range(0.0, 0.01, 0.00001);
  REQUIRE(fine.size() == 1001);
  CHECK(fine[999] == 0.00999);
  CHECK(fine.back() == 0.01);
}

TEST_CASE("max is included only when it is a whole number of steps from min") {
  CHECK(expand_threshold_range(0.0, 0.0105, 0.001).size() == 11);  // 0 .. 0.01, 0.0105 is half a step past
  CHECK(expand_threshold_range(0.0, 0.0105, 0.001).back() == 0.01);
  CHECK(expand_threshold_range(0.002, 0.002, 0.001) == std::vector<double>{0.002});
  CHECK(expand_threshold_range(0.0, 0.0099999, 0.001).size() == 10);  // 0 .. 0.009
}

TEST_CASE("invalid ranges are rejected") {
  CHECK_THROWS_AS(expand_threshold_range(0.0, 0.01, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(expand_threshold_range(0.0, 0.01, -0.001), std::invalid_argument);
  CHECK_THROWS_AS(expand_threshold_range(0.01, 0.0, 0.001), std::invalid_argument);
  CHECK_THROWS_AS(expand_threshold_range(-0.01, 0.0, 0.001), std::invalid_argument);
  CHECK_THROWS_AS(expand_threshold_range(0.0, 1.0, 1e-7), std::invalid_argument);  // 10^7 values
}

TEST_CASE("round_significant rounds in decimal") {
  CHECK(round_significant(0.1 + 0.2, 12) == 0.3);
  CHECK(round_significant(123456789.0123, 4) == 123500000.0);
  CHECK(round_significant(0.0, 12) == 0.0);
  CHECK(round_significant(-0.00123456, 2) == -0.0012);
}

TEST_CASE("an explicit value list is its own candidate list") {
  tinyskip::engine::ThresholdSpec spec;
  spec.is_range = false;
  spec.values = {0, 0.004, 0.02};
  CHECK(spec.candidates() == std::vector<double>{0, 0.004, 0.02});
  spec.is_range = true;  // default range: the paper's 0 .. 0.01 step 0.001
  CHECK(spec.candidates().size() == 11);
}
