// Runs the tinyskip CLI as a child process that a test can kill -9 at a
// chosen moment: when a line containing a marker appears in its log, or after
// a delay. The child gets its own process group, so the compilers and
// emulations it started die with it, as they would on a real crash.
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/engine/cli_test_support.h"

extern char** environ;

namespace tinyskip::test {

struct ChildOutcome {
  bool killed = false;  // we killed it (marker seen or delay over) before it ended
  int exit_code = -1;   // when it ended by itself
  std::string output;   // stdout and stderr
};

// Starts `tinyskip <arguments>` and kills it with SIGKILL `kill_after_seconds`
// after `marker` appears in its output: at once for a negative delay, and
// counted from the start when the marker is empty. With neither, it runs to
// its end.
inline ChildOutcome run_and_kill(const std::vector<std::string>& arguments, const std::string& marker,
                                 double kill_after_seconds = -1) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  const std::string program = cli_path();
  std::vector<std::string> argv_text{program};
  argv_text.insert(argv_text.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : argv_text) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t child = -1;
  const int spawned = posix_spawn(&child, program.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(pipe_fds[1]);
  ChildOutcome outcome;
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    outcome.output = "posix_spawn failed";
    return outcome;
  }

  using Clock = std::chrono::steady_clock;
  const bool kills = !marker.empty() || kill_after_seconds >= 0;
  std::optional<Clock::time_point> armed;  // when the marker appeared
  if (marker.empty()) armed = Clock::now();
  char buffer[4096];
  while (true) {
    int wait_ms = -1;
    if (kills && armed) {
      const double left = kill_after_seconds - std::chrono::duration<double>(Clock::now() - *armed).count();
      if (left <= 0) {
        outcome.killed = true;
        break;
      }
      wait_ms = static_cast<int>(left * 1000) + 1;
    }
    pollfd readable{pipe_fds[0], POLLIN, 0};
    if (::poll(&readable, 1, wait_ms) == 0) continue;  // the delay is over: checked above
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got <= 0) break;  // the child closed its output: it ended
    outcome.output.append(buffer, static_cast<size_t>(got));
    if (!armed && outcome.output.find(marker) != std::string::npos) armed = Clock::now();
  }
  if (outcome.killed) ::kill(-child, SIGKILL);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
    outcome.killed = true;
  } else {
    outcome.killed = false;  // it ended before the signal arrived
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return outcome;
}

}  // namespace tinyskip::test
