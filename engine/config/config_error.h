// The error every experiment-config problem throws. Its message always starts
// with the config file as given on the command line, then the JSON path of
// the offending key, e.g.
//   configs/x.json: search.budget: expected a positive integer, got "ten"
// so a user can go straight to the line to fix.
#pragma once

#include <stdexcept>

namespace tinyskip::engine {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tinyskip::engine
