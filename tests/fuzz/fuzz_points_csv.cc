// points.csv as resume reads it (parse_points_csv, what RunStore::load_points
// runs): any bytes give rows or a ResultsError naming the line. The schema is
// the results tests' sample_schema, as in the seed files.
#include "engine/results/run_store.h"
#include "tests/engine/sample_run.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tinyskip::engine::RunSchema schema = tinyskip::test::sample_schema();
  tinyskip::fuzz::expect_clear_error<tinyskip::engine::ResultsError>([&] {
    for (const tinyskip::engine::PointRecord& record :
         tinyskip::engine::parse_points_csv(tinyskip::fuzz::as_string(data, size), schema, "points.csv"))
      record.check(schema);  // what append() would require of a row read back
  });
  return 0;
}
