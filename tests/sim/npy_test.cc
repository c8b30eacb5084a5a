// The .npy reader on files built byte by byte (tests/npy_files.h): values as
// written, every version's header length, and an error naming the file and
// the problem for each way a file can be wrong.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "sim/data/npy.h"
#include "tests/npy_files.h"

namespace tinyskip::sim {
namespace {

using Catch::Matchers::Contains;

using test::bytes_of;
using test::npy_file;

TEST_CASE("npy: int8, float32 and int64 arrays read as written", "[npy]") {
  const int8_t values[6] = {-128, -1, 0, 1, 2, 127};
  const NpyArray a =
      parse_npy(npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", bytes_of(values, 6)), "a.npy");
  CHECK(a.type == NpyType::kInt8);
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  REQUIRE(a.elements() == 6);
  for (int i = 0; i < 6; ++i) CHECK(a.integer(i) == values[i]);
  CHECK_THROWS_WITH(a.float32(0), Contains("a.npy") && Contains("int8"));

  const float floats[2] = {1.5f, -2.25f};
  const NpyArray f =
      parse_npy(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", bytes_of(floats, 8)), "f.npy");
  CHECK(f.type == NpyType::kFloat32);
  CHECK(f.float32(0) == 1.5f);
  CHECK(f.float32(1) == -2.25f);
  CHECK_THROWS_WITH(f.integer(0), Contains("float32"));

  // Labels as numpy saves a Python list of ints, in a version 2.0 file (4-byte header length).
  const int64_t labels[3] = {9, 0, 4'000'000'000};
  const NpyArray l = parse_npy(
      npy_file("{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": (3,)}", bytes_of(labels, 24), 2), "l.npy");
  CHECK(l.type == NpyType::kInt64);
  CHECK(l.integer(0) == 9);
  CHECK(l.integer(2) == 4'000'000'000);

  // A 0-d array is one element; an empty dimension none.
  const uint8_t one = 200;
  const NpyArray s =
      parse_npy(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", bytes_of(&one, 1), 3), "s.npy");
  CHECK(s.shape.empty());
  CHECK(s.integer(0) == 200);
  CHECK(parse_npy(npy_file("{'descr': '<u2', 'fortran_order': False, 'shape': (0, 5), }", ""), "e.npy").elements() == 0);
}

TEST_CASE("npy: every malformed file is an error naming it and what is wrong", "[npy]") {
  const std::string four_bytes(4, '\0');
  auto rejects = [](const std::string& bytes, const std::string& why) {
    INFO(why);
    CHECK_THROWS_AS(parse_npy(bytes, "bad.npy"), DataError);
    CHECK_THROWS_WITH(parse_npy(bytes, "bad.npy"), Contains("bad.npy") && Contains(why));
  };
  rejects("PK\x03\x04 a zip file", "magic");
  rejects(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", four_bytes, 7), "version 7");
  rejects(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0')), "'<f8'");
  rejects(npy_file("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", four_bytes), "'>i4'");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': True, 'shape': (2, 2), }", four_bytes), "Fortran order");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", four_bytes), "truncated");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", four_bytes), "2 bytes follow");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (-1,), }", four_bytes), "shape");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': False}", four_bytes), "lacks");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': Maybe, 'shape': (4,)}", four_bytes), "fortran_order");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (4,), 'extra': 1}", four_bytes), "'extra'");
  rejects(npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (99999999999999999999,)}", ""), "too large");
  // Found by fuzz_npy: the elements' count overflowed int64 (undefined
  // behaviour) before a zero dimension made the data size 0.
  rejects(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 322124, 4, 3222222222224, 0, 3), }", ""),
          "too large");
  // Header length pointing past the end of the file.
  std::string cut = npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }", four_bytes);
  rejects(cut.substr(0, 30), "inside the header");
  CHECK_THROWS_WITH(read_npy_file("/nonexistent/x.npy"), Contains("/nonexistent/x.npy"));
}

}  // namespace
}  // namespace tinyskip::sim
