// Compiling and running generated C in tests: the host C compiler ($CC, else
// cc) builds a generated model plus a driver; commands run through the shell
// with their output captured for failure messages.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "engine/codegen/generated_file.h"
#include "engine/codegen/model_source.h"
#include "engine/config/cmsis_nn_checkout.h"
#include "sim/data/cifar10.h"
#include "sim/data/model_inputs.h"
#include "sim/simulator.h"
#include "tests/engine/cli_test_support.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

namespace tinyskip::test {

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
// with `compile_command` + " -c <src> -o <obj>", the objects named
// <stem>_<index>.o; REQUIREs success, showing the compiler's output otherwise.
inline std::vector<std::filesystem::path> compile_objects(const std::vector<std::filesystem::path>& sources,
                                                          const std::string& compile_command,
                                                          const std::filesystem::path& stem) {
  std::vector<std::filesystem::path> objects;
  std::vector<std::string> commands;
  for (size_t i = 0; i < sources.size(); ++i) {
    objects.push_back(stem.parent_path() / (stem.filename().string() + "_" + std::to_string(i) + ".o"));
    std::string command = compile_command;
    command += " -c ";
    command += quoted(sources[i]);
    command += " -o ";
    command += quoted(objects.back());
    commands.push_back(command);
  }
  // Two workers take the next command until none is left.
  std::vector<CommandResult> results(commands.size());
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
  return objects;
}

inline std::string quoted_list(const std::vector<std::filesystem::path>& paths) {
  std::string words;
  for (const auto& path : paths) {
    words += ' ';
    words += quoted(path);
  }
  return words;
}

// compile_objects, then links them with `link_command` + " <objs> -o
// <program>" + link_libraries. REQUIREs success.
inline void build_program(const std::vector<std::filesystem::path>& sources, const std::string& compile_command,
                          const std::string& link_command, const std::filesystem::path& program,
                          const std::string& link_libraries = "") {
  const std::vector<std::filesystem::path> objects = compile_objects(sources, compile_command, program);
  std::string link = link_command;
  link += quoted_list(objects);
  link += " -o ";
  link += quoted(program);
  link += link_libraries;
  const CommandResult linked = run_shell(link);
  INFO(link << "\n" << linked.output);
  REQUIRE(linked.exit_code == 0);
}

// The first `count` images of a CIFAR-10 file, encoded for the model.
inline sim::ModelInputs first_images(const sim::Graph& graph, const std::string& file, int count,
                                     const std::string& pixel_scale) {
  const sim::TensorSet all = sim::read_cifar10_file(file);
  REQUIRE(all.size() >= count);
  return sim::ModelInputs(graph, sim::slice(all, 0, count), sim::PixelScale::parse(pixel_scale));
}

// A library the generated code calls, built for the host: its headers and
// the archive to link.
struct HostLibrary {
  std::vector<std::filesystem::path> include_dirs;
  std::filesystem::path archive;
};

// CMSIS-NN's plain-C path built for the host from the pinned checkout, once
// per test process (its own flags: third-party code is not held to
// -pedantic -Werror), so that generated calls into CMSIS-NN run on the host.
inline const HostLibrary& host_cmsis_nn() {
  static const HostLibrary library = [] {
    static TempDir build;
    const std::filesystem::path root = shared_path("third_party/CMSIS-NN");
    std::vector<std::filesystem::path> sources;
    for (const std::filesystem::path& source : engine::cmsis_nn_library_sources(root))
      sources.push_back(root / "Source" / source);
    const std::string cc = host_c_compiler();
    std::string flags = " -std=c99 -O1 -I";
    flags += quoted(root / "Include");
    const std::filesystem::path archive = build.path() / "libcmsis-nn.a";
    const CommandResult archived = run_shell("ar rcs " + quoted(archive) +
                                             quoted_list(compile_objects(sources, cc + flags, build.path() / "cmsis-nn")));
    INFO(archived.output);
    REQUIRE(archived.exit_code == 0);
    return HostLibrary{{root / "Include"}, archive};
  }();
  return library;
}

// Compiles the generated model in `dir` (model_<name>.c, its op files and
// runtime/) with the host C compiler and a driver that feeds it every image,
// encoded as the simulator encodes it; returns the output tensors back to back.
// With `int8_inputs` (the quantised input tensors, back to back), the driver
// calls model_<name>_invoke_s8 on them instead. `library`: a library the
// generated code calls (host_cmsis_nn()).
inline std::string run_generated_model_on_host(const std::filesystem::path& dir, const sim::Graph& graph,
                                               const std::string& name, const sim::ModelInputs& images,
                                               const std::vector<int8_t>* int8_inputs = nullptr,
                                               const HostLibrary* library = nullptr) {
  std::string upper = "MODEL_" + name;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  write_text(dir / "host_driver" / "driver.c",
             fmt::format("#include <stdio.h>\n#include <stdlib.h>\n#include \"model_{0}.h\"\n"
                         "static {1} input[{3}_INPUT_SIZE];\nstatic {2} output[{3}_OUTPUT_SIZE];\n"
                         "#define INVOKE model_{0}_{4}\n"
                         "int main(int argc, char **argv) {{\n"
                         "  FILE *in, *out;\n  int i, images;\n"
                         "  if (argc != 4) return 2;\n"
                         "  in = fopen(argv[1], \"rb\");\n  out = fopen(argv[2], \"wb\");\n  if (!in || !out) return 3;\n"
                         "  images = atoi(argv[3]);\n"
                         "  for (i = 0; i < images; ++i) {{\n"
                         "    if (fread(input, {5}, 1, in) != 1) return 4;\n"
                         "    if (INVOKE(({1} *)input, output) != 0) return 5;\n"
                         "    if (fwrite(output, sizeof output, 1, out) != 1) return 6;\n"
                         "  }}\n"
                         "  fclose(in);\n  return fclose(out) == 0 ? 0 : 7;\n}}\n",
                         name, int8_inputs ? "int8_t" : engine::c_type_of(graph, graph.input),
                         engine::c_type_of(graph, graph.output), upper, int8_inputs ? "invoke_s8" : "invoke",
                         int8_inputs ? std::to_string(int8_inputs->size() / static_cast<size_t>(images.size()))
                                     : "sizeof input"));
  const std::string cc = host_c_compiler();
  std::string flags = " -std=c99 -O1 -Wall -Wextra -pedantic -Werror -I";
  flags += quoted(dir);
  flags += " -I";
  flags += quoted(dir / "runtime");
  std::string libraries = " -lm";
  if (library != nullptr) {
    for (const auto& include : library->include_dirs) {
      flags += " -isystem ";  // its headers are not ours to hold to -pedantic either
      flags += quoted(include);
    }
    libraries = " " + quoted(library->archive) + libraries;
  }
  const std::filesystem::path program = dir / "host_driver" / "model";
  build_program(c_sources({dir, dir / "runtime", dir / "host_driver"}), cc + flags, cc, program, libraries);

  const std::vector<uint8_t> encoded = images.encoded(0, images.size());
  std::string inputs(encoded.begin(), encoded.end());
  if (int8_inputs) inputs.assign(int8_inputs->begin(), int8_inputs->end());
  write_text(dir / "host_driver" / "inputs.bin", inputs);
  std::string command = quoted(program);
  for (const char* file : {"inputs.bin", "outputs.bin"}) {
    command += ' ';
    command += quoted(dir / "host_driver" / file);
  }
  command += ' ';
  command += std::to_string(images.size());
  const CommandResult ran = run_shell(command);
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  return read_text(dir / "host_driver" / "outputs.bin");
}

// Byte-for-byte equality of generated outputs and the simulator's, reporting
// the first differing byte and its image.
inline void check_same_outputs(const std::string& generated, const sim::RunOutput& simulated) {
  const std::string expected(simulated.outputs.begin(), simulated.outputs.end());
  REQUIRE(generated.size() == expected.size());
  size_t first_difference = 0;
  while (first_difference < expected.size() && generated[first_difference] == expected[first_difference])
    ++first_difference;
  INFO("first differing byte " << first_difference << " (image "
                               << first_difference / static_cast<size_t>(simulated.bytes_per_image) << ")");
  CHECK(first_difference == expected.size());
}

}  // namespace tinyskip::test
