// Whole-file writes that a crash cannot leave half done: the content goes to a
// temporary file in the same directory, is fsync'd, and is renamed over the
// target (rename is atomic within a file system), then the directory entry is
// fsync'd. A reader sees the old file or the new one, never a mix.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tinyskip::engine {

// Creates the parent directory if needed. Throws ResultsError naming `path`;
// no temporary file is left behind on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Makes an earlier write or rename in `directory` durable.
void fsync_directory(const std::filesystem::path& directory);

// Writes all of `content` to `fd` (retrying short writes and EINTR); throws
// ResultsError naming `path`, the file behind fd.
void write_fully(int fd, std::string_view content, const std::filesystem::path& path);

// True for names write_file_atomically uses for its temporaries, so callers
// listing a directory can skip leftovers of a killed process.
bool is_atomic_temp_name(const std::string& file_name);

}  // namespace tinyskip::engine
