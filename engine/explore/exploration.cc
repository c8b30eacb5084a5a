#include "engine/explore/exploration.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <tbb/info.h>

#include "engine/explore/evaluator.h"
#include "engine/explore/experiment.h"
#include "engine/explore/flash_table.h"
#include "engine/explore/latency_table.h"
#include "engine/explore/network_timer.h"
#include "engine/explore/winner_selection.h"
#include "engine/results/results_error.h"
#include "mcu_model/cortex_m4_timing.h"
#include "mcu_model/cross_compiler.h"
#include "engine/report/progress.h"
#include "engine/search/grid_search.h"
#include "engine/search/nsga2_search.h"
#include "engine/search/pareto.h"
#include "engine/search/random_search.h"
#include "engine/search/surrogate_search.h"

namespace tinyskip::engine {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool use_grid(const Experiment& experiment) {
  const SearchConfig& search = experiment.config.search;
  switch (search.algorithm) {
    case SearchConfig::Algorithm::kGrid: return true;
    case SearchConfig::Algorithm::kNsga2:
    case SearchConfig::Algorithm::kRandom:
    case SearchConfig::Algorithm::kSurrogate: return false;
    case SearchConfig::Algorithm::kAuto: return experiment.space.grid_size() <= search.max_grid_points;
  }
  return false;
}

// The algorithm a run searches with: "auto" resolved to grid or, for a
// space too large to enumerate, the surrogate search (the best of the
// searches on every benchmark subspace, README "Search quality").
std::string search_algorithm(const Experiment& experiment) {
  if (use_grid(experiment)) return "grid";
  const SearchConfig::Algorithm algorithm = experiment.config.search.algorithm;
  return algorithm == SearchConfig::Algorithm::kAuto ? "surrogate" : algorithm_name(algorithm);
}

nlohmann::ordered_json exact_reference_json(const ExactReference& exact, const Experiment& experiment) {
  nlohmann::ordered_json json;
  json["search"] = to_json(exact.search);
  json["report"] = to_json(exact.report);
  json["test_all"] = exact.test_all ? to_json(*exact.test_all) : nlohmann::ordered_json(nullptr);
  json["score"] = score_name(experiment.config.score);
  for (size_t b = 0; b < exact.boards.size(); ++b)
    json["boards"][experiment.config.boards[b].name] = {{"cycles", exact.boards[b].cycles},
                                                         {"ms", exact.boards[b].ms},
                                                         {"flash_bytes", exact.boards[b].flash_bytes}};
  json["kernels"] = exact_kernels_name(experiment.config.cmsis_nn);
  json["note"] = "exact model, no unpacking, on the kernels named; cycles as the latency section says, flash as "
                 "the flash section says";
  return json;
}

// Every approximated layer's threshold levels (derived ones included), when
// the config gives them so the skip fractions they come from, and whether
// level 0 keeps the layer off the unpacked code.
nlohmann::ordered_json design_space_json(const DesignSpace& space) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const ApproximatedLayer& layer : space.layers) {
    json[layer.name] = {{"thresholds", layer.thresholds}};
    if (!layer.skip_fractions.empty()) json[layer.name]["skip_fractions"] = layer.skip_fractions;
    if (layer.not_unpacked_level) json[layer.name]["level_0"] = "not unpacked (exact library kernel)";
  }
  return json;
}

// What run.json records of the measured flash: the toolchain and the table.
nlohmann::ordered_json flash_table_json(const FlashTable& flash, const Experiment& experiment) {
  nlohmann::ordered_json json = {{"source", "measured"},
                                 {"toolchain", flash.toolchain_version()},
                                 {"opt_level", experiment.config.flash.opt_level},
                                 {"exact_bytes", flash.exact_bytes()},
                                 {"fixed_bytes", flash.fixed_bytes()},
                                 {"exact_kernels", exact_kernels_name(experiment.config.cmsis_nn)},
                                 {"exact_cmsis_nn_bytes", flash.exact_cmsis_nn_bytes()},
                                 {"fixed_cmsis_nn_bytes", flash.fixed_cmsis_nn_bytes()}};
  for (size_t l = 0; l < experiment.space.layers.size(); ++l) {
    nlohmann::ordered_json levels = nlohmann::ordered_json::array();
    for (size_t level = 0; level < experiment.space.layers[l].thresholds.size(); ++level)
      levels.push_back(flash.layer_bytes(static_cast<int>(l), static_cast<int>(level)));
    json["layer_bytes"][experiment.space.layers[l].name] = levels;
  }
  return json;
}

