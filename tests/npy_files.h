// .npy files built byte by byte, following the format's published description
// (magic, version, little-endian header length, dict literal padded with
// spaces to a multiple of 64 bytes and ended by '\n', raw data), so that the
// reader is tested against the format rather than against itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyskip::test {

inline std::string npy_file(const std::string& dict, const std::string& data, int major = 1) {
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t prefix = 6 + 2 + length_bytes;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major);
  file += '\0';
  for (size_t i = 0; i < length_bytes; ++i) file += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return file + header + data;
}

inline std::string bytes_of(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

// A C-order array file: descr like "|i1", "|u1", "<f4", "<i8"; shape like "(2, 3)".
template <class T>
std::string npy_array(const std::string& descr, const std::string& shape, const std::vector<T>& values) {
  return npy_file("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }",
                  bytes_of(values.data(), values.size() * sizeof(T)));
}

}  // namespace tinyskip::test
