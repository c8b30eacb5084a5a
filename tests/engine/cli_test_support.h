// Runs the tinyskip command-line tool as a user would and captures its
// output. ctest passes the binary's path in TINYSKIP_CLI.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tinyskip::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

inline std::string cli_path() {
  if (const char* env = std::getenv("TINYSKIP_CLI")) return env;
  return std::string(TINYSKIP_BINARY_DIR) + "/tinyskip";
}

// Runs a shell command, capturing stdout and stderr together.
inline CommandResult run_shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// environment: optional VAR=value assignments placed before the command.
inline CommandResult run_cli(const std::string& arguments, const std::string& environment = "") {
  return run_shell((environment.empty() ? "" : environment + " ") + cli_path() + " " + arguments);
}

}  // namespace tinyskip::test
