// Compiling and running generated C in tests: the host C compiler ($CC, else
// cc) builds a generated model plus a driver; commands run through the shell
// with their output captured for failure messages.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/codegen/generated_file.h"
#include "tests/test_files.h"

namespace tinyskip::test {

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline ShellResult run_shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string host_c_compiler() {
  const char* cc = std::getenv("CC");
  return cc != nullptr ? cc : "cc";
}

// A path as one single-quoted shell word (built with += : GCC 12 reports a
// false -Wrestrict on "literal" + std::string temporaries).
inline std::string quoted(const std::filesystem::path& path) {
  std::string word = "'";
  word += path.string();
  word += '\'';
  return word;
}

inline void write_generated(const engine::GeneratedFiles& files, const std::filesystem::path& dir) {
  for (const engine::GeneratedFile& file : files) write_text(dir / file.relative_path, file.content);
}

// Every .c file directly in `dirs`, sorted (deterministic compile order).
inline std::vector<std::filesystem::path> c_sources(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::filesystem::path> sources;
  for (const auto& dir : dirs)
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".c") sources.push_back(entry.path());
  std::sort(sources.begin(), sources.end());
  return sources;
}

// Compiles `sources` to objects two at a time (the machines have 2 cores)
// with `compile_command` + " -c <src> -o <obj>", then links them with
// `link_command` + " <objs> -o <program>" + link_libraries. REQUIREs success, showing the
// compiler's output otherwise.
inline void build_program(const std::vector<std::filesystem::path>& sources, const std::string& compile_command,
                          const std::string& link_command, const std::filesystem::path& program,
                          const std::string& link_libraries = "") {
  std::vector<std::filesystem::path> objects;
  std::vector<std::string> commands;
  for (size_t i = 0; i < sources.size(); ++i) {
    objects.push_back(program.parent_path() / (program.filename().string() + "_" + std::to_string(i) + ".o"));
    std::string command = compile_command;
    command += " -c ";
    command += quoted(sources[i]);
    command += " -o ";
    command += quoted(objects.back());
    commands.push_back(command);
  }
  // Two workers take the next command until none is left.
  std::vector<ShellResult> results(commands.size());
  std::atomic<size_t> next{0};
  const auto worker = [&] {
    for (size_t i = next++; i < commands.size(); i = next++) results[i] = run_shell(commands[i]);
  };
  std::future<void> second = std::async(std::launch::async, worker);
  worker();
  second.get();
  for (size_t i = 0; i < commands.size(); ++i) {
    INFO(commands[i] << "\n" << results[i].output);
    REQUIRE(results[i].exit_code == 0);
  }
  std::string objects_text;
  for (const auto& object : objects) {
    objects_text += ' ';
    objects_text += quoted(object);
  }
  std::string link = link_command;
  link += objects_text;
  link += " -o ";
  link += quoted(program);
  link += link_libraries;
  const ShellResult linked = run_shell(link);
  INFO(link << "\n" << linked.output);
  REQUIRE(linked.exit_code == 0);
}

}  // namespace tinyskip::test
