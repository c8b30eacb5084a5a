// Writes the seed files that are not shipped with the product (winner files
// and points.csv) through the product's own writers, so the corpora start from
// files a real run produces: fuzz_write_seeds <corpus root>. scripts/fuzz.sh
// runs it before the targets.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/results/point_record.h"
#include "engine/results/result_files.h"
#include "engine/search/design_space.h"
#include "engine/significance/skip_masks.h"
#include "tests/engine/sample_run.h"

namespace {

namespace engine = tinyskip::engine;
namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// The schema and records of the results tests; fuzz_points_csv parses
// with the same schema.
engine::PointRecord record(int i) {
  engine::PointRecord record = tinyskip::test::sample_record(i);
  record.stopped_early = i == 7;
  return record;
}

engine::LayerMaskRecord mask(int op_index, const std::string& name, int weights, int every, bool unpacked) {
  tinyskip::sim::WeightMask weight_mask;
  weight_mask.skip.assign(static_cast<size_t>(weights), 0);
  for (int w = 0; w < weights; w += every) weight_mask.skip[static_cast<size_t>(w)] = 1;
  return {op_index, name, weights, weight_mask.skipped_count(), true, engine::encode_mask_rle(weight_mask), unpacked};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_write_seeds <corpus root>\n");
    return 2;
  }
  const fs::path root = argv[1];
  const engine::RunSchema run_schema = tinyskip::test::sample_schema();

  std::string csv = engine::csv_header(run_schema) + "\n";
  for (int i = 0; i < 12; ++i) csv += engine::csv_row(record(i), run_schema) + "\n";
  write(root / "points_csv/seed_rows.csv", csv);
  // A crash's partial last row, and a key written twice (the report re-score).
  write(root / "points_csv/seed_partial_row.csv", csv + engine::csv_row(record(0), run_schema) + "\n" +
                                                      engine::csv_row(record(5), run_schema).substr(0, 17));

  const engine::RunIdentity identity{"lenet_cifar10", "seed-run", "nucleo_f411re", "/models/lenet.tflite",
                                     "af63dc4c8601ec8c"};
  for (int i : {0, 5}) {
    engine::WinnerRecord winner;
    winner.budget = i == 0 ? 0 : 0.5;
    winner.budget_measure = i == 0 ? 0 : 0.31;
    winner.point = record(i);
    winner.masks = {mask(3, "conv2", 2400, 7, true), mask(5, "conv3", 4800, 3, i == 0)};
    write(root / ("winner_file/seed_" + std::to_string(i) + ".json"),
          engine::winner_json(winner, run_schema, identity).dump(2) + "\n");
  }
  return 0;
}
