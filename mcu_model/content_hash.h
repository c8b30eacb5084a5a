// FNV-1a 64 over a sequence of length-prefixed fields, for cache keys. The
// same algorithm as engine/results/hashing.h, which mcu_model may not include
// (dependencies point from engine to mcu_model only). Not cryptographic: it
// tells contents apart, it does not resist tampering.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace tinyskip::mcu {

class ContentHash {
 public:
  // Each field is preceded by its length, so that ("ab", "c") and ("a", "bc")
  // hash differently.
  ContentHash& add(std::string_view field) {
    const std::string length = std::to_string(field.size()) + ":";
    mix(length);
    mix(field);
    return *this;
  }

  // 16 lowercase hex digits.
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(state_));
    return text;
  }

 private:
  void mix(std::string_view bytes) {
    for (const char byte : bytes) {
      state_ ^= static_cast<uint8_t>(byte);
      state_ *= 0x100000001b3ULL;
    }
  }

  uint64_t state_ = 0xcbf29ce484222325ULL;
};

}  // namespace tinyskip::mcu
