// Error thrown by the search layer for bad options, bad problems or objective
// values it cannot work with. A std::runtime_error so callers can catch all
// tinyskip errors uniformly.
#pragma once

#include <stdexcept>
#include <string>

namespace tinyskip::engine {

class SearchError : public std::runtime_error {
 public:
  explicit SearchError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tinyskip::engine
