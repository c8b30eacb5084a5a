// FNV-1a 64-bit hashes for content identity: configs, models and data files
// recorded in run.json (engine/results/hashing.h), cache keys of compiled
// units (mcu_model/flash_measurement). std::hash is neither specified nor
// stable across library versions. Not cryptographic: it detects accidental
// changes and tells contents apart, it does not resist tampering.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace tinyskip::support {

inline constexpr uint64_t kFnv1a64OffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ULL;

// Continues an FNV-1a 64 hash over `bytes` (start from kFnv1a64OffsetBasis).
uint64_t fnv1a64(std::span<const uint8_t> bytes, uint64_t state = kFnv1a64OffsetBasis);
uint64_t fnv1a64(std::string_view text, uint64_t state = kFnv1a64OffsetBasis);

// 16 lowercase hex digits, e.g. fnv1a_hex("") == "cbf29ce484222325".
std::string fnv1a_hex(std::span<const uint8_t> bytes);
std::string fnv1a_hex(std::string_view text);
std::string hash_hex(uint64_t hash);

// Hash of a file's bytes, read in chunks. Throws std::runtime_error naming the
// file if it cannot be read.
std::string fnv1a_hex_of_file(const std::filesystem::path& file);

// FNV-1a 64 over a sequence of fields, for cache keys. Each field is preceded
// by its length and a colon ("2:ab"), so that ("ab", "c") and ("a", "bc")
// hash differently.
class ContentHash {
 public:
  ContentHash& add(std::string_view field);
  // 16 lowercase hex digits.
  std::string hex() const { return hash_hex(state_); }

 private:
  uint64_t state_ = kFnv1a64OffsetBasis;
};

}  // namespace tinyskip::support
