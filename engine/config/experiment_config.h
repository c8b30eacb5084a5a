// One experiment, as a JSON config file describes it (schema: configs/README.md).
// Loading is strict: unknown keys, wrong types, out-of-range values, missing
// required keys and missing files are ConfigErrors naming the file and the
// JSON path of the key. Every relative path is resolved against the config
// file's directory, so a config works from any working directory.
//
// Layer names ("conv2", "all_conv") stay strings here: turning them into op
// indices needs the model graph (engine/config/layer_names.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config/cmsis_nn_checkout.h"
#include "engine/config/config_error.h"
#include "engine/config/threshold_spec.h"
#include "engine/report/score.h"
#include "sim/data/data_source.h"
#include "sim/data/model_inputs.h"

namespace tinyskip::engine {

// A contiguous range [begin, end) of the samples of one source: CIFAR-10
// batch files (concatenated in the order given) or an .npy inputs/labels pair.
struct DataSplit {
  sim::DataSource source;  // paths absolute, all exist
  int64_t begin = 0;
  std::optional<int64_t> end;  // nullopt: through the last sample
};

// Calibration (significance statistics), search (scores design points) and
// report (held-out accuracy of the chosen points) are kept disjoint so that
// reported accuracies are not biased by selection.
struct DataSplits {
  DataSplit calibration;
  DataSplit search;
  DataSplit report;
};

struct ApproximateConfig {
  enum class Metric { kPaper, kMagnitude };

  // As written: "convN", "fcN", "dwconvN", "all_conv", "all_conv_but_first".
  std::vector<std::string> layers;
  Metric metric = Metric::kPaper;
  bool pair_mode = true;                           // skip whole SMLAD pairs only
  ThresholdSpec thresholds;                        // default for every layer
  std::map<std::string, ThresholdSpec> per_layer;  // overrides, keyed "convN"/"fcN"/"dwconvN"
  // Give every layer that can be unpacked a level 0 on its exact library
  // kernel (design_space.h), so the search chooses which layers to unpack.
  bool not_unpacked_level = false;

  const ThresholdSpec& thresholds_for(const std::string& layer_name) const;
};
const char* metric_name(ApproximateConfig::Metric metric);

// Stopping a point's evaluation once the images seen make it certain, at
// this confidence, that it cannot enter the front or meet max_accuracy_loss
// (engine/explore/early_stopping.h states the bound). Count scores only.
struct EarlyStoppingConfig {
  bool enabled = true;
  double confidence = 0.999;  // (0, 1]; 1: the worst-case bound, which never errs
  int block_images = 500;     // images between two checks
};

struct SearchConfig {
  // surrogate: per-layer sensitivities predict the front (surrogate_search.h);
  // random: uniform random search at the budget, the baseline a search must beat.
  enum class Algorithm { kAuto, kGrid, kNsga2, kRandom, kSurrogate };

  Algorithm algorithm = Algorithm::kAuto;  // auto: grid when grid_size <= max_grid_points
  int64_t max_grid_points = 5000;
  int64_t budget = 300;  // distinct points NSGA-II may evaluate
  int population = 24;
  uint64_t seed = 1;
  bool greedy_start = true;
  int batch = 8;  // points per evaluation batch
  EarlyStoppingConfig early_stopping;
};
const char* algorithm_name(SearchConfig::Algorithm algorithm);

// The winners' budgets live under the key of the score's unit:
// "accuracy_loss_budgets" (count scores; default 0, 0.5, 1, 2, 5 points),
// "mae_budgets" or "snr_db_budgets" (required: no default fits every model).
const char* winner_budgets_key(ScoreKind kind);

// Absent (nullopt) = no constraint.
struct Constraints {
  std::optional<double> max_accuracy_loss;  // percentage points vs exact, search split (count scores)
  std::optional<int64_t> flash_budget_bytes;
  std::optional<double> latency_budget_ms;
  // Points whose flash exceeds the primary board's flash size are infeasible.
  bool fit_board_flash = false;
};

// Where the flash objective/constraint comes from: the real cross-compiler
// (every approximated layer's unpacked kernel compiled at every threshold
// level, engine/explore/flash_table.h) or the cycle model's estimate.
struct FlashConfig {
  enum class Source { kMeasured, kEstimated };
  Source source = Source::kMeasured;
  std::filesystem::path toolchain;  // absolute; default <tinyskip>/configs/mcu/arm_none_eabi_gcc.json
  std::string opt_level = "-Os";    // one of the toolchain's optimisation_levels
  // Content-addressed compile cache, shared by runs and `tinyskip codegen`;
  // empty: <results_dir>/.flash_cache.
  std::filesystem::path cache_dir;

