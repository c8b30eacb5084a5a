// A small run's schema and records whose values follow from their index,
// shared by the results tests and the fuzz seeds (no test framework here).
#pragma once

#include "engine/results/point_record.h"
#include "engine/search/design_space.h"

namespace tinyskip::test {

// Two approximated layers (conv2, conv3) and two boards, top-1 scored.
inline engine::RunSchema sample_schema() {
  engine::RunSchema schema;
  schema.layers = {{"conv2", 3, 100000}, {"conv3", 5, 200000}};
  schema.boards = {"nucleo_f401re", "nucleo_f411re"};
  schema.network_macs = 400000;
  return schema;
}

// Point i of sample_schema: levels (i % 4, i / 4), thresholds level * 0.001,
// skipped MACs growing with the level, accuracy falling with it, cycles and
// flash shrinking; the report split only for even i.
inline engine::PointRecord sample_record(int i) {
  engine::PointRecord record;
  const int a = i % 4, b = i / 4;
  record.key = engine::point_key({a, b});
  record.thresholds = {a * 0.001, b * 0.001};
  record.skipped_macs = {a * 9000, b * 21000};
  record.macs_kept = 400000 - a * 9000 - b * 21000;
  record.search = engine::Score::count(engine::ScoreKind::kTop1, 900 - 13 * a - 29 * b, 1000);
  if (i % 2 == 0) record.report = engine::Score::count(engine::ScoreKind::kTop1, 880 - 11 * a - 31 * b, 1000);
  const double cycles = 1.0e6 - a * 40000.0 - b * 90000.0;
  record.boards = {{cycles * 1.1, cycles * 1.1 / 84e3, 60000 - a * 300 - b * 700},
                   {cycles, cycles / 100e3, 60000 - a * 300 - b * 700}};
  record.latency_source = i % 3 == 0 ? engine::kLatencyFromProgram : engine::kLatencyFromTable;
  return record;
}

}  // namespace tinyskip::test
