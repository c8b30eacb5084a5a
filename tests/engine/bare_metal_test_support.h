// Shared by the bare-metal project tests: stub models that stand in for the
// generated network (output[i] = input[i % 8] + 1), specs for them, and
// writing and building a generated project with its own Makefile.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/codegen/bare_metal.h"
#include "mcu_model/subprocess.h"
#include "tests/test_files.h"

namespace tinyskip::test {

inline const std::filesystem::path kCodeTemplates = TINYSKIP_SOURCE_DIR "/engine/codegen/templates";
inline const std::filesystem::path kRuntimeSources = TINYSKIP_SOURCE_DIR "/engine/runtime";
inline constexpr int64_t kFlashOrigin = 0x08000000;
inline constexpr int64_t kRamOrigin = 0x20000000;

inline std::string int8_stub_header() {
  return "#ifndef MODEL_STUB_H\n#define MODEL_STUB_H\n#include <stdint.h>\n"
         "#define MODEL_STUB_INPUT_SIZE 8\n#define MODEL_STUB_OUTPUT_SIZE 12\n"
         "int model_stub_invoke(const int8_t *input, int8_t *output);\n#endif\n";
}

// int8 stub: output[i] = input[i % 8] + 1 for 12 outputs, returning
// `status`. `extra` is pasted before the function (the size tests add a big
// array there) and `body_extra` into it.
inline std::string int8_stub_source(const std::string& extra = "", const std::string& body_extra = "",
                                    int status = 0) {
  return "#include \"model_stub.h\"\n" + extra +
         "int model_stub_invoke(const int8_t *input, int8_t *output) {\n"
         "  int i;\n"
         "  for (i = 0; i < MODEL_STUB_OUTPUT_SIZE; ++i) output[i] = (int8_t)(input[i % MODEL_STUB_INPUT_SIZE] + 1);\n" +
         body_extra + "  return " + std::to_string(status) + ";\n}\n";
}

inline std::map<std::string, std::string> int8_stub(int status = 0) {
  return {{"model_stub.h", int8_stub_header()}, {"model_stub.c", int8_stub_source("", "", status)}};
}

inline std::vector<uint8_t> int8_stub_input() { return {0xFD, 0x00, 0x05, 0x7E, 0x80, 0x11, 0xF0, 0x2A}; }

// What the stub computes, derived here independently of the C code.
inline std::vector<uint8_t> int8_stub_expected(const std::vector<uint8_t>& input) {
  std::vector<uint8_t> out(12);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int8_t>(input[i % input.size()]) + 1));
  return out;
}

inline engine::BareMetalSpec int8_stub_spec() {
  engine::BareMetalSpec spec;
  spec.model_name = "stub";
  spec.input_c_type = spec.output_c_type = "int8_t";
  spec.input_bytes = int8_stub_input();
  spec.expected_output_bytes = int8_stub_expected(spec.input_bytes);
  spec.board_name = "nucleo_f401re";
  return spec;
}

// float stub "fstub": output[i] = input[i] * 2 for 3 values.
inline std::map<std::string, std::string> float_stub() {
  return {{"model_fstub.h",
           "#ifndef MODEL_FSTUB_H\n#define MODEL_FSTUB_H\n#include <stdint.h>\n"
           "#define MODEL_FSTUB_INPUT_SIZE 3\n#define MODEL_FSTUB_OUTPUT_SIZE 3\n"
           "int model_fstub_invoke(const float *input, float *output);\n#endif\n"},
          {"model_fstub.c",
           "#include \"model_fstub.h\"\n"
           "int model_fstub_invoke(const float *input, float *output) {\n"
           "  int i;\n  for (i = 0; i < 3; ++i) output[i] = input[i] * 2.0f;\n  return 0;\n}\n"}};
}

inline std::vector<uint8_t> float_bytes(const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

inline const std::string& find_generated(const engine::GeneratedFiles& files, const std::string& path) {
  for (const engine::GeneratedFile& file : files)
    if (file.relative_path == path) return file.content;
  FAIL("no generated file " << path);
  throw std::logic_error("unreachable");
}

// Writes the generated project, the stub model and (optionally) the runtime
// kernels into dir, as the whole-network generator lays them out.
inline void write_project(const std::filesystem::path& dir, const engine::GeneratedFiles& files,
                          const std::map<std::string, std::string>& stub, bool with_runtime) {
  for (const engine::GeneratedFile& file : files) write_text(dir / file.relative_path, file.content);
  for (const auto& [name, text] : stub) write_text(dir / name, text);
  if (with_runtime) {
    std::filesystem::create_directories(dir / "runtime");
    for (const auto& entry : std::filesystem::directory_iterator(kRuntimeSources))
      std::filesystem::copy_file(entry.path(), dir / "runtime" / entry.path().filename());
  }
}

// `make -C <dir>/cortex_m4`: the generated Makefile, as a user runs it.
inline mcu::ProcessResult run_make(const std::filesystem::path& dir) {
  mcu::ProcessResult result = mcu::run_process({"make", "-C", (dir / "cortex_m4").string()});
  REQUIRE(result.started);
  return result;
}

// Generates, writes and builds the project; returns the ELF's path.
inline std::filesystem::path build_project(const std::filesystem::path& dir, const engine::BareMetalSpec& spec,
                                           const std::map<std::string, std::string>& stub) {
  write_project(dir, engine::generate_bare_metal_project(spec, kCodeTemplates), stub, false);
  const mcu::ProcessResult make = run_make(dir);
  INFO(make.out << make.err);
  REQUIRE(make.exit_code == 0);
  const std::filesystem::path elf =
      dir / "cortex_m4" / "build" / ("model_" + spec.model_name + "_" + spec.board_name + ".elf");
  REQUIRE(std::filesystem::exists(elf));
  return elf;
}

}  // namespace tinyskip::test
