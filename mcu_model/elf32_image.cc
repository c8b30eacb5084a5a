#include "mcu_model/elf32_image.h"

#include <fstream>
#include <iterator>

namespace tinyskip::mcu {
namespace {

// Field offsets and constants of the ELF32 format.
constexpr uint8_t kElfClass32 = 1;
constexpr uint8_t kElfDataLittleEndian = 1;
constexpr uint16_t kMachineArm = 40;
constexpr uint32_t kSegmentLoad = 1;      // PT_LOAD
constexpr uint32_t kSectionSymtab = 2;    // SHT_SYMTAB
constexpr uint8_t kSymbolFunction = 2;    // STT_FUNC
constexpr size_t kHeaderSize = 52;
constexpr size_t kProgramHeaderSize = 32;
constexpr size_t kSectionHeaderSize = 40;
constexpr size_t kSymbolSize = 16;

// Bounds-checked little-endian reads; every failure names the file and what
// was being read.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  void require(uint64_t offset, uint64_t size, const std::string& what) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset)
      throw ElfError(source_ + ": " + what + " (bytes " + std::to_string(offset) + ".." +
                     std::to_string(offset + size) + ") lies outside the " + std::to_string(bytes_.size()) +
                     "-byte file");
  }
  uint8_t u8(uint64_t offset, const std::string& what) const {
    require(offset, 1, what);
    return bytes_[offset];
  }
  uint16_t u16(uint64_t offset, const std::string& what) const {
    require(offset, 2, what);
    return static_cast<uint16_t>(bytes_[offset] | (bytes_[offset + 1] << 8));
  }
  uint32_t u32(uint64_t offset, const std::string& what) const {
    require(offset, 4, what);
    return static_cast<uint32_t>(bytes_[offset]) | (static_cast<uint32_t>(bytes_[offset + 1]) << 8) |
           (static_cast<uint32_t>(bytes_[offset + 2]) << 16) | (static_cast<uint32_t>(bytes_[offset + 3]) << 24);
  }
  std::vector<uint8_t> slice(uint64_t offset, uint64_t size, const std::string& what) const {
    require(offset, size, what);
    return {bytes_.begin() + static_cast<ptrdiff_t>(offset), bytes_.begin() + static_cast<ptrdiff_t>(offset + size)};
  }
  // NUL-terminated string at `offset` of the string table [table, table + table_size).
  std::string string_at(uint64_t table, uint64_t table_size, uint64_t offset, const std::string& what) const {
    require(table, table_size, what + " string table");
    if (offset >= table_size) throw ElfError(source_ + ": " + what + " name offset outside its string table");
    std::string text;
    for (uint64_t i = table + offset; i < table + table_size && bytes_[i] != 0; ++i)
      text.push_back(static_cast<char>(bytes_[i]));
    return text;
  }
  const std::string& source() const { return source_; }

 private:
  const std::vector<uint8_t>& bytes_;
  const std::string& source_;
};

void check_identification(const Reader& in) {
  in.require(0, kHeaderSize, "ELF header");
  if (in.u8(0, "magic") != 0x7F || in.u8(1, "magic") != 'E' || in.u8(2, "magic") != 'L' || in.u8(3, "magic") != 'F')
    throw ElfError(in.source() + ": not an ELF file (bad magic number)");
  if (in.u8(4, "class") != kElfClass32) throw ElfError(in.source() + ": not a 32-bit ELF file");
  if (in.u8(5, "data encoding") != kElfDataLittleEndian) throw ElfError(in.source() + ": not a little-endian ELF file");
  const uint16_t machine = in.u16(18, "e_machine");
  if (machine != kMachineArm)
    throw ElfError(in.source() + ": e_machine is " + std::to_string(machine) + ", not ARM (40)");
}

