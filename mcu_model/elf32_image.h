// What an emulator or a flash programmer needs from a 32-bit little-endian
// ARM ELF executable: the bytes of its loadable segments at their load
// addresses and its symbol table. Parsed here directly from the ELF headers
// (System V gABI, ARM ELF supplement), so no libelf is needed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tinyskip::mcu {

// A file that is not a well-formed ELF32 little-endian ARM executable: the
// message names the file and the field or table that is wrong.
class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ElfSegment {
  uint32_t load_address = 0;  // p_paddr: where a programmer writes it (flash for .data's image)
  uint32_t memory_size = 0;   // p_memsz; bytes beyond the file image are zero
  std::vector<uint8_t> bytes; // the p_filesz bytes of the file image
};

struct ElfSymbol {
  uint32_t address = 0;  // st_value with the Thumb bit cleared for functions
  uint32_t size = 0;
  bool is_function = false;
};

struct Elf32Image {
  std::string source;  // the file, for messages
  uint32_t entry = 0;
  std::vector<ElfSegment> segments;              // PT_LOAD segments with a non-empty file image
  std::map<std::string, ElfSymbol> symbols;      // named symbols of .symtab (empty when stripped)

  // The symbol `name`; ElfError naming the file when it is missing.
  const ElfSymbol& symbol(const std::string& name) const;
};

// Throws ElfError for a missing or unreadable file, a bad magic number, a
// 64-bit, big-endian or non-ARM file, and any header, segment or table that
// points outside the file.
Elf32Image read_elf32_arm(const std::filesystem::path& path);

// Same from bytes already in memory; `source` names them in messages.
Elf32Image parse_elf32_arm(const std::vector<uint8_t>& file, const std::string& source);

}  // namespace tinyskip::mcu
