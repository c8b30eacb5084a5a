// The ELF loader that feeds the emulator and the flash measurement: any bytes
// give an image or an ElfError.
#include <vector>

#include "mcu_model/elf32_image.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> file(data, data + size);
  tinyskip::fuzz::expect_clear_error<tinyskip::mcu::ElfError>(
      [&] { tinyskip::mcu::parse_elf32_arm(file, "fuzz.elf"); });
  return 0;
}
