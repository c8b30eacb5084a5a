// Real flash sizes of generated C code: every translation unit is compiled
// with the ARM cross-compiler and its object's sections are summed. Units are
// compiled in parallel, and results are cached on disk by content, so a design
// point whose layer code was measured before costs no compile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mcu_model/cross_compiler.h"

namespace tinyskip::mcu {

// Bytes per output section kind of one object file. .text includes the
// per-function .text.<fn> sections of -ffunction-sections (likewise for the
// others); .bss costs RAM only.
struct SectionSizes {
  int64_t text = 0, rodata = 0, data = 0, bss = 0;
  // .data is stored in flash too: its initial values are copied to RAM.
  int64_t flash() const { return text + rodata + data; }
  bool operator==(const SectionSizes&) const = default;
};

// One C translation unit. `name` is its file name (".c" is appended when
// missing; letters, digits, '_', '-' and '.' only) and names it in messages.
struct SourceUnit {
  std::string name;
  std::string content;
};

// What one measure_flash call did, for callers that report it (and tests).
struct MeasureStats {
  int compiled = 0;
  int cache_hits = 0;
};

// Sums a `size -A -d` listing into section kinds. Sections outside the four
// kinds (.comment, .ARM.attributes, debug info) take no target memory and are
// ignored; .ARM.exidx/.ARM.extab unwind tables count as rodata. ToolchainError
// naming `unit` when the listing has no section table.
SectionSizes parse_size_listing(const std::string& listing, const std::string& unit);

// Sizes of every unit, in the order given. Compiles with the toolchain's flags,
// `opt_level` (one of toolchain.optimisation_levels) and -I for each include
// dir, on `threads` (>= 1) workers, in a temporary directory removed
// afterwards. With a non-empty `cache_dir`, a unit whose content, name, flags,
// opt level, compiler version and include-dir headers (*.h, recursively) are
// unchanged is read from the cache instead of compiled. The first failing unit
// (in order) is reported as a ToolchainError naming it.
std::vector<SectionSizes> measure_flash(const Toolchain& toolchain, const std::vector<SourceUnit>& units,
                                        const std::string& opt_level,
                                        const std::vector<std::filesystem::path>& include_dirs, int threads,
                                        const std::filesystem::path& cache_dir, MeasureStats* stats = nullptr);

// What a --gc-sections link keeps of each input file, from the linker's map
// (-Wl,-Map): input file as the map names it ("x/arm_convolve_s8.o",
// "lib.a(arm_convolve_s8.o)") -> the sizes of its kept input sections, by
// the section kinds of parse_size_listing. Alignment fill belongs to no file
// and is not counted. `defined_symbols`, when given, receives every global
// symbol the map lists in the output.
std::map<std::string, SectionSizes> parse_link_map(const std::string& map, std::set<std::string>* defined_symbols = nullptr);

// A library as a program links it, per unit: the object's sections (what
// measure_flash reports) and what a --gc-sections link keeps of it when the
// program calls exactly `roots`. With -ffunction-sections the object sums
// over-count (every function of every file the library has); the kept sizes
// are what the program's flash holds of the library.
struct LinkedLibrary {
  std::vector<SectionSizes> objects;  // per unit, in the order given
  std::vector<SectionSizes> linked;   // per unit; all zero for units the link does not need
  SectionSizes linked_total() const;
  SectionSizes linked_objects_total() const;  // object sizes of the units with something linked
};

// Compiles every unit once like measure_flash (no cache) and, for each set
// of roots, links the objects alone with --gc-sections, the entry and every
// root kept, references outside the units (the C library, libgcc) left
// unresolved: the same library sections a whole program calling those roots
// links. One result per root set, in order. ToolchainError for a compile or
// link failure, or a root no unit defines.
std::vector<LinkedLibrary> measure_linked_library(const Toolchain& toolchain, const std::vector<SourceUnit>& units,
                                                  const std::string& opt_level,
                                                  const std::vector<std::filesystem::path>& include_dirs,
                                                  const std::vector<std::vector<std::string>>& root_sets,
                                                  int threads);

}  // namespace tinyskip::mcu
