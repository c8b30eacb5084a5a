// The directory of one exploration run, <results_dir>/<name>/<run-id>/:
//   run.json          resolved config, input hashes, tool version, seed, host,
//                     threads, status and timings (rewritten atomically)
//   points.csv        one row per evaluated design point, appended and
//                     fsync'd as each point finishes
//   pareto.json       the front, hypervolume, evaluations, wall time, baseline
//   winners/<b>.json  the chosen point for accuracy-loss budget b
// Formats: results/README.md. Everything except points.csv is written whole
// via temp + rename, so a crash leaves either the old or the new file.
//
// Resume: reopening a run checks that the config, the model and the data
// files are unchanged (FNV-1a hashes in run.json), drops a trailing partial
// points.csv row left by a crash, and load_points() returns the rows already
// done so they are not evaluated again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config/experiment_config.h"
#include "engine/search/design_space.h"
#include "engine/results/point_record.h"
#include "engine/results/result_files.h"
#include "engine/results/results_error.h"
#include "sim/graph.h"

namespace tinyskip::engine {

struct RunStoreOptions {
  // Empty: a new run is named "<YYYYmmdd-HHMMSS>-seed<seed>" (local time);
  // with resume, the most recently updated run of the experiment is reopened.
  std::string run_id;
  bool resume = false;  // reopen an existing run instead of creating one
  int threads = 0;      // worker threads actually used, recorded in run.json
};

// Layers of `space` (with their nominal MACs in `graph`) and the config's boards.
RunSchema make_run_schema(const ExperimentConfig& config, const DesignSpace& space, const sim::Graph& graph);

// The rows of a points.csv file's `content` (RunStore::load_points): the header
// must be this schema's, a trailing line without '\n' is ignored and the last
// row of a key wins. ResultsError naming `file` and the line otherwise.
std::vector<PointRecord> parse_points_csv(const std::string& content, const RunSchema& schema,
                                          const std::filesystem::path& file);

// "<YYYYmmdd-HHMMSS>-seed<seed>" for the current local time.
std::string default_run_id(uint64_t seed);

class RunStore {
 public:
  // Creates (or with options.resume, reopens) the run directory and writes
  // run.json with status "running". Throws ResultsError when a new run's
  // directory exists, a resumed one does not, or a resumed run was made with a
  // different config, model, data or schema, or the run id is not a safe name.
  static RunStore open(const ExperimentConfig& config, const RunSchema& schema, const RunStoreOptions& options);

  RunStore(RunStore&&) noexcept;
  RunStore& operator=(RunStore&&) noexcept;
  ~RunStore();

  const std::filesystem::path& dir() const;
  const std::string& run_id() const;
  const RunSchema& schema() const;
  bool resumed() const;
  // On resume: whether a trailing partial points.csv row was dropped.
  bool dropped_partial_row() const;

  // Appends one row to points.csv and fsyncs it. Thread-safe. Throws
  // std::invalid_argument if the record does not fit the schema.
  void append(const PointRecord& record);
  // Every complete row of points.csv; when a key appears more than once the
  // last row wins (e.g. a front point re-appended with its report split),
  // kept at the position of its first appearance. Throws ResultsError naming
  // the line of a malformed row.
  std::vector<PointRecord> load_points() const;

  void write_pareto(const ParetoSummary& summary) const;
  // Writes winners/<budget>.json; returns its path.
  std::filesystem::path write_winner(const WinnerRecord& winner) const;

  // Extra information for run.json (e.g. the algorithm "auto" chose); kept
  // in memory until the next write_run_json() or finish().
  void set_run_field(const std::string& key, nlohmann::ordered_json value);
  // Seconds spent in a named phase ("significance", "search", ...).
  void record_timing(const std::string& phase, double seconds);
  void write_run_json();
  // Status "finished", finish time and wall seconds of this session; rewrites run.json.
  void finish();

 private:
  struct State;
  explicit RunStore(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tinyskip::engine