// What run.json records of the latency: its source and, when measured, the
// table (cycles per board: exact model, fixed part, every layer's levels).
nlohmann::ordered_json latency_json(const LatencyTable* table, const NetworkTimer* timer,
                                    const Experiment& experiment) {
  if (!table)
    return {{"source", "model"},
            {"model", experiment.boards.front().coefficients.name},
            {"note", "cycles from the analytic Cortex-M4 cost model (mcu_model/cycle_model.h)"}};
  nlohmann::ordered_json json = {{"source", "measured"},
                                 {"timing_engine", mcu::kTimingEngineVersion},
                                 {"toolchain", timer->toolchain_version()},
                                 {"opt_level", timer->opt_level()},
                                 {"exact_kernels", exact_kernels_name(experiment.config.cmsis_nn)},
                                 {"reference_input", "calibration image 0"},
                                 {"programs_timed", timer->stats().timed},
                                 {"programs_cached", timer->stats().cached}};
  for (size_t b = 0; b < experiment.boards.size(); ++b) {
    const int board = static_cast<int>(b);
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (size_t l = 0; l < experiment.space.layers.size(); ++l) {
      nlohmann::ordered_json levels = nlohmann::ordered_json::array();
      for (size_t level = 0; level < experiment.space.layers[l].thresholds.size(); ++level)
        levels.push_back(table->layer_cycles(board, static_cast<int>(l), static_cast<int>(level)));
      layers[experiment.space.layers[l].name] = levels;
    }
    json["boards"][experiment.boards[b].name] = {{"exact_cycles", table->exact_cycles(board)},
                                                 {"fixed_cycles", table->fixed_cycles(board)},
                                                 {"fixed_spread_cycles", table->fixed_spread(board)},
                                                 {"layer_cycles", layers}};
  }
  return json;
}

// The latency source this run uses: the config's, with "auto" resolved to
// measured when the cross-compiler runs here.
bool use_measured_latency(const ExperimentConfig& config) {
  switch (config.latency.source) {
    case LatencyConfig::Source::kMeasured: return true;
    case LatencyConfig::Source::kModel: return false;
    case LatencyConfig::Source::kAuto: break;
  }
  try {
    mcu::toolchain_version(mcu::load_toolchain(config.flash.toolchain));
    return true;
  } catch (const mcu::ToolchainError& error) {
    spdlog::info("latency: the cost model (\"latency\": \"auto\" and no cross-compiler here: {})", error.what());
    return false;
  }
}

// How to do without the cross-compiler, added to a ToolchainError.
constexpr const char* kFlashHint =
    "(or set \"flash\": {\"source\": \"estimated\"} in the config to use the cost model's flash estimate instead "
    "of compiling)";
constexpr const char* kLatencyHint =
    "(or set \"latency\": {\"source\": \"model\"} in the config to use the cost model's cycles instead of timing "
    "the compiled code)";

template <class Step>
auto with_toolchain_hint(const char* hint, Step&& step) {
  try {
    return step();
  } catch (const mcu::ToolchainError& error) {
    throw mcu::ToolchainError(std::string(error.what()) + "\n" + hint);
  }
}

// What the flash table and the timer need of the toolchain, checked without
// compiling anything.
void probe_toolchain(const ExperimentConfig& config) {
  const mcu::Toolchain toolchain = mcu::load_toolchain(config.flash.toolchain);
  mcu::check_optimisation_level(toolchain, config.flash.opt_level);
  mcu::toolchain_version(toolchain);
}

