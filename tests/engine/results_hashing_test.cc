// FNV-1a 64 against the published test vectors of the FNV reference
// (Fowler/Noll/Vo): "" -> cbf29ce484222325, "a" -> af63dc4c8601ec8c,
// "foobar" -> 85944171f73967e8.
#include <catch2/catch.hpp>

#include "engine/results/hashing.h"
#include "sim/support/fnv1a.h"
#include "tests/engine/results_test_support.h"

using tinyskip::engine::fnv1a_hex;

TEST_CASE("FNV-1a 64 matches the reference test vectors") {
  CHECK(fnv1a_hex(std::string_view("")) == "cbf29ce484222325");
  CHECK(fnv1a_hex(std::string_view("a")) == "af63dc4c8601ec8c");
  CHECK(fnv1a_hex(std::string_view("foobar")) == "85944171f73967e8");
  const std::vector<uint8_t> bytes = {'f', 'o', 'o', 'b', 'a', 'r'};
  CHECK(fnv1a_hex(std::span<const uint8_t>(bytes)) == "85944171f73967e8");
}

TEST_CASE("FNV-1a 64 continues across chunks and over files") {
  using tinyskip::engine::fnv1a64;
  const std::string foo = "foo", bar = "bar";
  const uint64_t first = fnv1a64(std::span(reinterpret_cast<const uint8_t*>(foo.data()), foo.size()));
  const uint64_t both = fnv1a64(std::span(reinterpret_cast<const uint8_t*>(bar.data()), bar.size()), first);
  CHECK(tinyskip::engine::hash_hex(both) == "85944171f73967e8");

  const tinyskip::results_test::TempDir dir;
  tinyskip::results_test::write_text(dir.path() / "f.bin", "foobar");
  CHECK(tinyskip::engine::fnv1a_hex_of_file(dir.path() / "f.bin") == "85944171f73967e8");
  // A file larger than the 1 MiB read chunk hashes like its bytes in memory.
  const std::string big((1 << 20) + 17, 'x');
  tinyskip::results_test::write_text(dir.path() / "big.bin", big);
  CHECK(tinyskip::engine::fnv1a_hex_of_file(dir.path() / "big.bin") == fnv1a_hex(big));
  CHECK_THROWS_AS(tinyskip::engine::fnv1a_hex_of_file(dir.path() / "missing.bin"), std::runtime_error);
}

TEST_CASE("FNV-1a 64 content hash prefixes every field with its length", "[results]") {
  using tinyskip::support::ContentHash;
  // Field by field: "<length>:<bytes>", hashed as one stream.
  CHECK(ContentHash().hex() == "cbf29ce484222325");
  CHECK(ContentHash().add("ab").add("c").hex() == fnv1a_hex(std::string_view("2:ab1:c")));
  CHECK(ContentHash().add("a").add("bc").hex() == fnv1a_hex(std::string_view("1:a2:bc")));
  CHECK(ContentHash().add("ab").add("c").hex() != ContentHash().add("a").add("bc").hex());
  // A copy continues from the state it was copied at.
  ContentHash common;
  common.add("x");
  CHECK(ContentHash(common).add("y").hex() == ContentHash().add("x").add("y").hex());
}
