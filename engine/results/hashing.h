// FNV-1a 64-bit hashes for content identity (configs, models, data files).
// std::hash is neither specified nor stable across library versions, so
// run.json records hashes computed here. Not cryptographic: it detects
// accidental changes, not tampering.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace tinyskip::engine {

inline constexpr uint64_t kFnv1a64OffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ULL;

// Continues an FNV-1a 64 hash over `bytes` (start from kFnv1a64OffsetBasis).
uint64_t fnv1a64(std::span<const uint8_t> bytes, uint64_t state = kFnv1a64OffsetBasis);

// 16 lowercase hex digits, e.g. fnv1a_hex("") == "cbf29ce484222325".
std::string fnv1a_hex(std::span<const uint8_t> bytes);
std::string fnv1a_hex(std::string_view text);
std::string hash_hex(uint64_t hash);

// Hash of a file's bytes, read in chunks. Throws std::runtime_error naming the
// file if it cannot be read.
std::string fnv1a_hex_of_file(const std::filesystem::path& file);

}  // namespace tinyskip::engine
