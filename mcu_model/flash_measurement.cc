#include "mcu_model/flash_measurement.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "mcu_model/flash_cache.h"
#include "sim/support/fnv1a.h"
#include "sim/support/whole_file.h"

namespace tinyskip::mcu {

namespace {

namespace fs = std::filesystem;
using support::ContentHash;

// Bumped when the meaning of an entry changes (parsing rules, key contents),
// so that old entries stop matching.
constexpr const char* kCacheFormat = "tinyskip flash cache v1";

// `prefix` itself or `prefix.` followed by anything: ".text" and
// ".text.conv_0", not ".textual".
bool is_section_kind(const std::string& name, const std::string& prefix) {
  return name == prefix || name.rfind(prefix + ".", 0) == 0;
}

// Adds a section of `size` bytes to its kind; sections of other kinds take
// no target memory. Unwind tables count as rodata.
void add_section(SectionSizes& sizes, const std::string& name, int64_t size) {
  if (is_section_kind(name, ".text")) {
    sizes.text += size;
  } else if (is_section_kind(name, ".rodata") || is_section_kind(name, ".ARM.exidx") ||
             is_section_kind(name, ".ARM.extab")) {
    sizes.rodata += size;
  } else if (is_section_kind(name, ".data")) {
    sizes.data += size;
  } else if (is_section_kind(name, ".bss") || name == "COMMON") {
    sizes.bss += size;
  }
}

SectionSizes& operator+=(SectionSizes& a, const SectionSizes& b) {
  a.text += b.text;
  a.rodata += b.rodata;
  a.data += b.data;
  a.bss += b.bss;
  return a;
}

bool is_hex(const std::string& token) {
  return token.size() > 2 && token.compare(0, 2, "0x") == 0 &&
         token.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
}

std::string file_name_of(const SourceUnit& unit) {
  const std::string& name = unit.name;
  const bool plain = !name.empty() && name != "." && name != ".." &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
                     });
  if (!plain)
    throw ToolchainError("source unit name '" + name +
                         "' is not a plain file name (letters, digits, '_', '-', '.')");
  const bool has_suffix = name.size() > 2 && name.compare(name.size() - 2, 2, ".c") == 0;
  return has_suffix ? name : name + ".c";
}

std::string read_file(const fs::path& path) {
  std::optional<std::string> text = support::read_whole_file(path);
  if (!text) throw ToolchainError("cannot read " + path.string());
  return *std::move(text);
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw ToolchainError("cannot write " + path.string());
}

// Every header a unit can include from the include dirs, in a fixed order:
// which dir (its position, since -I order decides which header wins), the path
// inside it and the content. Hashing all of them is coarser than following
// #includes but cannot miss one.
void add_headers(ContentHash& hash, const std::vector<fs::path>& include_dirs) {
  for (size_t index = 0; index < include_dirs.size(); ++index) {
    std::vector<fs::path> headers;
    for (const auto& entry : fs::recursive_directory_iterator(include_dirs[index]))
      if (entry.is_regular_file() && entry.path().extension() == ".h") headers.push_back(entry.path());
    std::sort(headers.begin(), headers.end());
    hash.add("include dir " + std::to_string(index));
    for (const fs::path& header : headers) {
      hash.add(fs::relative(header, include_dirs[index]).generic_string());
      hash.add(read_file(header));
    }
  }
}

// A fresh directory under the system temp dir, removed with everything in it
// when the measurement ends, also by an exception.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "tinyskip_flash_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw ToolchainError("cannot create a temporary directory like " + pattern);
    path_ = pattern;
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Each unit in its own subdirectory, so that equal names cannot collide and
// the compiled file name (and so __FILE__) is the unit's own.
SectionSizes compile_and_measure(const Toolchain& toolchain, const SourceUnit& unit, const fs::path& directory,
                                 const std::string& opt_level, const std::vector<fs::path>& include_dirs) {
  fs::create_directory(directory);
  const std::string file_name = file_name_of(unit);
  const fs::path source = directory / file_name;
  const fs::path object = directory / (file_name.substr(0, file_name.size() - 2) + ".o");
  write_file(source, unit.content);
  compile_object(toolchain, source, object, opt_level, include_dirs, unit.name);
  return parse_size_listing(list_sections(toolchain, object, unit.name), unit.name);
}

