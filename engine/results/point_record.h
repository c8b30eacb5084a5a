// One evaluated design point with every metric a run records, and its two
// serialised forms: a points.csv row (append-only log, format in
// results/README.md) and a JSON object (pareto.json, winners/*.json).
//
// Numbers are written so that the same values always give the same bytes and
// read back exactly: doubles that are measured or chosen (thresholds, cycles,
// ms) in their shortest round-trip form, derived percentages with 4 fixed
// decimals, counts as integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/report/score.h"

namespace tinyskip::engine {

// An approximated layer as the results files describe it.
struct LayerInfo {
  std::string name;   // "conv2"
  int op_index = -1;  // index into sim::Graph::ops
  int64_t macs = 0;   // nominal MACs of the layer per image (sim::macs_of)
};

// The shape of every record of a run: which layers and boards the per-layer
// and per-board columns refer to, in order.
struct RunSchema {
  std::vector<LayerInfo> layers;    // design-point order
  std::vector<std::string> boards;  // config order
  int64_t network_macs = 0;         // nominal MACs of the whole network per image
  ScoreKind score = ScoreKind::kTop1;  // what the split columns hold

  // Throws std::invalid_argument if a name is not a safe CSV header token
  // (engine::is_safe_name) or repeats.
  void validate() const;
};

// Cost of one design point on one board (whole network, one inference).
struct BoardCost {
  double cycles = 0;
  double ms = 0;
  int64_t flash_bytes = 0;
};

// The splits a point may be scored on. search is always filled for an
// evaluated point; report and test_all only for points that needed them
// (front points, winners).
enum class Split { kSearch, kReport, kTestAll };
inline constexpr Split kAllSplits[] = {Split::kSearch, Split::kReport, Split::kTestAll};
const char* split_name(Split split);  // "search", "report", "test_all"

// Where a record's cycles come from (its points.csv column latency_source):
// the analytic cost model, the measured latency table's sum, or the point's
// own whole program timed under the timing engine (the winners).
inline constexpr const char* kLatencyFromModel = "model";
inline constexpr const char* kLatencyFromTable = "table";
inline constexpr const char* kLatencyFromProgram = "program";

struct PointRecord {
  std::string key;                    // engine::point_key of the design point
  std::vector<double> thresholds;     // per layer (RunSchema::layers order)
  std::vector<int64_t> skipped_macs;  // per layer, per image
  int64_t macs_kept = 0;              // whole network, per image
  std::optional<Score> search, report, test_all;  // of the schema's score kind
  std::vector<BoardCost> boards;  // per board (RunSchema::boards order)
  std::string latency_source = kLatencyFromModel;  // one of the kLatencyFrom* names
  // Early stopping ended the search-split evaluation after search->samples
  // images (engine/explore/early_stopping.h): the point cannot be on the front.
  bool stopped_early = false;

  const std::optional<Score>& score(Split split) const;
  std::optional<Score>& score(Split split);
  // Throws std::invalid_argument naming the problem when the record does not
  // fit the schema (vector sizes, empty or unsafe key, non-finite numbers).
  void check(const RunSchema& schema) const;
};

// points.csv header line (without newline) and rows.
std::string csv_header(const RunSchema& schema);
std::string csv_row(const PointRecord& record, const RunSchema& schema);  // without newline
// Parses one complete row; throws std::invalid_argument describing the field.
PointRecord parse_csv_row(const std::string& line, const RunSchema& schema);

// The split scores go under "accuracy" (count scores) or "score" (fidelity).
nlohmann::ordered_json to_json(const PointRecord& record, const RunSchema& schema);
// Count scores: percent, correct, total, ci_low, ci_high (percent); fidelity
// scores: mae or snr_db, samples, ci_low, ci_high.
nlohmann::ordered_json to_json(const Score& score);

// Shortest text that reads back as exactly `value`, in plain decimal form for
// magnitudes from 1e-9 to 1e17 ("0.003", "0.00001", "100000"), else the
// shortest form of any kind ("1e-12").
std::string exact_number(double value);
// `value` with `decimals` fixed decimals ("71.2300").
std::string fixed_number(double value, int decimals);
// `value` rounded to `decimals` decimals, as a double (for JSON output).
double round_decimals(double value, int decimals);

}  // namespace tinyskip::engine
