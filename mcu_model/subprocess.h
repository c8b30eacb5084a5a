// Runs an external program (the cross-compiler, `size`) with an argument
// vector, no shell: paths with spaces or quotes need no quoting. Standard
// output and error are captured separately, standard input is /dev/null.
// Safe to call from several threads at once.
#pragma once

#include <string>
#include <vector>

namespace tinyskip::mcu {

struct ProcessResult {
  bool started = false;     // false when the program could not be executed
  std::string start_error;  // why not (strerror text), when !started
  int exit_code = -1;       // exit status; 128 + signal number when killed
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH when it contains no '/'. Throws
// std::runtime_error only for failures of this process (pipes, poll, wait);
// a missing program is reported in the result, so that callers can say which
// setting named it.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace tinyskip::mcu
