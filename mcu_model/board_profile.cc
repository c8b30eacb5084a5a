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

}  // namespace

BoardProfile load_board_profile(const std::string& path) {
  const nlohmann::json root = read_json_file(path);
  ObjectReader reader(root, path, "");
  BoardProfile board;
  board.file = path;
  board.name = reader.string("name");
  board.core = reader.string("core");
  board.clock_hz = reader.integer("clock_hz", 1);
  board.flash_bytes = reader.integer("flash_bytes", 1);
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
  const std::string coefficients = reader.string("coefficients");
  reader.finish();

  // Relative to the profile, so that configs/mcu can be moved as a whole.
  std::filesystem::path coefficients_path(coefficients);
  if (coefficients_path.is_relative())
    coefficients_path = std::filesystem::path(path).parent_path() / coefficients_path;
  try {
    board.coefficients = load_coefficients(coefficients_path.string());
  } catch (const ProfileError& error) {
    throw ProfileError(path + ": key 'coefficients': " + error.what());
  }
  return board;
}

}  // namespace tinyskip::mcu
