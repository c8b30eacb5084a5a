// The ELF32 reader on a small ARM executable assembled byte by byte here (one
// PT_LOAD segment, a symbol table with a function and an object), then on
// damaged copies of it: each must fail with a message naming what is wrong.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mcu_model/elf32_image.h"

namespace tinyskip {
namespace {

// File layout: ELF header at 0, program header at 52, segment image at 100,
// string table at 108, symbol table at 120, section headers at 168.
constexpr size_t kProgramHeader = 52, kImage = 100, kStrings = 108, kSymbols = 120, kSections = 168;

void put16(std::vector<uint8_t>& file, size_t offset, uint16_t value) {
  file[offset] = static_cast<uint8_t>(value);
  file[offset + 1] = static_cast<uint8_t>(value >> 8);
}
void put32(std::vector<uint8_t>& file, size_t offset, uint32_t value) {
  for (int b = 0; b < 4; ++b) file[offset + static_cast<size_t>(b)] = static_cast<uint8_t>(value >> (8 * b));
}

std::vector<uint8_t> tiny_elf() {
  std::vector<uint8_t> file(kSections + 3 * 40, 0);
  file[0] = 0x7F, file[1] = 'E', file[2] = 'L', file[3] = 'F';
  file[4] = 1, file[5] = 1, file[6] = 1;  // 32-bit, little-endian, version 1
  put16(file, 16, 2);                     // ET_EXEC
  put16(file, 18, 40);                    // EM_ARM
  put32(file, 20, 1);
  put32(file, 24, 0x08000005);            // entry, Thumb
  put32(file, 28, kProgramHeader);
  put32(file, 32, kSections);
  put16(file, 40, 52);
  put16(file, 42, 32);
  put16(file, 44, 1);
  put16(file, 46, 40);
  put16(file, 48, 3);

  put32(file, kProgramHeader, 1);  // PT_LOAD
  put32(file, kProgramHeader + 4, kImage);
  put32(file, kProgramHeader + 8, 0x20000000);   // p_vaddr (where it runs)
  put32(file, kProgramHeader + 12, 0x08000000);  // p_paddr (where it is loaded)
  put32(file, kProgramHeader + 16, 8);
  put32(file, kProgramHeader + 20, 16);
  for (size_t i = 0; i < 8; ++i) file[kImage + i] = static_cast<uint8_t>(0xA0 + i);

  const std::string names("\0foo\0bar\0", 9);
  std::copy(names.begin(), names.end(), file.begin() + kStrings);
  // Symbol 0 is the null symbol; 1: foo, global function; 2: bar, global object.
  put32(file, kSymbols + 16, 1);
  put32(file, kSymbols + 20, 0x08000005);
  put32(file, kSymbols + 24, 4);
  file[kSymbols + 28] = 0x12;  // STB_GLOBAL, STT_FUNC
  put32(file, kSymbols + 32, 5);
  put32(file, kSymbols + 36, 0x20000010);
  put32(file, kSymbols + 40, 4);
  file[kSymbols + 44] = 0x11;  // STB_GLOBAL, STT_OBJECT

  // Section 0 null; 1: .symtab linked to 2: .strtab.
  put32(file, kSections + 40 + 4, 2);
  put32(file, kSections + 40 + 16, kSymbols);
  put32(file, kSections + 40 + 20, 48);
  put32(file, kSections + 40 + 24, 2);
  put32(file, kSections + 80 + 4, 3);
  put32(file, kSections + 80 + 16, kStrings);
  put32(file, kSections + 80 + 20, 9);
  return file;
}

TEST_CASE("mcu elf32 image: segments and symbols of a hand-made executable", "[emulator]") {
  const mcu::Elf32Image image = mcu::parse_elf32_arm(tiny_elf(), "tiny.elf");
  CHECK(image.entry == 0x08000005u);
  REQUIRE(image.segments.size() == 1);
  CHECK(image.segments[0].load_address == 0x08000000u);  // the load address, not where it runs
  CHECK(image.segments[0].memory_size == 16u);
  CHECK(image.segments[0].bytes == std::vector<uint8_t>{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7});
  REQUIRE(image.symbols.size() == 2);
  CHECK(image.symbol("foo").address == 0x08000004u);  // Thumb bit cleared
  CHECK(image.symbol("foo").is_function);
  CHECK(image.symbol("bar").address == 0x20000010u);
  CHECK(image.symbol("bar").size == 4u);
  CHECK_FALSE(image.symbol("bar").is_function);
  CHECK_THROWS_WITH(image.symbol("baz"), Catch::Contains("tiny.elf: no symbol 'baz'"));
}

TEST_CASE("mcu elf32 image: damaged files are rejected naming the problem", "[emulator]") {
  const auto rejects = [](const std::function<void(std::vector<uint8_t>&)>& damage, const std::string& message) {
    std::vector<uint8_t> file = tiny_elf();
    damage(file);
    CHECK_THROWS_AS(mcu::parse_elf32_arm(file, "bad.elf"), mcu::ElfError);
    CHECK_THROWS_WITH(mcu::parse_elf32_arm(file, "bad.elf"), Catch::Contains("bad.elf") && Catch::Contains(message));
  };
  rejects([](auto& f) { f.resize(30); }, "ELF header");
  rejects([](auto& f) { f[1] = 'X'; }, "bad magic number");
  rejects([](auto& f) { f[4] = 2; }, "not a 32-bit");
  rejects([](auto& f) { f[5] = 2; }, "not a little-endian");
  rejects([](auto& f) { put16(f, 18, 62); }, "e_machine is 62, not ARM");
  rejects([](auto& f) { put32(f, 28, 1000); }, "program header 0");
  rejects([](auto& f) { put32(f, kProgramHeader + 16, 400); }, "p_filesz > p_memsz");
  rejects([](auto& f) { put32(f, kProgramHeader + 4, 284); }, "program header 0 image");
  rejects([](auto& f) { put32(f, kProgramHeader, 6); }, "no loadable segment");  // PT_PHDR only
  rejects([](auto& f) { put32(f, kSections + 40 + 24, 9); }, "section index 9 out of range");
  rejects([](auto& f) { put32(f, kSymbols + 16, 50); }, "name offset outside its string table");
  rejects([](auto& f) { put32(f, kSections + 40 + 20, 480); }, "symbol table");

  CHECK_THROWS_WITH(mcu::read_elf32_arm("/nonexistent/x.elf"), Catch::Contains("cannot read ELF file /nonexistent/x.elf"));
}

}  // namespace
}  // namespace tinyskip