void read_segments(const Reader& in, Elf32Image& image) {
  const uint32_t offset = in.u32(28, "e_phoff");
  const uint16_t entry_size = in.u16(42, "e_phentsize");
  const uint16_t count = in.u16(44, "e_phnum");
  if (count > 0 && entry_size < kProgramHeaderSize)
    throw ElfError(in.source() + ": e_phentsize " + std::to_string(entry_size) + " is smaller than 32");
  for (uint16_t i = 0; i < count; ++i) {
    const uint64_t header = offset + static_cast<uint64_t>(i) * entry_size;
    const std::string what = "program header " + std::to_string(i);
    in.require(header, kProgramHeaderSize, what);
    if (in.u32(header, what) != kSegmentLoad) continue;
    const uint32_t file_offset = in.u32(header + 4, what);
    const uint32_t file_size = in.u32(header + 16, what);
    ElfSegment segment;
    segment.load_address = in.u32(header + 12, what);
    segment.memory_size = in.u32(header + 20, what);
    if (file_size > segment.memory_size)
      throw ElfError(in.source() + ": " + what + " has p_filesz > p_memsz");
    if (file_size == 0) continue;  // .bss-like: nothing to load, start-up code zeroes it
    segment.bytes = in.slice(file_offset, file_size, what + " image");
    image.segments.push_back(std::move(segment));
  }
}

void read_symbols(const Reader& in, Elf32Image& image) {
  const uint32_t offset = in.u32(32, "e_shoff");
  const uint16_t entry_size = in.u16(46, "e_shentsize");
  const uint16_t count = in.u16(48, "e_shnum");
  if (count > 0 && entry_size < kSectionHeaderSize)
    throw ElfError(in.source() + ": e_shentsize " + std::to_string(entry_size) + " is smaller than 40");
  const auto section_field = [&](uint32_t index, uint32_t field) {
    if (index >= count) throw ElfError(in.source() + ": section index " + std::to_string(index) + " out of range");
    return in.u32(offset + static_cast<uint64_t>(index) * entry_size + field,
                  "section header " + std::to_string(index));
  };
  for (uint16_t i = 0; i < count; ++i) {
    if (section_field(i, 4) != kSectionSymtab) continue;
    const uint32_t table = section_field(i, 16), table_size = section_field(i, 20);
    const uint32_t strings = section_field(i, 24);  // sh_link: the symbol names
    const uint32_t names = section_field(strings, 16), names_size = section_field(strings, 20);
    in.require(table, table_size, "symbol table");
    for (uint64_t entry = table; entry + kSymbolSize <= static_cast<uint64_t>(table) + table_size;
         entry += kSymbolSize) {
      const std::string name = in.string_at(names, names_size, in.u32(entry, "symbol"), "symbol");
      if (name.empty()) continue;
      ElfSymbol symbol;
      symbol.is_function = (in.u8(entry + 12, "symbol") & 0xF) == kSymbolFunction;
      symbol.address = in.u32(entry + 4, "symbol") & (symbol.is_function ? ~1u : ~0u);
      symbol.size = in.u32(entry + 8, "symbol");
      // A global wins over a local of the same name (static helpers in several files).
      const bool is_global = (in.u8(entry + 12, "symbol") >> 4) != 0;
      if (is_global || image.symbols.count(name) == 0) image.symbols[name] = symbol;
    }
  }
}

}  // namespace

const ElfSymbol& Elf32Image::symbol(const std::string& name) const {
  const auto found = symbols.find(name);
  if (found == symbols.end()) throw ElfError(source + ": no symbol '" + name + "'");
  return found->second;
}

Elf32Image parse_elf32_arm(const std::vector<uint8_t>& file, const std::string& source) {
  const Reader in(file, source);
  check_identification(in);
  Elf32Image image;
  image.source = source;
  image.entry = in.u32(24, "e_entry");
  read_segments(in, image);
  if (image.segments.empty()) throw ElfError(source + ": no loadable segment");
  read_symbols(in, image);
  return image;
}

Elf32Image read_elf32_arm(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ElfError("cannot read ELF file " + path.string());
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return parse_elf32_arm(bytes, path.string());
}

}  // namespace tinyskip::mcu
