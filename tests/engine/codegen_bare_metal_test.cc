// The generated bare-metal Cortex-M4 project is built with its own Makefile
// and arm-none-eabi-gcc around a tiny stub model (the real model generator is
// tested elsewhere): the ELF must link with the vector table at the start of
// flash, code and constants in flash, data in RAM; a program larger than the
// part's flash or RAM must fail to link; bad specs are rejected up front.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/codegen/bare_metal.h"
#include "engine/codegen/codegen_error.h"
#include "mcu_model/subprocess.h"
#include "tests/engine/bare_metal_test_support.h"
#include "tests/test_files.h"

namespace tinyskip {
namespace {

using test::int8_stub_spec;
using test::kCodeTemplates;
using test::kFlashOrigin;
using test::kRamOrigin;
using test::run_make;
using test::write_project;

struct Section {
  uint64_t vma = 0, lma = 0, size = 0;
};

// Sections of an ELF from `objdump -h`: lines "Idx Name Size VMA LMA ...".
std::map<std::string, Section> elf_sections(const std::filesystem::path& elf) {
  const mcu::ProcessResult dump = mcu::run_process({"arm-none-eabi-objdump", "-h", elf.string()});
  REQUIRE(dump.exit_code == 0);
  std::map<std::string, Section> sections;
  std::istringstream lines(dump.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string index, name, size, vma, lma;
    if (!(fields >> index >> name >> size >> vma >> lma) || index.empty() || !std::isdigit(index[0])) continue;
    sections[name] = {std::stoull(vma, nullptr, 16), std::stoull(lma, nullptr, 16), std::stoull(size, nullptr, 16)};
  }
  return sections;
}

// Global symbol addresses from `nm`.
std::map<std::string, uint64_t> elf_symbols(const std::filesystem::path& elf) {
  const mcu::ProcessResult nm = mcu::run_process({"arm-none-eabi-nm", elf.string()});
  REQUIRE(nm.exit_code == 0);
  std::map<std::string, uint64_t> symbols;
  std::istringstream lines(nm.out);
  std::string address, type, name;
  while (lines >> address >> type >> name) symbols[name] = std::stoull(address, nullptr, 16);
  return symbols;
}

// The first `count` words of the vector table, from the raw section bytes.
std::vector<uint32_t> vector_words(const std::filesystem::path& elf, const std::filesystem::path& scratch,
                                   int count) {
  const std::filesystem::path raw = scratch / "isr_vector.bin";
  const mcu::ProcessResult copy =
      mcu::run_process({"arm-none-eabi-objcopy", "-O", "binary", "-j", ".isr_vector", elf.string(), raw.string()});
  REQUIRE(copy.exit_code == 0);
  const std::string bytes = test::read_text(raw);
  REQUIRE(bytes.size() >= static_cast<size_t>(count) * 4);
  std::vector<uint32_t> words(static_cast<size_t>(count));
  for (size_t i = 0; i < words.size(); ++i)
    for (int b = 0; b < 4; ++b)
      words[i] |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[4 * i + static_cast<size_t>(b)])) << (8 * b);
  return words;
}

bool in_flash(uint64_t address, const engine::BareMetalSpec& spec) {
  return address >= static_cast<uint64_t>(kFlashOrigin) &&
         address < static_cast<uint64_t>(kFlashOrigin + spec.flash_bytes);
}
bool in_ram(uint64_t address, const engine::BareMetalSpec& spec) {
  return address >= static_cast<uint64_t>(kRamOrigin) && address < static_cast<uint64_t>(kRamOrigin + spec.ram_bytes);
}

// A stub whose invoke also reads `array_bytes` of constants (in flash) or of
// zero-initialised RAM, so that the array survives --gc-sections.
std::map<std::string, std::string> big_array_stub(int64_t array_bytes, bool in_flash_memory) {
  const std::string declaration =
      (in_flash_memory ? "static const int8_t big[" + std::to_string(array_bytes) + "] = {1};\n"
                       : "static int8_t big[" + std::to_string(array_bytes) + "];\n");
  // The RAM buffer is also written, so that the compiler cannot treat it as
  // constant zeros.
  const std::string use = std::string(in_flash_memory ? "" : "  big[(uint8_t)input[1]] = input[2];\n") +
                          "  output[0] = (int8_t)(output[0] + big[(uint8_t)input[0]]);\n";
  return {{"model_stub.h", test::int8_stub_header()}, {"model_stub.c", test::int8_stub_source(declaration, use)}};
}