// The hypervolume's reference point. On the error axis, in the score's unit:
// 10 accuracy points, or the loosest winner budget (the largest MAE; the
// lowest SNR, as dB below the exact model's kMaxSnrDb). On the flash axis the
// baseline's flash, unless layers may stay on the library: the baseline (all
// of them there) is then the design with the least flash, and a reference at
// its flash would leave no volume to any other point, so the primary board's
// flash bounds the box instead (what does not fit is of no use).
HypervolumeReference hypervolume_reference_for(const Experiment& experiment, const ExactReference& exact) {
  const ExperimentConfig& config = experiment.config;
  HypervolumeReference reference;
  const bool may_stay_on_library =
      std::any_of(experiment.space.layers.begin(), experiment.space.layers.end(),
                  [](const ApproximatedLayer& layer) { return layer.not_unpacked_level; });
  const double baseline_flash = static_cast<double>(exact.boards.at(static_cast<size_t>(experiment.primary_board)).flash_bytes);
  const double board_flash = static_cast<double>(experiment.boards.at(static_cast<size_t>(experiment.primary_board)).flash_bytes);
  if (may_stay_on_library && baseline_flash > 0)
    reference.flash_fraction = std::max(1.0, board_flash / baseline_flash);
  if (is_count_score(config.score)) return reference;
  reference.error_scale = 1.0;
  const double loosest = config.winner_budgets.back();
  reference.error_points = config.score == ScoreKind::kOutputMae ? loosest : kMaxSnrDb - loosest;
  return reference;
}

SearchResult run_search(const Experiment& experiment, Evaluator& evaluator, const HypervolumeReference& reference,
                        std::atomic<bool>* stop) {
  const SearchConfig& config = experiment.config.search;
  SearchOptions options;
  options.seed = config.seed;
  options.population = config.population;
  options.batch = config.batch;
  options.objectives = experiment.config.objectives;
  options.greedy_start = config.greedy_start;
  options.stop = stop;
  options.hypervolume_reference = reference;
  const bool grid = use_grid(experiment);
  const std::string algorithm = search_algorithm(experiment);
  options.budget = grid ? config.max_grid_points : config.budget;
  Progress progress(algorithm + " search", grid ? experiment.space.grid_size() : config.budget);
  options.progress = [&](int64_t done, int64_t) { progress.update(done); };
  spdlog::info("search: {} over {} points{}", grid ? "exhaustive grid" : algorithm, experiment.space.grid_size(),
               grid ? "" : fmt::format(", budget {} evaluations, seed {}", config.budget, config.seed));
  SearchResult result = algorithm == "grid"        ? grid_search(evaluator, options)
                        : algorithm == "random"    ? random_search(evaluator, options)
                        : algorithm == "surrogate" ? surrogate_search(evaluator, options)
                                                   : nsga2_search(evaluator, options);
  progress.finish();
  return result;
}

// With measured latency, a point's cycles become those of its own program
// (Evaluator::time_program); says how far the table sum the search used was.
void time_program(Evaluator& evaluator, const DesignPoint& point, const Experiment& experiment) {
  const size_t primary = static_cast<size_t>(experiment.primary_board);
  const double table_cycles = evaluator.record(point).boards[primary].cycles;
  const bool from_table = evaluator.record(point).latency_source == kLatencyFromTable;
  const PointRecord& timed = evaluator.time_program(point);
  if (from_table && timed.latency_source == kLatencyFromProgram)
    spdlog::info("point {}: its own program takes {} cycles on {}, the table said {} ({:+.4f} %)", point_key(point),
                 timed.boards[primary].cycles, experiment.boards[primary].name, table_cycles,
                 100.0 * (table_cycles / timed.boards[primary].cycles - 1.0));
}

// The winner rule's view of the evaluator: report-split records, the
// config's constraints, and programs timed with the latency log line.
class EvaluatorCandidates final : public WinnerCandidates {
 public:
  EvaluatorCandidates(Evaluator& evaluator, const Experiment& experiment)
      : evaluator_(evaluator), experiment_(experiment) {}
  const PointRecord& on_report_split(const DesignPoint& point) override {
    return evaluator_.score_on(point, Split::kReport);
  }
  bool feasible(const PointRecord& record) const override { return evaluator_.objectives(record).feasible; }
  bool time_program(const DesignPoint& point) override {
    engine::time_program(evaluator_, point, experiment_);
    return evaluator_.record(point).latency_source == kLatencyFromProgram;
  }

