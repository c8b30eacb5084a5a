// CIFAR-10 reader: record layout, planar -> HWC conversion, whole-record rule.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/data/cifar10.h"
#include "tests/shared_paths.h"

using tinyskip::sim::DataError;
using tinyskip::sim::TensorSet;

namespace {

std::string write_temp(const std::string& name, const std::vector<uint8_t>& bytes) {
  const auto path = std::filesystem::temp_directory_path() / ("tinyskip_test_" + name);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return path.string();
}

// A record whose pixel byte at plane c, position p is (c * 7 + p) mod 251,
// label given: lets each HWC byte be predicted independently below.
std::vector<uint8_t> synthetic_record(uint8_t label) {
  std::vector<uint8_t> record(3073);
  record[0] = label;
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 1024; ++p) record[1 + c * 1024 + p] = static_cast<uint8_t>((c * 7 + p) % 251);
  return record;
}

}  // namespace

TEST_CASE("CIFAR-10 records are converted from planar RGB to HWC") {
  std::vector<uint8_t> bytes = synthetic_record(3);
  const std::vector<uint8_t> second = synthetic_record(9);
  bytes.insert(bytes.end(), second.begin(), second.end());
  const TensorSet set = tinyskip::sim::read_cifar10_file(write_temp("two.bin", bytes));
  REQUIRE(set.size() == 2);
  CHECK(set.labels == std::vector<int32_t>{3, 9});
  CHECK(set.type == tinyskip::sim::DataType::kUInt8);
  CHECK(set.sample_shape == std::vector<int64_t>{32, 32, 3});
  // Pixel (y=1, x=2) is plane position p = 1*32 + 2 = 34; HWC offset = 34*3 + c.
  CHECK(set.sample(0)[34 * 3 + 0] == 34);           // R: (0*7 + 34) % 251
  CHECK(set.sample(0)[34 * 3 + 1] == 41);           // G: (1*7 + 34) % 251
  CHECK(set.sample(1)[34 * 3 + 2] == 48);           // B: (2*7 + 34) % 251
  CHECK(set.sample(1)[1023 * 3 + 2] == (14 + 1023) % 251);  // last pixel, B
}

TEST_CASE("CIFAR-10 reader rejects partial records, bad labels and missing files") {
  std::vector<uint8_t> bytes = synthetic_record(1);
  bytes.resize(3073 + 100, 0);
  CHECK_THROWS_WITH(tinyskip::sim::read_cifar10_file(write_temp("partial.bin", bytes)),
                    Catch::Contains("partial one of 100 bytes"));
  std::vector<uint8_t> bad_label = synthetic_record(10);
  CHECK_THROWS_WITH(tinyskip::sim::read_cifar10_file(write_temp("label.bin", bad_label)),
                    Catch::Contains("record 0 has label 10"));
  CHECK_THROWS_WITH(tinyskip::sim::read_cifar10_file(write_temp("empty.bin", {})), Catch::Contains("empty"));
  CHECK_THROWS_WITH(tinyskip::sim::read_cifar10_file("/nonexistent/test_batch.bin"),
                    Catch::Contains("/nonexistent/test_batch.bin"));
  CHECK_THROWS_AS(tinyskip::sim::load_cifar10(std::filesystem::temp_directory_path().string()), DataError);
}

TEST_CASE("The shared CIFAR-10 stand-in has the sizes its PROVENANCE.md states") {
  const TensorSet test = tinyskip::sim::load_cifar10(tinyskip::test::cifar10_dir());
  REQUIRE(test.size() == 10000);
  std::array<int, 10> per_class{};
  for (int32_t label : test.labels) ++per_class[static_cast<size_t>(label)];
  for (int count : per_class) CHECK(count == 1000);  // exactly 1,000 per class
  CHECK(tinyskip::sim::read_cifar10_file(tinyskip::test::cifar10_dir() + "/data_batch_1.bin").size() == 1017);
  CHECK(tinyskip::sim::read_cifar10_file(tinyskip::test::cifar10_dir() + "/data_batch_4.bin").size() == 1398);
  const TensorSet part = tinyskip::sim::slice(test, 5000, 5003);
  REQUIRE(part.size() == 3);
  CHECK(part.labels[0] == test.labels[5000]);
  CHECK(std::equal(part.sample(2), part.sample(2) + 32 * 32 * 3, test.sample(5002)));
}