TEST_CASE("codegen bare metal: the int8 project links with the vector table in flash and data in RAM",
          "[codegen]") {
  const engine::BareMetalSpec spec = int8_stub_spec();
  const engine::GeneratedFiles files = engine::generate_bare_metal_project(spec, kCodeTemplates);
  test::TempDir dir;
  write_project(dir.path(), files, test::int8_stub(),
                true);

  const mcu::ProcessResult make = run_make(dir.path());
  INFO(make.out << make.err);
  REQUIRE(make.exit_code == 0);
  CHECK(make.out.find("text") != std::string::npos);  // the size report
  const std::filesystem::path elf = dir.path() / "cortex_m4/build/model_stub_nucleo_f401re.elf";
  REQUIRE(std::filesystem::exists(elf));
  CHECK(std::filesystem::exists(dir.path() / "cortex_m4/build/model_stub_nucleo_f401re.map"));
  // Every runtime kernel compiled for the M4 (the Makefile takes all of runtime/).
  CHECK(std::filesystem::exists(dir.path() / "cortex_m4/build/runtime/ts_conv_s8.o"));

  const std::map<std::string, Section> sections = elf_sections(elf);
  REQUIRE(sections.count(".isr_vector") == 1);
  CHECK(sections.at(".isr_vector").vma == static_cast<uint64_t>(kFlashOrigin));
  CHECK(sections.at(".isr_vector").size == 16 * 4);
  for (const char* name : {".text", ".rodata"}) {
    INFO(name);
    REQUIRE(sections.count(name) == 1);
    CHECK(in_flash(sections.at(name).vma, spec));
  }
  // .data runs from RAM and is loaded from flash; .bss is RAM only.
  REQUIRE(sections.count(".data") == 1);
  CHECK(in_ram(sections.at(".data").vma, spec));
  CHECK(in_flash(sections.at(".data").lma, spec));
  REQUIRE(sections.count(".bss") == 1);
  CHECK(in_ram(sections.at(".bss").vma, spec));

  const std::map<std::string, uint64_t> symbols = elf_symbols(elf);
  for (const char* name : {"Reset_Handler", "main", "model_stub_invoke", "tinyskip_done"}) {
    INFO(name);
    REQUIRE(symbols.count(name) == 1);
    CHECK(in_flash(symbols.at(name), spec));
  }
  for (const char* name : {"tinyskip_result", "tinyskip_cycles"}) {
    INFO(name);
    REQUIRE(symbols.count(name) == 1);
    CHECK(in_ram(symbols.at(name), spec));
  }
  // Vector 0: initial SP at the top of RAM; vector 1: Reset_Handler in Thumb
  // state (bit 0 set); the hard fault vector points into flash.
  const std::vector<uint32_t> vectors = vector_words(elf, dir.path(), 4);
  CHECK(vectors[0] == static_cast<uint32_t>(kRamOrigin + spec.ram_bytes));
  CHECK(vectors[1] == (static_cast<uint32_t>(symbols.at("Reset_Handler")) | 1u));
  CHECK(in_flash(vectors[3] & ~1u, spec));
  CHECK((vectors[3] & 1u) == 1u);
}

TEST_CASE("codegen bare metal: a float model builds and its data are exact bit patterns", "[codegen]") {
  engine::BareMetalSpec spec;
  spec.model_name = "fstub";
  spec.input_c_type = spec.output_c_type = "float";
  spec.input_bytes = test::float_bytes({1.0f, -0.0f, 0.5f});
  spec.expected_output_bytes = test::float_bytes({2.0f, -0.0f, 1.0f});
  spec.board_name = "disco-f407";
  const engine::GeneratedFiles files = engine::generate_bare_metal_project(spec, kCodeTemplates);
  const std::string& main_c = test::find_generated(files, "cortex_m4/main.c");
  // 1.0f = 0x3F800000, -0.0f = 0x80000000 (INT32_MIN), 0.5f = 0x3F000000.
  CHECK(main_c.find("1065353216, INT32_MIN, 1056964608") != std::string::npos);
  CHECK(main_c.find("1073741824, INT32_MIN, 1065353216") != std::string::npos);

  test::TempDir dir;
  write_project(dir.path(), files, test::float_stub(), false);
  const mcu::ProcessResult make = run_make(dir.path());
  INFO(make.out << make.err);
  CHECK(make.exit_code == 0);
  CHECK(std::filesystem::exists(dir.path() / "cortex_m4/build/model_fstub_disco-f407.elf"));
}

