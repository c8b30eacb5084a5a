// Board profiles: any bytes give a profile or a ProfileError. The input sits
// beside links to the shipped coefficient and timing files, so a profile that
// names them is read through to its core's tables.
#include "mcu_model/board_profile.h"
#include "mcu_model/errors.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

const tinyskip::fuzz::ScratchDir& scratch() {
  static const tinyskip::fuzz::ScratchDir dir = [] {
    tinyskip::fuzz::ScratchDir made;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(TINYSKIP_SOURCE_DIR) / "configs/mcu"))
      if (entry.path().filename().string().starts_with("cortex_m4"))
        std::filesystem::create_symlink(entry.path(), made.path() / entry.path().filename());
    return made;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path file = scratch().write("board.json", data, size);
  tinyskip::fuzz::expect_clear_error<tinyskip::mcu::ProfileError>(
      [&] { tinyskip::mcu::load_board_profile(file.string()); });
  return 0;
}
