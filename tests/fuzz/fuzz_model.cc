// .tflite import: the flatbuffers verifier, the IR conversion and
// validate_graph. Any bytes give a Graph or a ModelError.
#include <span>

#include "sim/tflite_import.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tinyskip::fuzz::expect_clear_error<tinyskip::sim::ModelError>(
      [&] { tinyskip::sim::parse_tflite(std::span<const uint8_t>(data, size), "fuzz.tflite"); });
  return 0;
}