 private:
  Evaluator& evaluator_;
  const Experiment& experiment_;
};

// What run.json and the log say of the work points shared on the search split.
void record_sharing(RunStore& store, const ActivationCacheStats& sharing, const char* batch_evaluation,
                    const ExperimentConfig& config) {
  store.set_run_field("activation_sharing", {{"budget_mb", config.activation_cache_mb},
                                             {"batch_evaluation", batch_evaluation},
                                             {"runs", sharing.runs},
                                             {"resumed_past_first_layer", sharing.resumed_past_first},
                                             {"checkpoints_stored", sharing.checkpoints_stored},
                                             {"evictions", sharing.evictions},
                                             {"mac_saving", sharing.mac_saving()}});
  if (sharing.runs)
    spdlog::info("shared work: {} of {} search runs resumed past their first approximated layer; {:.1f} % of the "
                 "multiply-accumulates saved",
                 sharing.resumed_past_first, sharing.runs, 100.0 * sharing.mac_saving());
}

// What run.json and the log say of the search-split images early stopping saved.
void record_early_stopping(RunStore& store, const PointScorer& scorer, const ExperimentConfig& config) {
  const EarlyStoppingConfig& early = config.search.early_stopping;
  const int64_t evaluated = scorer.images_evaluated(), full = scorer.images_unstopped();
  const double saved = full ? 1.0 - static_cast<double>(evaluated) / static_cast<double>(full) : 0.0;
  store.set_run_field("early_stopping", {{"active", scorer.stop_rule().enabled()},
                                         {"confidence", early.confidence},
                                         {"block_images", early.block_images},
                                         {"image_evaluations", evaluated},
                                         {"image_evaluations_unstopped", full},
                                         {"saved", saved}});
  if (scorer.stop_rule().enabled())
    spdlog::info("early stopping: {} of {} search image evaluations ({:.1f} % saved)", evaluated, full, 100.0 * saved);
}

WinnerRecord make_winner(const Experiment& experiment, Evaluator& evaluator, const ExactReference& exact,
                         const DesignPoint& point, double budget) {
  WinnerRecord winner;
  winner.budget = budget;
  evaluator.score_on(point, Split::kReport);
  winner.point = evaluator.score_on(point, Split::kTestAll);
  winner.budget_measure = budget_measure(exact.report, *winner.point.report);
  const sim::MaskSet masks = evaluator.masks(point);
  const std::set<int> unpacked = unpacked_ops_of(experiment, point);
  for (const ApproximatedLayer& layer : experiment.space.layers) {
    const sim::WeightMask& mask = masks.at(layer.op_index);
    LayerMaskRecord record;
    record.op_index = layer.op_index;
    record.name = layer.name;
    record.weights = static_cast<int64_t>(mask.skip.size());
    record.skipped = mask.skipped_count();
    record.pair_mode = experiment.config.approximate.pair_mode;
    record.mask = encode_mask_rle(mask);
    record.unpacked = unpacked.count(layer.op_index) != 0;
    winner.masks.push_back(std::move(record));
  }
  return winner;
}

}  // namespace

