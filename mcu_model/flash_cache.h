// On-disk, content-addressed cache of measured section sizes: one small JSON
// file per key. Entries are written to a temporary file and renamed into
// place, so a concurrent reader or a killed run never sees half an entry; an
// entry that is nevertheless unreadable (hand-edited, disk trouble) counts as
// missing and is measured and written again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "mcu_model/flash_measurement.h"

namespace tinyskip::mcu {

class FlashCache {
 public:
  // An empty directory disables the cache (find misses, store does nothing).
  // The directory is created on first use; ToolchainError when it cannot be.
  explicit FlashCache(std::filesystem::path directory);

  std::optional<SectionSizes> find(const std::string& key) const;

  // `unit` is recorded in the entry for people reading the cache.
  void store(const std::string& key, const SectionSizes& sizes, const std::string& unit) const;

  std::filesystem::path entry_path(const std::string& key) const;
  bool enabled() const { return !directory_.empty(); }

 private:
  std::filesystem::path directory_;
};

}  // namespace tinyskip::mcu
