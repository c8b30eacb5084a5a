// The summary files of a run: pareto.json (the front and how it was found)
// and winners/<budget>.json (the point chosen for one accuracy-loss budget,
// with everything the code generator needs). Formats: results/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/results/point_record.h"

namespace tinyskip::engine {

struct ParetoSummary {
  std::vector<std::string> objectives;        // e.g. {"error", "cycles"}
  PointRecord baseline;                       // the exact model (every threshold 0)
  std::vector<PointRecord> front;             // non-dominated points, in the search's order
  double hypervolume = 0;                     // NaN when unknown: written as null
  std::vector<double> hypervolume_reference;  // normalised reference point, per objective
  int64_t evaluations = 0;                    // distinct points evaluated
};

// The skip mask of one layer of a winner. `mask` is an opaque run-length
// string produced by the mask encoder; this layer only stores it.
struct LayerMaskRecord {
  int op_index = -1;
  std::string name;
  int64_t weights = 0;  // filter weights of the layer
  int64_t skipped = 0;  // of those, skipped
  bool pair_mode = true;
  std::string mask;
  bool unpacked = true;  // false: the point keeps the layer on its exact library kernel
};

// The point chosen for one budget of the run's score (engine/report/score.h):
// written under budget_key / budget_measure_key of the schema's score kind.
struct WinnerRecord {
  double budget = 0;          // e.g. percentage points of accuracy allowed to be lost
  double budget_measure = 0;  // what the budget bounds, for this point on the report split
  PointRecord point;
  std::vector<LayerMaskRecord> masks;  // one per RunSchema layer, same order
};

// Identity of the run a summary belongs to, written into every file.
struct RunIdentity {
  std::string experiment;
  std::string run_id;
  std::string primary_board;
  std::string model;       // absolute path
  std::string model_hash;  // FNV-1a 64 hex
};

nlohmann::ordered_json pareto_json(const ParetoSummary& summary, const RunSchema& schema, const RunIdentity& run);
// Throws std::invalid_argument when masks do not match the schema's layers.
nlohmann::ordered_json winner_json(const WinnerRecord& winner, const RunSchema& schema, const RunIdentity& run);
// "0.5" -> "0.5.json", 2 -> "2.json": the budget's shortest exact text.
std::string winner_file_name(double budget);

}  // namespace tinyskip::engine