ExplorationSummary run_exploration(const ExperimentConfig& config, const ExplorationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads
                      : config.threads > 0 ? config.threads
                                           : tbb::info::default_concurrency();
  Experiment experiment = load_experiment(config);
  const bool measure_flash = config.flash.source == FlashConfig::Source::kMeasured;
  const bool measure_latency = use_measured_latency(config);

  // A missing cross-compiler fails before a run directory exists; from then
  // on the run directory does, so a run killed at any later moment (even
  // during significance or measurement) can be resumed. Measurements are
  // cached by content, so a resumed session repeats them for free.
  if (measure_flash || measure_latency)
    with_toolchain_hint(measure_flash ? kFlashHint : kLatencyHint, [&] { probe_toolchain(config); });
  RunStoreOptions store_options;
  store_options.run_id = options.run_id;
  store_options.resume = options.resume;
  store_options.threads = threads;
  RunStore store = RunStore::open(config, make_run_schema(config, experiment.space, experiment.graph), store_options);
  spdlog::info("run directory {}{}", store.dir().string(), store.resumed() ? " (resumed)" : "");

  measure_significance(experiment, threads);
  std::optional<FlashTable> flash;
  double flash_seconds = 0;
  if (measure_flash) {
    const auto flash_start = std::chrono::steady_clock::now();
    spdlog::info("measuring flash: compiling every approximated layer's kernel at every threshold level");
    flash = with_toolchain_hint(kFlashHint, [&] { return FlashTable::measure(experiment, threads); });
    flash_seconds = seconds_since(flash_start);
  }

  std::optional<NetworkTimer> timer;
  std::optional<LatencyTable> latency;
  double latency_seconds = 0;
  if (measure_latency) {
    const auto latency_start = std::chrono::steady_clock::now();
    spdlog::info("measuring latency: building and timing the exact model and every threshold level's program on {} "
                 "board(s)", experiment.boards.size());
    with_toolchain_hint(kLatencyHint, [&] {
      timer.emplace(experiment, NetworkTimer::Options{config.results_dir / config.name / ".latency_work", "",
                                                      config.latency.cache_dir_or(config.results_dir)});
    });
    latency = LatencyTable::measure(experiment, *timer);
    latency_seconds = seconds_since(latency_start);
    spdlog::info("latency measured in {:.1f} s: {} programs timed, {} from the cache", latency_seconds,
                 timer->stats().timed, timer->stats().cached);
  }
  const char* latency_label = latency ? "measured" : "cost model";

  store.record_timing("significance", experiment.significance_seconds);
  store.set_run_field("design_space", design_space_json(experiment.space));

  if (flash) {
    store.record_timing("flash_measurement", flash_seconds);
    store.set_run_field("flash", flash_table_json(*flash, experiment));
  }
  store.record_timing("latency_measurement", latency_seconds);
  store.set_run_field("latency", latency_json(latency ? &*latency : nullptr, timer ? &*timer : nullptr, experiment));
  auto phase = std::chrono::steady_clock::now();
  MeasuredTables measured;
  measured.flash = flash ? &*flash : nullptr;
  measured.latency = latency ? &*latency : nullptr;
  measured.timer = timer ? &*timer : nullptr;
  const std::unique_ptr<CostSource> costs = make_cost_source(experiment, measured);
  const ExactReference exact = measure_exact_reference(experiment, *costs, threads);
  store.record_timing("exact_reference", seconds_since(phase));
  store.set_run_field("exact", exact_reference_json(exact, experiment));
  store.set_run_field("algorithm", search_algorithm(experiment));
  store.write_run_json();
  const BoardCost& exact_cost = exact.boards[static_cast<size_t>(experiment.primary_board)];
  spdlog::info("exact model on {}: {:.2f} ms on {} ({}); search {}, report {}, test (all) {}",
               exact_kernels_name(config.cmsis_nn), exact_cost.ms, config.primary_board, latency_label,
               exact.search.to_string(), exact.report.to_string(),
               exact.test_all ? exact.test_all->to_string() : "(no CIFAR-10 test batch)");

  Evaluator evaluator(experiment, exact, store, *costs, measured.timer, threads);
  if (store.resumed()) {
    const std::vector<PointRecord> done = store.load_points();
    for (const PointRecord& record : done)
      if ((record.latency_source == kLatencyFromModel) != !latency)
        throw ResultsError(fmt::format("{}: point {} was scored with latency source '{}', and this session's is {}; "
                                       "resume where the first session ran, or set \"latency\": {{\"source\": ...}} "
                                       "to what it used",
                                       (store.dir() / "points.csv").string(), record.key, record.latency_source,
                                       latency_label));
    evaluator.preload(done);
    spdlog::info("resuming: {} points already evaluated", done.size());
  }

  phase = std::chrono::steady_clock::now();
  const HypervolumeReference hypervolume_reference = hypervolume_reference_for(experiment, exact);
  const SearchResult search = run_search(experiment, evaluator, hypervolume_reference, options.stop);
  store.record_timing("search", seconds_since(phase));
  record_sharing(store, evaluator.sharing(), evaluator.batch_evaluation(), config);
  record_early_stopping(store, evaluator.scorer(), config);
  ExplorationSummary summary{store.dir(), search.evaluations, static_cast<int>(search.front.size()), search.stopped};
  if (search.stopped) {
    spdlog::warn("stopped after {} evaluations; every finished point is in {}; continue with --resume --run-id {}",
                 search.evaluations, (store.dir() / "points.csv").string(), store.run_id());
    store.set_run_field("status_detail", "interrupted: resume with --resume");
    store.write_run_json();
    return summary;
  }

  // Re-score the front on the held-out split and pick the winners.
  phase = std::chrono::steady_clock::now();
  const DesignPoint exact_point(static_cast<size_t>(experiment.space.dimensions()), 0);
  std::vector<DesignPoint> candidates = search.front;
  if (std::find(candidates.begin(), candidates.end(), exact_point) == candidates.end())
    candidates.push_back(exact_point);
  ParetoSummary pareto;
  pareto.objectives = config.objectives;
  evaluator.score_on(exact_point, Split::kReport);
  pareto.hypervolume = search.hypervolume;
  pareto.hypervolume_reference = normalised_reference(hypervolume_reference, parse_objectives(config.objectives));
  pareto.evaluations = search.evaluations;
  EvaluatorCandidates winner_candidates(evaluator, experiment);
  for (double budget : config.winner_budgets) {
    const DesignPoint* point =
        choose_winner(candidates, winner_candidates, exact.report, budget, experiment.primary_board, latency.has_value());
    if (!point) {
      spdlog::warn("no feasible point within {} on the report split meets the constraints: no winner written",
                   budget_text(config.score, budget));
      continue;
    }
    const WinnerRecord winner = make_winner(experiment, evaluator, exact, *point, budget);
    const BoardCost& cost = winner.point.boards[static_cast<size_t>(experiment.primary_board)];
    const BoardCost& baseline = exact.boards[static_cast<size_t>(experiment.primary_board)];
    spdlog::info("winner for {}: point {} report {}, {:.2f} ms on {} ({:.1f} % faster than "
                 "the exact model on {}, {}), flash {} B",
                 budget_text(config.score, budget), winner.point.key, winner.point.report->to_string(), cost.ms,
                 config.primary_board, 100.0 * (1.0 - cost.cycles / baseline.cycles),
                 exact_kernels_name(config.cmsis_nn), latency_label, cost.flash_bytes);
    const mcu::BoardProfile& board = experiment.boards[static_cast<size_t>(experiment.primary_board)];
    if (cost.flash_bytes > board.flash_bytes)
      spdlog::warn("winner for {} needs {} B of flash, more than the {} B of {}: set "
                   "constraints.fit_board_flash (or flash_budget_bytes) to keep only points that fit",
                   budget_text(config.score, budget), cost.flash_bytes, board.flash_bytes, config.primary_board);
    store.write_winner(winner);
  }
  // After the winners: theirs are the cycles of their own programs now.
  for (const DesignPoint& point : search.front) pareto.front.push_back(evaluator.score_on(point, Split::kReport));
  pareto.baseline = evaluator.record(exact_point);
  store.write_pareto(pareto);
  // The winners' programs joined the timing counts.
  store.set_run_field("latency", latency_json(latency ? &*latency : nullptr, timer ? &*timer : nullptr, experiment));
  store.record_timing("report", seconds_since(phase));
  store.record_timing("total", seconds_since(start));
  store.finish();
  spdlog::info("done: {} evaluations, {} front points, hypervolume {:.4f}, results in {}", search.evaluations,
               search.front.size(), search.hypervolume, store.dir().string());
  return summary;
}

}  // namespace tinyskip::engine