  std::filesystem::path cache_dir_or(const std::filesystem::path& results_dir) const {
    return cache_dir.empty() ? results_dir / ".flash_cache" : cache_dir;
  }
};
const char* flash_source_name(FlashConfig::Source source);

// Where the latency objective/constraint comes from: the compiled code timed
// by the Cortex-M4 timing engine (engine/explore/latency_table.h; built at
// flash.opt_level, so what is timed is what is flashed) or the analytic cost
// model (mcu_model/cycle_model.h). kAuto: measured when the cross-compiler
// runs on this machine, else the model; the run records which it was.
struct LatencyConfig {
  enum class Source { kAuto, kMeasured, kModel };
  Source source = Source::kAuto;
  // Content-addressed timing cache, shared by runs; empty: <results_dir>/.latency_cache.
  std::filesystem::path cache_dir;

  std::filesystem::path cache_dir_or(const std::filesystem::path& results_dir) const {
    return cache_dir.empty() ? results_dir / ".latency_cache" : cache_dir;
  }
};
const char* latency_source_name(LatencyConfig::Source source);  // "auto", "measured", "model"

struct BoardRef {
  std::string name;            // the file stem, e.g. "nucleo_f411re"
  std::filesystem::path file;  // absolute, exists
};

struct ExperimentConfig {
  std::string source;  // the config file as given (used in messages)
  std::string name;    // [A-Za-z0-9_.-]+, names results/<name>/
  std::filesystem::path model;
  std::optional<sim::PixelScale> pixel_scale;  // required for 8-bit pixel data (sim/data/model_inputs.h)
  std::filesystem::path data_dir;              // empty: none; then every split names its source
  DataSplits splits;
  ScoreKind score = ScoreKind::kTop1;  // how design points are scored (engine/report/score.h)
  ApproximateConfig approximate;
  SearchConfig search;
  std::vector<std::string> objectives = {"error", "cycles"};  // subset of error, cycles, flash
  Constraints constraints;
  FlashConfig flash;
  LatencyConfig latency;
  std::vector<BoardRef> boards;
  std::string primary_board;                               // one of boards[].name
  // In the score's budget unit (engine/report/score.h), strictest first:
  // accuracy loss in percentage points, MAE, or minimum SNR in dB.
  std::vector<double> winner_budgets = {0, 0.5, 1, 2, 5};
  int threads = 0;                                         // 0 = all hardware threads
  // Memory for activations shared between design points
  // (engine/explore/activation_cache.h); 0 turns sharing off. Like threads,
  // it changes how fast a run is, never what it finds.
  int64_t activation_cache_mb = 1024;
  // How a batch's new points are scored (engine/explore/batch_evaluation.h):
  // one after the other on every thread, or one per thread at once. Changes
  // speed only.
  enum class BatchEvaluation { kSerial, kThreads };
  BatchEvaluation batch_evaluation = BatchEvaluation::kSerial;
  std::filesystem::path results_dir;                       // absolute; runs go to results_dir/name/<run-id>/
  // The CMSIS-NN checkout `tinyskip codegen` puts exact layers on; nullopt:
  // none, exact layers use tinyskip's own runtime kernels.
  std::optional<CmsisNnCheckout> cmsis_nn;

  const BoardRef& primary() const;
};

// Reads and validates a config file. Throws ConfigError.
ExperimentConfig load_experiment_config(const std::filesystem::path& file);
// Same, from text; relative paths resolve against file's directory and
// messages name `file` (which need not exist).
ExperimentConfig parse_experiment_config(const std::string& text, const std::filesystem::path& file);

// The fully resolved config: absolute paths, every default filled in. Stored
// in run.json; loading it back as a config gives the same config.
nlohmann::json to_json(const ExperimentConfig& config);

// FNV-1a 64 (hex) of to_json(config) without "threads", "activation_cache_mb"
// and "batch_evaluation", which do not change
// results. Two runs with equal hashes explore the same experiment.
std::string config_hash(const ExperimentConfig& config);

// True for names usable as one path component: [A-Za-z0-9_.-]+, not "." or "..".
bool is_safe_name(const std::string& name);

}  // namespace tinyskip::engine