// Runs job(i) for every i in `indices` on up to `threads` workers. After a
// failure no new job starts; the failure of the earliest job is rethrown, so
// the error does not depend on scheduling.
template <typename Job>
void run_parallel(const std::vector<size_t>& indices, int threads, Job job) {
  std::vector<std::exception_ptr> errors(indices.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t k = next++; k < indices.size() && !failed; k = next++) {
      try {
        job(indices[k]);
      } catch (...) {
        errors[k] = std::current_exception();
        failed = true;
      }
    }
  };
  const size_t count = std::min<size_t>(static_cast<size_t>(threads), indices.size());
  std::vector<std::thread> workers;
  try {
    for (size_t t = 1; t < count; ++t) workers.emplace_back(worker);
  } catch (...) {  // no thread to be had: stop the started ones, then report
    failed = true;
    for (std::thread& thread : workers) thread.join();
    throw;
  }
  worker();
  for (std::thread& thread : workers) thread.join();
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
}

}  // namespace

SectionSizes parse_size_listing(const std::string& listing, const std::string& unit) {
  SectionSizes sizes;
  bool saw_header = false;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name, size_text, address_text, extra;
    if (!(fields >> name >> size_text >> address_text) || (fields >> extra)) continue;
    if (name == "section") {
      saw_header = true;
      continue;
    }
    if (!saw_header || size_text.find_first_not_of("0123456789") != std::string::npos) continue;
    add_section(sizes, name, std::stoll(size_text));
  }
  if (!saw_header)
    throw ToolchainError("unit '" + unit + "': no section table in the output of size -A:\n" + listing);
  return sizes;
}

std::vector<SectionSizes> measure_flash(const Toolchain& toolchain, const std::vector<SourceUnit>& units,
                                        const std::string& opt_level, const std::vector<fs::path>& include_dirs,
                                        int threads, const fs::path& cache_dir, MeasureStats* stats) {
  if (threads < 1) throw ToolchainError("measure_flash: threads must be >= 1, got " + std::to_string(threads));
  check_optimisation_level(toolchain, opt_level);
  for (const SourceUnit& unit : units) file_name_of(unit);
  for (const fs::path& dir : include_dirs)
    if (!fs::is_directory(dir)) throw ToolchainError("include directory " + dir.string() + " does not exist");

  const FlashCache cache(cache_dir);
  std::vector<std::string> keys(units.size());
  std::vector<SectionSizes> sizes(units.size());
  std::vector<size_t> to_compile;
  if (cache.enabled()) {
    ContentHash common;
    common.add(kCacheFormat).add(toolchain_version(toolchain)).add(size_tool_version(toolchain));
    for (const std::string& flag : toolchain.flags) common.add(flag);
    common.add(opt_level);
    add_headers(common, include_dirs);
    for (size_t i = 0; i < units.size(); ++i) {
      keys[i] = ContentHash(common).add(units[i].name).add(units[i].content).hex();
      if (const std::optional<SectionSizes> hit = cache.find(keys[i])) {
        sizes[i] = *hit;
      } else {
        to_compile.push_back(i);
      }
    }
  } else {
    for (size_t i = 0; i < units.size(); ++i) to_compile.push_back(i);
  }

  if (!to_compile.empty()) {
    const TemporaryDirectory scratch;
    run_parallel(to_compile, threads, [&](size_t i) {
      sizes[i] = compile_and_measure(toolchain, units[i], scratch.path() / std::to_string(i), opt_level,
                                     include_dirs);
      cache.store(keys[i], sizes[i], units[i].name);
    });
  }
  if (stats != nullptr) {
    stats->compiled = static_cast<int>(to_compile.size());
    stats->cache_hits = static_cast<int>(units.size() - to_compile.size());
  }
  return sizes;
}

}  // namespace tinyskip::mcu

