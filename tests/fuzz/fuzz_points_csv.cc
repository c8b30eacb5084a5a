// points.csv as resume reads it (parse_points_csv, what RunStore::load_points
// runs): any bytes give rows or a ResultsError naming the line. The schema is
// fixed (two layers, two boards, top-1), the shape of the seed files.
#include "engine/results/run_store.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tinyskip::engine::RunSchema schema = [] {
    tinyskip::engine::RunSchema made;
    made.layers = {{"conv2", 3, 100000}, {"conv3", 5, 200000}};
    made.boards = {"nucleo_f401re", "nucleo_f411re"};
    made.network_macs = 400000;
    return made;
  }();
  tinyskip::fuzz::expect_clear_error<tinyskip::engine::ResultsError>([&] {
    for (const tinyskip::engine::PointRecord& record :
         tinyskip::engine::parse_points_csv(tinyskip::fuzz::as_string(data, size), schema, "points.csv"))
      record.check(schema);  // what append() would require of a row read back
  });
  return 0;
}