TEST_CASE("codegen bare metal: the embedded data and memory sizes are what the spec says", "[codegen]") {
  engine::BareMetalSpec spec = int8_stub_spec();
  spec.flash_bytes = 256 * 1024;
  spec.ram_bytes = 64 * 1024;
  const engine::GeneratedFiles files = engine::generate_bare_metal_project(spec, kCodeTemplates);
  REQUIRE(files.size() == 4);
  for (const engine::GeneratedFile& file : files) {
    INFO(file.relative_path);
    CHECK(file.op_index == -1);
    CHECK(file.relative_path.rfind("cortex_m4/", 0) == 0);
    CHECK(file.content.find("{{") == std::string::npos);
  }
  const std::string& main_c = test::find_generated(files, "cortex_m4/main.c");
  CHECK(main_c.find("-3, 0, 5, 126, -128, 17, -16, 42") != std::string::npos);  // the input bytes as int8
  CHECK(main_c.find("-2, 1, 6, 127, -127, 18, -15, 43, -2, 1, 6, 127") != std::string::npos);
  CHECK(main_c.find("model_stub_invoke(input, tinyskip_output)") != std::string::npos);
  CHECK(main_c.find("MODEL_STUB_INPUT_SIZE") != std::string::npos);
  const std::string& script = test::find_generated(files, "cortex_m4/nucleo_f401re.ld");
  CHECK(script.find("ORIGIN = 0x08000000, LENGTH = 262144") != std::string::npos);
  CHECK(script.find("ORIGIN = 0x20000000, LENGTH = 65536") != std::string::npos);
  const std::string& makefile = test::find_generated(files, "cortex_m4/Makefile");
  CHECK(makefile.find("-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16") != std::string::npos);
  CHECK(makefile.find("nucleo_f401re.ld") != std::string::npos);
}

TEST_CASE("codegen bare metal: a program larger than flash or RAM fails to link", "[codegen]") {
  const engine::BareMetalSpec spec = int8_stub_spec();  // 512 KiB flash, 96 KiB RAM
  const engine::GeneratedFiles files = engine::generate_bare_metal_project(spec, kCodeTemplates);

  SECTION("480 KiB of constants fit in 512 KiB of flash") {
    test::TempDir dir;
    write_project(dir.path(), files, big_array_stub(480 * 1024, true), false);
    const mcu::ProcessResult make = run_make(dir.path());
    INFO(make.out << make.err);
    CHECK(make.exit_code == 0);
  }
  SECTION("513 KiB of constants do not") {
    test::TempDir dir;
    write_project(dir.path(), files, big_array_stub(513 * 1024, true), false);
    const mcu::ProcessResult make = run_make(dir.path());
    INFO(make.out << make.err);
    CHECK(make.exit_code != 0);
    CHECK(make.err.find("region `FLASH' overflowed") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "cortex_m4/build/model_stub_nucleo_f401re.elf"));
  }
  SECTION("a 90 KiB buffer plus the 8 KiB stack do not fit in 96 KiB of RAM") {
    test::TempDir dir;
    write_project(dir.path(), files, big_array_stub(90 * 1024, false), false);
    const mcu::ProcessResult make = run_make(dir.path());
    INFO(make.out << make.err);
    CHECK(make.exit_code != 0);
    CHECK(make.err.find("region `RAM' overflowed") != std::string::npos);
  }
}

TEST_CASE("codegen bare metal: bad specs are rejected naming the field", "[codegen]") {
  const auto rejects = [](const std::function<void(engine::BareMetalSpec&)>& change, const std::string& message) {
    engine::BareMetalSpec spec = int8_stub_spec();
    change(spec);
    CHECK_THROWS_WITH(engine::generate_bare_metal_project(spec, kCodeTemplates), Catch::Contains(message));
  };
  rejects([](auto& s) { s.model_name = "2stub"; }, "model name '2stub' is not a C identifier");
  rejects([](auto& s) { s.model_name = ""; }, "model name");
  rejects([](auto& s) { s.board_name = "nucleo f401"; }, "board name 'nucleo f401'");
  rejects([](auto& s) { s.board_name = "../evil"; }, "board name");
  rejects([](auto& s) { s.input_c_type = "uint8_t"; }, "input type 'uint8_t' is not supported");
  rejects([](auto& s) { s.output_c_type = "double"; }, "output type 'double'");
  rejects([](auto& s) { s.input_bytes.clear(); }, "input bytes is empty");
  rejects([](auto& s) { s.expected_output_bytes.clear(); }, "expected output bytes is empty");
  rejects(
      [](auto& s) {
        s.output_c_type = "float";
        s.expected_output_bytes.resize(10);
      },
      "expected output bytes has 10 bytes, not a whole number of float values");
  rejects([](auto& s) { s.flash_bytes = 0; }, "flash_bytes = 0");
  rejects([](auto& s) { s.flash_bytes = 0x18000004; }, "flash_bytes = 402653188");
  rejects([](auto& s) { s.ram_bytes = -4; }, "ram_bytes = -4");
  rejects([](auto& s) { s.ram_bytes = 1001; }, "ram_bytes = 1001");
  rejects([](auto& s) { s.stack_bytes = s.ram_bytes; }, "stack_bytes");

  CHECK_THROWS_AS(engine::generate_bare_metal_project(int8_stub_spec(), "/nonexistent/templates"), engine::CodegenError);
  CHECK_THROWS_WITH(engine::generate_bare_metal_project(int8_stub_spec(), "/nonexistent/templates"),
                    Catch::Contains("cannot read code template /nonexistent/templates/cortex_m4/"));
}

}  // namespace
}  // namespace tinyskip