namespace tinyskip::mcu {

std::map<std::string, SectionSizes> parse_link_map(const std::string& map, std::set<std::string>* defined_symbols) {
  std::map<std::string, SectionSizes> kept;
  std::istringstream in(map);
  std::string line;
  while (std::getline(in, line) && line.rfind("Linker script and memory map", 0) != 0) {
  }
  // An input section is " <name> 0x<address> 0x<size> <file>", the numbers on
  // the next line when the name is long; output sections start in column 0,
  // "*(...)" patterns and "*fill*" with " *", symbols are "0x<address> <name>".
  std::string pending;  // a long section name waiting for its numbers
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string token; fields >> token;) tokens.push_back(token);
    if (tokens.empty()) continue;
    const bool input_section = line.size() > 1 && line[0] == ' ' && line[1] != ' ' &&
                               (tokens[0][0] == '.' || tokens[0] == "COMMON");
    std::string name;
    size_t first = 0;
    if (input_section) {
      name = tokens[0];
      first = 1;
      if (tokens.size() == 1) {
        pending = name;
        continue;
      }
    } else if (!pending.empty() && line[0] == ' ' && tokens.size() >= 3 && is_hex(tokens[0]) && is_hex(tokens[1])) {
      name = pending;
    } else {
      pending.clear();
      if (defined_symbols != nullptr && tokens.size() == 2 && is_hex(tokens[0]) && !is_hex(tokens[1]))
        defined_symbols->insert(tokens[1]);
      continue;
    }
    pending.clear();
    if (tokens.size() < first + 3 || !is_hex(tokens[first]) || !is_hex(tokens[first + 1])) continue;
    std::string file = tokens[first + 2];
    for (size_t i = first + 3; i < tokens.size(); ++i) file += " " + tokens[i];
    add_section(kept[file], name, std::stoll(tokens[first + 1], nullptr, 16));
  }
  return kept;
}

SectionSizes LinkedLibrary::linked_total() const {
  SectionSizes total;
  for (const SectionSizes& sizes : linked) total += sizes;
  return total;
}

SectionSizes LinkedLibrary::linked_objects_total() const {
  SectionSizes total;
  for (size_t i = 0; i < linked.size(); ++i)
    if (!(linked[i] == SectionSizes{})) total += objects[i];
  return total;
}

std::vector<LinkedLibrary> measure_linked_library(const Toolchain& toolchain, const std::vector<SourceUnit>& units,
                                                  const std::string& opt_level,
                                                  const std::vector<fs::path>& include_dirs,
                                                  const std::vector<std::vector<std::string>>& root_sets,
                                                  int threads) {
  if (threads < 1)
    throw ToolchainError("measure_linked_library: threads must be >= 1, got " + std::to_string(threads));
  check_optimisation_level(toolchain, opt_level);
  LinkedLibrary empty;
  empty.objects.resize(units.size());
  empty.linked.resize(units.size());
  std::vector<LinkedLibrary> libraries(root_sets.size(), empty);
  if (units.empty() || std::all_of(root_sets.begin(), root_sets.end(), [](const auto& r) { return r.empty(); }))
    return libraries;

  const TemporaryDirectory scratch;
  std::vector<fs::path> objects(units.size());
  std::vector<size_t> all(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string name = file_name_of(units[i]);
    objects[i] = scratch.path() / std::to_string(i) / (name.substr(0, name.size() - 2) + ".o");
    all[i] = i;
  }
  run_parallel(all, threads, [&](size_t i) {
    empty.objects[i] = compile_and_measure(toolchain, units[i], objects[i].parent_path(), opt_level, include_dirs);
  });

  for (size_t set = 0; set < root_sets.size(); ++set) {
    const std::vector<std::string>& roots = root_sets[set];
    LinkedLibrary& library = libraries[set];
    library.objects = empty.objects;
    if (roots.empty()) continue;
    // The roots are the only references from outside, so the link keeps what
    // they reach and nothing else; the first root doubles as the entry point.
    const fs::path map_file = scratch.path() / ("library" + std::to_string(set) + ".map");
    std::vector<std::string> args = {opt_level, "-nostdlib", "-nostartfiles", "-Wl,--gc-sections",
                                     "-Wl,--unresolved-symbols=ignore-all", "-Wl,-e," + roots.front(),
                                     "-Wl,-Map," + map_file.string()};
    for (const std::string& root : roots) args.push_back("-Wl,-u," + root);
    link_objects(toolchain, objects, args, scratch.path() / ("library" + std::to_string(set) + ".elf"),
                 "the library's reachable part");

    std::set<std::string> defined;
    const std::map<std::string, SectionSizes> kept = parse_link_map(read_file(map_file), &defined);
    for (const std::string& root : roots)
      if (defined.count(root) == 0)
        throw ToolchainError("no compiled unit defines '" + root + "', which the generated code calls");
    for (size_t i = 0; i < units.size(); ++i)
      if (const auto found = kept.find(objects[i].string()); found != kept.end()) library.linked[i] = found->second;
  }
  return libraries;
}

}  // namespace tinyskip::mcu
