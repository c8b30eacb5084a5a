// The error every model-reading and model-checking step throws. Its message
// always starts with the model's file name; problems with one operator name
// it as "op 4 (MUL)", problems with one tensor as "tensor 7 'name'".
#pragma once

#include <stdexcept>

namespace tinyskip::sim {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::sim
