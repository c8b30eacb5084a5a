// The .npy reader used for user data sets: any bytes give an array or a DataError.
#include "sim/data/npy.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinyskip::fuzz::expect_clear_error<tinyskip::sim::DataError>([&] {
    const tinyskip::sim::NpyArray array = tinyskip::sim::parse_npy(tinyskip::fuzz::as_string(data, size), "fuzz.npy");
    // Touch every element through the accessors the data sets use.
    for (int64_t i = 0; i < array.elements(); ++i)
      if (array.is_integer())
        (void)array.integer(i);
      else
        (void)array.float32(i);
  });
  return 0;
}
