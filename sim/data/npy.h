// NumPy's .npy format (versions 1.0, 2.0 and 3.0), the format ML users keep
// tensors in: a magic string, a version, a header that is a Python dict
// literal ({'descr': '<f4', 'fortran_order': False, 'shape': (N, 32, 32, 3), })
// and the raw data. tinyskip reads C-order little-endian arrays of the
// integer types and float32: model inputs (int8, uint8, float32) and labels
// (any integer type). Everything else is a DataError that names the file and
// what is wrong, never a guess.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/data/data_error.h"

namespace tinyskip::sim {

enum class NpyType { kInt8, kUint8, kInt16, kUint16, kInt32, kUint32, kInt64, kUint64, kFloat32 };

const char* npy_type_name(NpyType type);  // numpy's names: "int8", ..., "float32"
int npy_type_bytes(NpyType type);

struct NpyArray {
  std::string source;          // the file, for messages
  NpyType type = NpyType::kUint8;
  std::vector<int64_t> shape;  // empty for a 0-d array
  std::vector<uint8_t> data;   // elements() * npy_type_bytes(type) bytes, C order, little-endian

  int64_t elements() const;
  bool is_integer() const { return type != NpyType::kFloat32; }
  // Element i as an integer; DataError for a float32 array.
  int64_t integer(int64_t i) const;
  float float32(int64_t i) const;  // DataError unless float32
};

// Parses the bytes of a .npy file; `source` names it in errors.
NpyArray parse_npy(const std::string& bytes, const std::string& source);
NpyArray read_npy_file(const std::string& path);

}  // namespace tinyskip::sim
