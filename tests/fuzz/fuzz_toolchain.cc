// Toolchain files: any bytes give a Toolchain or a ProfileError (loading
// names the executables; it never runs them).
#include "mcu_model/cross_compiler.h"
#include "mcu_model/errors.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tinyskip::fuzz::ScratchDir scratch;
  const std::filesystem::path file = scratch.write("toolchain.json", data, size);
  tinyskip::fuzz::expect_clear_error<tinyskip::mcu::ProfileError>([&] { tinyskip::mcu::load_toolchain(file); });
  return 0;
}
