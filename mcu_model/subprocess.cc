#include "mcu_model/subprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tinyskip::mcu {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& program, int error) {
  throw std::runtime_error("running '" + program + "': " + what + ": " + std::strerror(error));
}

// Closes a descriptor once, on every path out of run_process.
class Fd {
 public:
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// O_CLOEXEC: a child started by another thread at the same moment must not
// inherit our write ends, or our read would wait for that child too. (dup2
// into the child's 1 and 2 clears the flag there.)
void open_pipe(Fd& read_end, Fd& write_end, const std::string& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe", program, errno);
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

// Reads both pipes until both reach end of file; reading them one after the
// other could deadlock when the child fills the other one.
void drain(Fd& out_fd, Fd& err_fd, std::string& out, std::string& err, const std::string& program) {
  Fd* ends[2] = {&out_fd, &err_fd};
  std::string* texts[2] = {&out, &err};
  char buffer[4096];
  while (out_fd.get() >= 0 || err_fd.get() >= 0) {
    pollfd fds[2] = {{out_fd.get(), POLLIN, 0}, {err_fd.get(), POLLIN, 0}};  // -1 is ignored
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll", program, errno);
    }
    for (int i = 0; i < 2; ++i) {
      if (ends[i]->get() < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(ends[i]->get(), buffer, sizeof buffer);
      if (got > 0) {
        texts[i]->append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ends[i]->reset();
      }
    }
  }
}

// posix_spawn_file_actions_t with its destroy on every path.
class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// The child runs in its own process group with no signals blocked: a Ctrl-C
// at the terminal then reaches only this program, which decides whether to
// stop (tinyskip finishes its current batch), instead of killing a compile
// halfway and turning the interrupt into a compile error.
class SpawnAttributes {
 public:
  SpawnAttributes() {
    ::posix_spawnattr_init(&attributes_);
    sigset_t none;
    sigemptyset(&none);
    ::posix_spawnattr_setsigmask(&attributes_, &none);
    ::posix_spawnattr_setpgroup(&attributes_, 0);
    ::posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&attributes_); }
  const posix_spawnattr_t* get() const { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) throw std::runtime_error("run_process: no program given");
  const std::string& program = argv[0];

  Fd out_read, out_write, err_read, err_write;
  open_pipe(out_read, out_write, program);
  open_pipe(err_read, err_write, program);

  FileActions actions;
  const SpawnAttributes attributes;
  ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(actions.get(), out_write.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(actions.get(), err_write.get(), STDERR_FILENO);

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  ProcessResult result;
  pid_t pid = 0;
  // glibc reports a failed exec (missing program, no permission) as the
  // return value here rather than as a child exiting with 127.
  const int spawn_error = ::posix_spawnp(&pid, program.c_str(), actions.get(), attributes.get(), args.data(), environ);
  if (spawn_error != 0) {
    result.start_error = std::strerror(spawn_error);
    return result;
  }
  result.started = true;
  out_write.reset();
  err_write.reset();
  drain(out_read, err_read, result.out, result.err, program);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waitpid", program, errno);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace tinyskip::mcu
