// The one error type for data a user hands tinyskip: unreadable, malformed or
// not matching the model. Messages name the file and what is wrong.
#pragma once

#include <stdexcept>

namespace tinyskip::sim {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::sim
