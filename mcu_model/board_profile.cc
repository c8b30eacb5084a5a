#include "mcu_model/board_profile.h"

#include <filesystem>

#include "mcu_model/errors.h"
#include "mcu_model/json_reader.h"

namespace tinyskip::mcu {

namespace {

CodePlacement read_code_placement(ObjectReader& reader) {
  const std::string placement = reader.string("code_placement");
  if (placement == "flash") return CodePlacement::kFlash;
  if (placement == "sram") return CodePlacement::kSram;
  reader.fail("code_placement", "expected \"flash\" or \"sram\", got \"" + placement + "\"");
}

int read_int(ObjectReader& reader, const std::string& key, int64_t min_value) {
  const int64_t value = reader.integer(key, min_value);
  if (value > (int64_t{1} << 30)) reader.fail(key, "value too large: " + std::to_string(value));
  return static_cast<int>(value);
}

// A file a profile names: relative to the profile, so that configs/mcu can be
// moved as a whole.
std::string beside_profile(const std::string& profile, const std::string& name) {
  std::filesystem::path file(name);
  if (file.is_relative()) file = std::filesystem::path(profile).parent_path() / file;
  return file.string();
}

// A 32-bit address written as a JSON string "0x08000000" (hex reads better
// than decimal for memory maps).
int64_t read_address(ObjectReader& reader, const std::string& key) {
  const std::string text = reader.string(key);
  size_t used = 0;
  int64_t value = -1;
  try {
    value = std::stoll(text, &used, 0);
  } catch (const std::exception&) {
  }
  if (used != text.size() || value < 0 || value > 0xFFFFFFFFll)
    reader.fail(key, "expected a 32-bit address such as \"0x08000000\", got \"" + text + "\"");
  return value;
}

}  // namespace

BoardProfile load_board_profile(const std::string& path) {
  const nlohmann::json root = read_json_file(path);
  ObjectReader reader(root, path, "");
  BoardProfile board;
  board.file = path;
  board.name = reader.string("name");
  board.core = reader.string("core");
  board.clock_hz = reader.integer("clock_hz", 1);
  board.flash_origin = read_address(reader, "flash_origin");
  board.flash_bytes = reader.integer("flash_bytes", 1);
  board.sram_origin = read_address(reader, "sram_origin");
  board.sram_bytes = reader.integer("sram_bytes", 1);
  board.flash_wait_states = read_int(reader, "flash_wait_states", 0);
  board.prefetch = reader.boolean("prefetch");
  board.flash_fetch_bytes = read_int(reader, "flash_fetch_bytes", 1);
  board.icache_lines = read_int(reader, "icache_lines", 0);
  board.icache_line_bytes = read_int(reader, "icache_line_bytes", 1);
  board.dcache_lines = read_int(reader, "dcache_lines", 0);
  board.dcache_line_bytes = read_int(reader, "dcache_line_bytes", 1);
  board.code_placement = read_code_placement(reader);
  board.notes = reader.optional_string("notes").value_or("");
  if (reader.has("uncertain")) board.uncertain = reader.string_list("uncertain");
  const std::string coefficients = reader.string("coefficients");
  const std::string timing_rules = reader.string("timing_rules");
  reader.finish();
  if (board.flash_origin + board.flash_bytes > (int64_t{1} << 32) ||
      board.sram_origin + board.sram_bytes > (int64_t{1} << 32))
    reader.fail("flash_bytes", "flash or SRAM extends past the 32-bit address space");

  try {
    board.coefficients = load_coefficients(beside_profile(path, coefficients));
  } catch (const ProfileError& error) {
    throw ProfileError(path + ": key 'coefficients': " + error.what());
  }
  try {
    board.timing_rules = load_timing_rules(beside_profile(path, timing_rules));
  } catch (const ProfileError& error) {
    throw ProfileError(path + ": key 'timing_rules': " + error.what());
  }
  return board;
}

}  // namespace tinyskip::mcu
