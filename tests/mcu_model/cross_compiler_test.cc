// Flash measurement with the real ARM cross-compiler: section sizes checked
// against what C semantics fix exactly (array bytes), the cache (hits, header
// changes, corrupt entries) and every error naming what is wrong.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "mcu_model/cross_compiler.h"
#include "mcu_model/errors.h"
#include "mcu_model/flash_cache.h"
#include "mcu_model/flash_measurement.h"
#include "mcu_test_support.h"

namespace tinyskip::mcu {
namespace {

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

Toolchain shipped_toolchain() {
  return load_toolchain(std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/arm_none_eabi_gcc.json");
}

// An exported function reading a const int8 table of `bytes` elements: the
// table is the unit's only read-only data (Thumb-2 literal pools live in .text).
SourceUnit table_unit(const std::string& name, int bytes) {
  return {name, "#include <stdint.h>\n"
                "const int8_t table[" + std::to_string(bytes) + "] = {1};\n"
                "int8_t read_table(int i) { return table[i]; }\n"};
}

// A function of `count` volatile stores: none can be merged or dropped.
SourceUnit stores_unit(const std::string& name, int count) {
  std::string body;
  for (int i = 0; i < count; ++i) body += "  p[" + std::to_string(i) + "] = " + std::to_string(i * 7 + 3) + ";\n";
  return {name, "void fill(volatile int* p) {\n" + body + "}\n"};
}

SectionSizes measure_one(const SourceUnit& unit, const std::string& opt_level = "-Os") {
  return measure_flash(shipped_toolchain(), {unit}, opt_level, {}, 1, {}).at(0);
}

TEST_CASE("cross compiler: shipped toolchain file carries the Cortex-M4 flags", "[flash]") {
  const Toolchain toolchain = shipped_toolchain();
  CHECK(toolchain.gcc == "arm-none-eabi-gcc");
  CHECK(toolchain.size == "arm-none-eabi-size");
  CHECK(toolchain.flags == std::vector<std::string>{"-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard",
                                                     "-mfpu=fpv4-sp-d16", "-std=c99", "-ffunction-sections",
                                                     "-fdata-sections"});
  CHECK(toolchain.optimisation_levels == std::vector<std::string>{"-O0", "-O1", "-O2", "-O3", "-Os"});
  CHECK_THAT(toolchain_version(toolchain), Catch::Matchers::StartsWith("arm-none-eabi-gcc"));
}

TEST_CASE("cross compiler: a bad toolchain file names the file and the key", "[flash]") {
  const fs::path dir = testing::scratch_dir();
  const std::string complete = R"("name": "t", "gcc": "g", "size": "s", "flags": ["-mthumb"])";
  testing::write_text(dir / "missing.json", "{" + complete + "}");
  CHECK_THROWS_WITH(load_toolchain(dir / "missing.json"),
                    Contains("missing.json") && Contains("'optimisation_levels': missing"));
  testing::write_text(dir / "unknown.json", "{" + complete + R"(, "optimisation_levels": ["-Os"], "cflags": "")" + "}");
  CHECK_THROWS_WITH(load_toolchain(dir / "unknown.json"), Contains("'cflags': unknown key"));
  testing::write_text(dir / "level.json", "{" + complete + R"(, "optimisation_levels": ["-Os", "fast"])" + "}");
  CHECK_THROWS_WITH(load_toolchain(dir / "level.json"),
                    Contains("'optimisation_levels'") && Contains("'fast' is not a -O option"));
  CHECK_THROWS_AS(load_toolchain(dir / "absent.json"), ProfileError);
  // Lists are JSON arrays of strings; a bad element is named by its index.
  testing::write_text(dir / "words.json", "{" + complete + R"(, "optimisation_levels": "-O2 -Os")" + "}");
  CHECK_THROWS_WITH(load_toolchain(dir / "words.json"),
                    Contains("'optimisation_levels': expected an array of strings, got \"-O2 -Os\""));
  testing::write_text(dir / "element.json", "{" + complete + R"(, "optimisation_levels": ["-Os", 2])" + "}");
  CHECK_THROWS_WITH(load_toolchain(dir / "element.json"),
                    Contains("element.json: key 'optimisation_levels[1]': expected a string, got 2"));
  // Found by fuzz_toolchain: a number beyond double escaped as a JSON library exception.
  testing::write_text(dir / "huge.json", "{" + complete + R"(, "optimisation_levels": 84E46744730709551615})");
  CHECK_THROWS_AS(load_toolchain(dir / "huge.json"), ProfileError);
  CHECK_THROWS_WITH(load_toolchain(dir / "huge.json"), Contains("huge.json") && Contains("number overflow"));
  testing::write_text(dir / "empty.json", "{" + complete + R"(, "optimisation_levels": [])" + "}");
  CHECK_THROWS_WITH(load_toolchain(dir / "empty.json"),
                    Contains("'optimisation_levels': must name at least one level"));
}

TEST_CASE("cross compiler: a missing compiler is a clear error", "[flash]") {
  const fs::path dir = testing::scratch_dir();
  testing::write_text(dir / "toolchain.json", R"({"name": "t", "gcc": "bin/no-such-gcc", "size": "arm-none-eabi-size",
    "flags": ["-mthumb"], "optimisation_levels": ["-Os"]})");
  const Toolchain toolchain = load_toolchain(dir / "toolchain.json");
  // Relative paths with a '/' are resolved against the toolchain file.
  CHECK(toolchain.gcc == (dir / "bin/no-such-gcc").string());
  CHECK_THROWS_AS(toolchain_version(toolchain), ToolchainError);
  CHECK_THROWS_WITH(toolchain_version(toolchain), Contains("no-such-gcc not found") &&
                                                      Contains("key 'gcc'") && Contains("scripts/setup.sh"));
  CHECK_THROWS_WITH(measure_flash(toolchain, {table_unit("a", 10)}, "-Os", {}, 1, {}),
                    Contains("no-such-gcc not found"));
}

TEST_CASE("cross compiler: size -A listings are summed per section kind", "[flash]") {
  // Listing of an object with -ffunction-sections -fdata-sections.
  const std::string listing =
      "x.o  :\nsection           size   addr\n.text                0      0\n.data                0      0\n"
      ".bss                 0      0\n.text.f             32      0\n.text.g              6      0\n"
      ".bss.b             100      0\n.data.d             10      0\n.rodata.t         1000      0\n"
      ".rodata.str1.1       7      0\n.comment            39      0\n.ARM.attributes     52      0\n"
      "Total             1246\n\n";
  const SectionSizes sizes = parse_size_listing(listing, "x");
  CHECK(sizes.text == 38);
  CHECK(sizes.rodata == 1007);
  CHECK(sizes.data == 10);
  CHECK(sizes.bss == 100);
  CHECK(sizes.flash() == 38 + 1007 + 10);
  CHECK_THROWS_WITH(parse_size_listing("size: x.o: file format not recognized\n", "conv_3"),
                    Contains("unit 'conv_3'"));
}

TEST_CASE("cross compiler: const tables land in rodata byte for byte", "[flash]") {
  const std::vector<SectionSizes> sizes =
      measure_flash(shipped_toolchain(), {table_unit("small", 1000), table_unit("large", 3000)}, "-Os", {}, 2, {});
  REQUIRE(sizes.size() == 2);
  CHECK(sizes[0].rodata == 1000);
  CHECK(sizes[1].rodata == 3000);
  CHECK(sizes[1].rodata - sizes[0].rodata == 2000);
  // The reading function does not depend on the table's length.
  CHECK(sizes[0].text == sizes[1].text);
  CHECK(sizes[0].text > 0);
  CHECK(sizes[0].data == 0);
  CHECK(sizes[0].bss == 0);
}

TEST_CASE("cross compiler: initialised arrays are data, zeroed ones bss outside flash", "[flash]") {
  const SectionSizes sizes = measure_one({"globals", "#include <stdint.h>\n"
                                                     "int8_t initialised[24] = {1, 2, 3};\n"
                                                     "int8_t zeroed[400];\n"
                                                     "int sum(int i) { return initialised[i] + zeroed[i]; }\n"});
  CHECK(sizes.data == 24);
  CHECK(sizes.bss == 400);
  CHECK(sizes.rodata == 0);
  CHECK(sizes.flash() == sizes.text + 24);
}

TEST_CASE("cross compiler: more statements give more text at -Os and -O2", "[flash]") {
  for (const std::string level : {"-Os", "-O2"}) {
    const std::vector<SectionSizes> sizes = measure_flash(
        shipped_toolchain(), {stores_unit("short", 4), stores_unit("long", 40)}, level, {}, 2, {});
    INFO(level);
    CHECK(sizes[0].text > 0);
    // Each extra store is at least one 2-byte Thumb instruction.
    CHECK(sizes[1].text >= sizes[0].text + 36 * 2);
  }
  // The table is the same bytes whatever the optimisation level.
  CHECK(measure_one(table_unit("t", 500), "-O2").rodata == 500);
}

TEST_CASE("cross compiler: units keep their order with several workers", "[flash]") {
  std::vector<SourceUnit> units;
  for (int i = 1; i <= 5; ++i) units.push_back(table_unit(std::string("t").append(std::to_string(i)), 100 * i));
  const std::vector<SectionSizes> sizes = measure_flash(shipped_toolchain(), units, "-Os", {}, 3, {});
  REQUIRE(sizes.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(sizes[size_t(i)].rodata == 100 * (i + 1));
}

TEST_CASE("cross compiler: a compile error names the unit and quotes the compiler", "[flash]") {
  const std::vector<SourceUnit> units = {table_unit("fine", 10), {"conv_7_unpacked", "int f(void) { return 1 }\n"}};
  try {
    measure_flash(shipped_toolchain(), units, "-Os", {}, 2, {});
    FAIL("no error for a syntax error");
  } catch (const ToolchainError& error) {
    const std::string message = error.what();
    CHECK_THAT(message, Contains("unit 'conv_7_unpacked'"));
    // Quotes in diagnostics follow the locale; the location and source line do not.
    CHECK_THAT(message, Contains("conv_7_unpacked.c:1:23: error: expected"));
    CHECK_THAT(message, Contains("int f(void) { return 1 }"));
    CHECK_THAT(message, !Contains("tinyskip_flash_"));
  }
}

TEST_CASE("cross compiler: bad requests are rejected before compiling", "[flash]") {
  const Toolchain toolchain = shipped_toolchain();
  CHECK_THROWS_WITH(measure_flash(toolchain, {table_unit("a", 1)}, "-O9", {}, 1, {}),
                    Contains("'-O9' not allowed") && Contains("-Os"));
  CHECK_THROWS_WITH(measure_flash(toolchain, {table_unit("a", 1)}, "-Os", {}, 0, {}),
                    Contains("threads must be >= 1"));
  CHECK_THROWS_WITH(measure_flash(toolchain, {table_unit("../escape", 1)}, "-Os", {}, 1, {}),
                    Contains("'../escape' is not a plain file name"));
  CHECK_THROWS_WITH(measure_flash(toolchain, {table_unit("a", 1)}, "-Os", {"/no/such/include"}, 1, {}),
                    Contains("/no/such/include does not exist"));
}

TEST_CASE("cross compiler: the cache answers repeats without compiling", "[flash]") {
  const Toolchain toolchain = shipped_toolchain();
  const fs::path cache_dir = testing::scratch_dir() / "cache";
  const std::vector<SourceUnit> units = {table_unit("a", 300), stores_unit("b", 10)};

  MeasureStats first_stats;
  const auto first = measure_flash(toolchain, units, "-Os", {}, 2, cache_dir, &first_stats);
  CHECK(first_stats.compiled == 2);
  CHECK(first_stats.cache_hits == 0);
  CHECK(first[0].rodata == 300);
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(cache_dir)) entries.push_back(entry.path());
  REQUIRE(entries.size() == 2);  // no temporaries left behind
  const auto written = fs::last_write_time(entries[0]);

  MeasureStats second_stats;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto second = measure_flash(toolchain, units, "-Os", {}, 2, cache_dir, &second_stats);
  CHECK(second_stats.compiled == 0);
  CHECK(second_stats.cache_hits == 2);
  CHECK(second == first);
  CHECK(fs::last_write_time(entries[0]) == written);

  // Another optimisation level is another key.
  MeasureStats o2_stats;
  measure_flash(toolchain, units, "-O2", {}, 2, cache_dir, &o2_stats);
  CHECK(o2_stats.compiled == 2);
}

TEST_CASE("cross compiler: a corrupt cache entry is measured again", "[flash]") {
  const Toolchain toolchain = shipped_toolchain();
  const fs::path cache_dir = testing::scratch_dir() / "cache";
  const std::vector<SourceUnit> units = {table_unit("a", 700)};
  const auto first = measure_flash(toolchain, units, "-Os", {}, 1, cache_dir);
  const fs::path entry = fs::directory_iterator(cache_dir)->path();

  for (const std::string& corrupt : {std::string("{\"text\": 12, \"rod"), std::string(""),
                                    std::string(R"({"text": -1, "rodata": 0, "data": 0, "bss": 0, "unit": "a"})")}) {
    testing::write_text(entry, corrupt);
    MeasureStats stats;
    const auto again = measure_flash(toolchain, units, "-Os", {}, 1, cache_dir, &stats);
    INFO(corrupt);
    CHECK(stats.compiled == 1);
    CHECK(again == first);
    CHECK(FlashCache(cache_dir).find(entry.stem().string()) == first[0]);
  }
}

TEST_CASE("cross compiler: headers in the include dirs are part of the cache key", "[flash]") {
  const Toolchain toolchain = shipped_toolchain();
  const fs::path dir = testing::scratch_dir();
  const fs::path include_dir = dir / "include";
  const fs::path cache_dir = dir / "cache";
  testing::write_text(include_dir / "layer/sizes.h", "#define TABLE_BYTES 100\n");
  const std::vector<SourceUnit> units = {{"uses_header", "#include <stdint.h>\n#include \"layer/sizes.h\"\n"
                                                         "const int8_t table[TABLE_BYTES] = {1};\n"
                                                         "int8_t get(int i) { return table[i]; }\n"}};
  MeasureStats stats;
  CHECK(measure_flash(toolchain, units, "-Os", {include_dir}, 1, cache_dir, &stats)[0].rodata == 100);
  CHECK(stats.compiled == 1);

  testing::write_text(include_dir / "layer/sizes.h", "#define TABLE_BYTES 250\n");
  CHECK(measure_flash(toolchain, units, "-Os", {include_dir}, 1, cache_dir, &stats)[0].rodata == 250);
  CHECK(stats.compiled == 1);
  CHECK(measure_flash(toolchain, units, "-Os", {include_dir}, 1, cache_dir, &stats)[0].rodata == 250);
  CHECK(stats.cache_hits == 1);
}

}  // namespace
}  // namespace tinyskip::mcu
