// The error the results layer throws: a run directory that cannot be created,
// reopened or parsed. Messages name the file (and line, for points.csv).
#pragma once

#include <stdexcept>

namespace tinyskip::engine {

class ResultsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::engine
