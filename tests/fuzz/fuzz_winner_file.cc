// Winner files, the code generator's input: any bytes give a WinnerFile or a
// ConfigError; an accepted file's masks decode.
#include "engine/results/winner_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tinyskip::fuzz::ScratchDir scratch;
  const std::filesystem::path file = scratch.write("0.json", data, size);
  tinyskip::fuzz::expect_clear_error<tinyskip::engine::ConfigError>([&] {
    const tinyskip::engine::WinnerFile winner = tinyskip::engine::read_winner_file(file);
    (void)winner.masks();
  });
  return 0;
}
