#include "engine/results/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "engine/results/results_error.h"

namespace tinyskip::engine {
namespace {

constexpr std::string_view kTempMarker = ".tmp-";

// Unique per process and call, so concurrent writers never share a temporary.
std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  static std::atomic<uint64_t> counter{0};
  return path.parent_path() / fmt::format(".{}{}{}-{}", path.filename().string(), kTempMarker, ::getpid(), counter++);
}

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path, int error) {
  throw ResultsError(fmt::format("{}: {}: {}", path.string(), what, std::strerror(error)));
}

}  // namespace

void write_fully(int fd, std::string_view content, const std::filesystem::path& path) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno("write failed", path, errno);
    }
    content.remove_prefix(static_cast<size_t>(written));
  }
}

bool is_atomic_temp_name(const std::string& file_name) {
  return file_name.starts_with(".") && file_name.find(kTempMarker) != std::string::npos;
}

void fsync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open directory", directory, errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) throw_errno("fsync failed", directory, error);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path directory = path.parent_path().empty() ? "." : path.parent_path();
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  const std::filesystem::path temp = temp_path_for(path);
  // Errors name the file being written, not the temporary the user never sees.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("cannot create a temporary file beside it", path, errno);
  try {
    write_fully(fd, content, path);
    if (::fsync(fd) != 0) throw_errno("fsync failed", path, errno);
  } catch (...) {
    ::close(fd);
    std::filesystem::remove(temp, ignored);
    throw;
  }
  if (::close(fd) != 0) {
    const int error = errno;
    std::filesystem::remove(temp, ignored);
    throw_errno("close failed", path, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::filesystem::remove(temp, ignored);
    throw_errno("cannot rename temporary file into place", path, error);
  }
  fsync_directory(directory);
}

}  // namespace tinyskip::engine
