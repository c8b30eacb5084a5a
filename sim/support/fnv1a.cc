#include "sim/support/fnv1a.h"

#include <fstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace tinyskip::support {

uint64_t fnv1a64(std::span<const uint8_t> bytes, uint64_t state) {
  for (uint8_t byte : bytes) {
    state ^= byte;
    state *= kFnv1a64Prime;
  }
  return state;
}

uint64_t fnv1a64(std::string_view text, uint64_t state) {
  return fnv1a64(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), state);
}

std::string hash_hex(uint64_t hash) { return fmt::format("{:016x}", hash); }

std::string fnv1a_hex(std::span<const uint8_t> bytes) { return hash_hex(fnv1a64(bytes)); }

std::string fnv1a_hex(std::string_view text) { return hash_hex(fnv1a64(text)); }

std::string fnv1a_hex_of_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open file to hash it", file.string()));
  constexpr size_t kChunk = 1 << 20;
  std::vector<char> buffer(kChunk);
  uint64_t state = kFnv1a64OffsetBasis;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    state = fnv1a64(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())), state);
  }
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read error while hashing", file.string()));
  return hash_hex(state);
}

ContentHash& ContentHash::add(std::string_view field) {
  state_ = fnv1a64(std::to_string(field.size()) + ":", state_);
  state_ = fnv1a64(field, state_);
  return *this;
}

}  // namespace tinyskip::support
