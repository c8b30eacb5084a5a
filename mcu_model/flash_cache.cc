#include "mcu_model/flash_cache.h"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <system_error>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "mcu_model/errors.h"
#include "mcu_model/json_reader.h"

namespace tinyskip::mcu {

FlashCache::FlashCache(std::filesystem::path directory) : directory_(std::move(directory)) {
  if (!enabled()) return;
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error || !std::filesystem::is_directory(directory_))
    throw ToolchainError("flash cache directory " + directory_.string() + " cannot be created: " +
                         (error ? error.message() : "not a directory"));
}

std::filesystem::path FlashCache::entry_path(const std::string& key) const {
  return directory_ / (key + ".json");
}

std::optional<SectionSizes> FlashCache::find(const std::string& key) const {
  if (!enabled()) return std::nullopt;
  const std::filesystem::path path = entry_path(key);
  if (!std::filesystem::exists(path)) return std::nullopt;
  // The strict reader rejects anything but a complete entry; a rejected entry
  // is a miss, not an error.
  try {
    const nlohmann::json root = read_json_file(path.string());
    ObjectReader reader(root, path.string(), "");
    SectionSizes sizes;
    sizes.text = reader.integer("text", 0);
    sizes.rodata = reader.integer("rodata", 0);
    sizes.data = reader.integer("data", 0);
    sizes.bss = reader.integer("bss", 0);
    reader.string("unit");
    reader.finish();
    return sizes;
  } catch (const ProfileError&) {
    return std::nullopt;
  }
}

void FlashCache::store(const std::string& key, const SectionSizes& sizes, const std::string& unit) const {
  if (!enabled()) return;
  const nlohmann::json entry = {
      {"text", sizes.text}, {"rodata", sizes.rodata}, {"data", sizes.data}, {"bss", sizes.bss}, {"unit", unit}};
  // Unique per process and call, so that concurrent writers of the same key
  // never share a temporary; the last rename wins with identical content.
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path target = entry_path(key);
  const std::filesystem::path temporary =
      directory_ / (".tmp-" + key + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << entry.dump() << '\n';
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw ToolchainError("cannot write flash cache entry " + temporary.string());
    }
  }
  // No fsync: a crash can at worst leave an empty or torn entry, which find()
  // treats as missing.
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw ToolchainError("cannot write flash cache entry " + target.string() + ": " + error.message());
  }
}

}  // namespace tinyskip::mcu
