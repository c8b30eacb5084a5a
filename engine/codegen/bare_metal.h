// The minimal bare-metal Cortex-M4 project generated beside a model's C code
// (files under "cortex_m4/"): a check program that runs one inference on each
// of N embedded test images, compares every output byte for byte with the
// simulator's and times the first with the DWT cycle counter; start-up code;
// a linker script for the part's flash and RAM; a Makefile for
// arm-none-eabi-gcc. Flashed to a board it proves the generated model
// computes what tinyskip scored; in CI it proves the model links and fits.
//
// Images are embedded compactly: every distinct input value once (a palette
// of bit patterns) and each image as one byte per value indexing it, exact
// for float and int8 alike and a quarter of the flash of raw float images.
// Inputs derived from 8-bit pixels never have more than 256 distinct values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/codegen/generated_file.h"
#include "engine/config/cmsis_nn_checkout.h"

namespace tinyskip::engine {

struct BareMetalSpec {
  std::string model_name;                      // C identifier: model_<name>.h, model_<name>_invoke
  std::string input_c_type, output_c_type;     // "int8_t" or "float"
  int image_count = 1;                         // images checked, back to back in the two byte vectors
  std::vector<uint8_t> input_bytes;            // the model input tensors' bytes (little-endian), image after image
  std::vector<uint8_t> expected_output_bytes;  // what the simulator computed for them, image after image
  std::string board_name;                      // e.g. "nucleo_f401re", for comments and file names
  int64_t flash_bytes = 512 * 1024, ram_bytes = 96 * 1024;  // memory of the part
  int64_t stack_bytes = 8 * 1024;              // reserved at the top of RAM (a link error if RAM is short)
  // The model calls CMSIS-NN: the Makefile compiles this checkout into a
  // library the ELF links against.
  std::optional<CmsisNnCheckout> cmsis_nn;
};

// "cortex_m4/main.c", "cortex_m4/startup_cortex_m4.c",
// "cortex_m4/<board_name>.ld" and "cortex_m4/Makefile", all with op_index -1.
// The Makefile (`make -C cortex_m4` in the output directory) builds every .c
// of the output directory, runtime/ and cortex_m4/ into
// cortex_m4/build/model_<name>_<board_name>.elf; with CMSIS-NN, every
// integer source of the checkout's Source/ into
// cortex_m4/build/cmsis-nn/libcmsis-nn.a first (the linker takes from it
// only the members the model calls). Templates are read from
// template_dir/cortex_m4 (template_dir is engine/codegen/templates in the
// source tree). Throws CodegenError for a spec that cannot make a valid
// project (naming the field) or a missing template.
GeneratedFiles generate_bare_metal_project(const BareMetalSpec& spec, const std::filesystem::path& template_dir);

// The linker script of the project for a part with this memory (the file
// generate_bare_metal_project writes for spec's board): `tinyskip measure`
// links the same objects with it for each board it times.
std::string generate_linker_script(const std::string& board_name, int64_t flash_bytes, int64_t ram_bytes,
                                   int64_t stack_bytes, const std::filesystem::path& template_dir);

}  // namespace tinyskip::engine
