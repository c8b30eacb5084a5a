// The error kernel code generation throws for bad input: an op that is not a
// CONV_2D, a mask of the wrong size, an invalid C identifier, a missing or
// malformed template. Messages name the model file and op where one is
// involved ("<source>: op 3 (CONV_2D): ...").
#pragma once

#include <stdexcept>

namespace tinyskip::engine {

class CodegenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::engine
