#include "engine/config/experiment_config.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "engine/config/json_reader.h"
#include "engine/config/layer_names.h"
#include "engine/config/tinyskip_paths.h"
#include "sim/data/cifar10.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;

// Resolves the config's relative paths and checks that inputs exist.
class PathResolver {
 public:
  explicit PathResolver(const fs::path& config_file) : base_(fs::absolute(config_file).parent_path()) {}

  fs::path resolve(const JsonValue& value) const { return resolve(value, base_); }
  // "${data_root}/..." is taken from the data root (tinyskip_paths.h), any
  // other relative path from `base`.
  fs::path resolve(const JsonValue& value, const fs::path& base) const {
    const std::string text = value.as_string();
    if (text.empty()) value.expected("a non-empty path");
    const std::string variable = kDataRootVariable;
    if (text.starts_with(variable)) {
      std::string rest = text.substr(variable.size());
      if (!rest.empty() && rest.front() != '/') value.expected("${data_root} followed by '/' and a path");
      while (rest.starts_with("/")) rest.erase(0, 1);
      return (data_root() / rest).lexically_normal();
    }
    if (text.find("${") != std::string::npos) value.expected("a path; the only variable is ${data_root}, at its start");
    return (base / text).lexically_normal();
  }
  fs::path existing_file(const JsonValue& value, const fs::path& base) const {
    const fs::path path = resolve(value, base);
    std::error_code error;
    if (!fs::is_regular_file(path, error)) value.fail(fmt::format("file not found: {}{}", path.string(), hint(value)));
    return path;
  }
  // For a missing file under the data root: where that is and how to fill it.
  static std::string hint(const JsonValue& value) {
    if (!value.as_string().starts_with(kDataRootVariable)) return "";
    return fmt::format(" ({} is {}: run scripts/fetch_data.sh, or point --data-root or TINYSKIP_DATA_ROOT at a "
                       "folder laid out like it)",
                       kDataRootVariable, data_root().string());
  }
  fs::path existing_file(const JsonValue& value) const { return existing_file(value, base_); }
  fs::path existing_directory(const JsonValue& value) const {
    const fs::path path = resolve(value);
    std::error_code error;
    if (!fs::is_directory(path, error))
      value.fail(fmt::format("directory not found: {}{}", path.string(), hint(value)));
    return path;
  }
  const fs::path& base() const { return base_; }

 private:
  fs::path base_;
};

const char* kPositiveInteger = "a positive integer";
const char* kNonNegativeInteger = "a non-negative integer";

int read_int(const JsonValue& value, int64_t minimum, const char* what) {
  const int64_t number = value.as_integer(minimum, what);
  if (number > INT32_MAX) value.expected(std::string(what) + " below 2^31");
  return static_cast<int>(number);
}

double read_non_negative(const JsonValue& value) {
  const double number = value.as_number();
  if (number < 0) value.expected("a number >= 0");
  return number;
}

std::string read_name(const JsonValue& value) {
  const std::string name = value.as_string();
  if (!is_safe_name(name)) value.expected("a name of letters, digits, '_', '.' and '-' (not \".\" or \"..\")");
  return name;
}

sim::PixelScale read_pixel_scale(const JsonValue& value) {
  std::string text;
  if (value.raw().is_string())
    text = value.as_string();
  else if (value.raw().is_number())
    text = fmt::format("{}", value.as_number());
  else
    value.expected("a string like \"1/255\" or a number");
  try {
    return sim::PixelScale::parse(text);
  } catch (const std::invalid_argument& error) {
    value.fail(error.what());
  }
}

// A split written in the config. Its source is "files" (CIFAR-10 batches) or
// "inputs" with an optional "labels" (.npy), paths relative to data_dir when
// the config has one, else to the config file; a split that names no source
// keeps its default one. Omitted "begin" is 0, omitted "end" the last sample.
DataSplit read_split(const JsonValue& value, const DataSplit& defaults, const fs::path& data_dir,
                     const PathResolver& paths) {
  const JsonObject object = value.as_object({"files", "inputs", "labels", "begin", "end"});
  const fs::path& base = data_dir.empty() ? paths.base() : data_dir;
  DataSplit split;
  split.source = defaults.source;
  const auto files = object.get("files");
  const auto inputs = object.get("inputs");
  const auto labels = object.get("labels");
  if (files && inputs) value.fail("names both \"files\" (CIFAR-10) and \"inputs\" (.npy); give one source");
  if (labels && !inputs) labels->fail("\"labels\" goes with \"inputs\" (.npy); CIFAR-10 files carry their labels");
  if (files) {
    split.source = {};
    for (const JsonValue& file : files->as_array()) split.source.cifar10_files.push_back(paths.existing_file(file, base));
    if (split.source.cifar10_files.empty()) files->fail("expected at least one file");
  }
  if (inputs) {
    split.source = {};
    split.source.format = sim::DataSource::Format::kNpy;
    split.source.npy_inputs = paths.existing_file(*inputs, base);
    if (labels && !labels->is_null()) split.source.npy_labels = paths.existing_file(*labels, base);
  }
  if (const auto begin = object.get("begin")) split.begin = begin->as_integer(0, kNonNegativeInteger);
  if (const auto end = object.get("end"); end && !end->is_null()) {
    split.end = end->as_integer(1, kPositiveInteger);
    if (*split.end <= split.begin)
      end->fail(fmt::format("end ({}) must be greater than begin ({})", *split.end, split.begin));
  }
  return split;
}

// Defaults (with a data_dir): the CIFAR-10 layout, calibration from a
// training batch, search and report from the two halves of the test batch.
DataSplits default_splits(const fs::path& data_dir) {
  DataSplits splits;
  if (data_dir.empty()) return splits;
  const auto cifar10 = [&](const char* file) {
    sim::DataSource source;
    source.cifar10_files = {data_dir / file};
    return source;
  };
  splits.calibration = {cifar10("data_batch_1.bin"), 0, 1000};
  splits.search = {cifar10(sim::kCifar10TestFile), 0, 5000};
  splits.report = {cifar10(sim::kCifar10TestFile), 5000, 10000};
  return splits;
}

bool ranges_overlap(const DataSplit& a, const DataSplit& b) {
  const int64_t a_end = a.end.value_or(INT64_MAX), b_end = b.end.value_or(INT64_MAX);
  return a.begin < b_end && b.begin < a_end;
}

// Splits over the same samples must not share any, or the held-out report
// accuracy would be biased by selection. (Splits over different file lists
// are not compared: their samples differ unless files repeat, which the
// defaults never do.)
void check_disjoint(const DataSplits& splits, const std::string& source) {
  const std::pair<const char*, const DataSplit*> named[] = {
      {"calibration", &splits.calibration}, {"search", &splits.search}, {"report", &splits.report}};
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = i + 1; j < 3; ++j) {
      const DataSplit& a = *named[i].second;
      const DataSplit& b = *named[j].second;
      if (a.source.same_samples(b.source) && ranges_overlap(a, b))
        throw ConfigError(
            fmt::format("{}: splits.{}: samples overlap splits.{} (same files); the splits must be disjoint", source,
                        named[j].first, named[i].first));
    }
}

DataSplits read_splits(const std::optional<JsonValue>& value, const fs::path& data_dir, const PathResolver& paths,
                       const std::string& source) {
  DataSplits splits = default_splits(data_dir);
  if (value) {
    const JsonObject object = value->as_object({"calibration", "search", "report"});
    if (const auto split = object.get("calibration"))
      splits.calibration = read_split(*split, splits.calibration, data_dir, paths);
    if (const auto split = object.get("search")) splits.search = read_split(*split, splits.search, data_dir, paths);
    if (const auto split = object.get("report")) splits.report = read_split(*split, splits.report, data_dir, paths);
  }
  // Default files are checked here so a missing one is reported, not assumed.
  for (const auto& [name, split] : {std::pair{"calibration", &splits.calibration}, std::pair{"search", &splits.search},
                                    std::pair{"report", &splits.report}}) {
    if (split->source.format == sim::DataSource::Format::kCifar10 && split->source.cifar10_files.empty())
      throw ConfigError(fmt::format("{}: splits.{}: no data: give the split \"files\" (CIFAR-10) or \"inputs\" "
                                    "(.npy), or give the config a CIFAR-10 data_dir",
                                    source, name));
    for (const fs::path& file : split->source.cifar10_files) {
      std::error_code error;
      if (!fs::is_regular_file(file, error))
        throw ConfigError(fmt::format("{}: splits.{}.files: file not found: {}", source, name, file.string()));
    }
  }
  check_disjoint(splits, source);
  return splits;
}

ApproximateConfig read_approximate(const JsonValue& value) {
  const JsonObject object = value.as_object({"layers", "metric", "pair_mode", "thresholds", "per_layer", "not_unpacked_level"});
  ApproximateConfig approximate;
  const JsonValue layers = object.required("layers");
  for (const JsonValue& layer : layers.as_array()) {
    const std::string name = layer.as_string();
    if (!is_single_layer_name(name) && !is_layer_group_name(name))
      layer.expected("a layer name: convN, dwconvN, fcN (N >= 1), all_conv or all_conv_but_first");
    approximate.layers.push_back(name);
  }
  if (approximate.layers.empty()) layers.fail("expected at least one layer");
  if (const auto metric = object.get("metric")) {
    const std::string name = metric->as_string();
    if (name == "paper")
      approximate.metric = ApproximateConfig::Metric::kPaper;
    else if (name == "magnitude")
      approximate.metric = ApproximateConfig::Metric::kMagnitude;
    else
      metric->expected("\"paper\" or \"magnitude\"");
  }
  if (const auto pair_mode = object.get("pair_mode")) approximate.pair_mode = pair_mode->as_bool();
  if (const auto not_unpacked = object.get("not_unpacked_level")) approximate.not_unpacked_level = not_unpacked->as_bool();
  if (const auto thresholds = object.get("thresholds")) approximate.thresholds = read_threshold_spec(*thresholds);
  if (const auto per_layer = object.get("per_layer"))
    for (const auto& [name, spec] : per_layer->as_map().members()) {
      if (!is_single_layer_name(name)) spec.fail("expected a single layer name (convN, dwconvN or fcN) as key");
      approximate.per_layer[name] = read_threshold_spec(spec);
    }
  return approximate;
}

// false, or {"confidence": c in (0, 1], "block_images": n >= 1}.
EarlyStoppingConfig read_early_stopping(const JsonValue& value) {
  EarlyStoppingConfig early;
  if (value.is_boolean()) {
    early.enabled = value.as_bool();
    return early;
  }
  const JsonObject object = value.as_object({"confidence", "block_images"});
  if (const auto v = object.get("confidence")) {
    early.confidence = v->as_number();
    if (!(early.confidence > 0.0 && early.confidence <= 1.0)) v->expected("a confidence in (0, 1]");
  }
  if (const auto v = object.get("block_images")) early.block_images = read_int(*v, 1, kPositiveInteger);
  return early;
}

SearchConfig read_search(const std::optional<JsonValue>& value) {
  SearchConfig search;
  if (!value) return search;
  const JsonObject object =
      value->as_object({"algorithm", "max_grid_points", "budget", "population", "seed", "greedy_start", "batch",
                        "early_stopping"});
  if (const auto algorithm = object.get("algorithm")) {
    const std::string name = algorithm->as_string();
    if (name == "auto")
      search.algorithm = SearchConfig::Algorithm::kAuto;
    else if (name == "grid")
      search.algorithm = SearchConfig::Algorithm::kGrid;
    else if (name == "nsga2")
      search.algorithm = SearchConfig::Algorithm::kNsga2;
    else if (name == "random")
      search.algorithm = SearchConfig::Algorithm::kRandom;
    else if (name == "surrogate")
      search.algorithm = SearchConfig::Algorithm::kSurrogate;
    else
      algorithm->expected("\"auto\", \"grid\", \"nsga2\", \"surrogate\" or \"random\"");
  }
  if (const auto v = object.get("max_grid_points")) search.max_grid_points = v->as_integer(1, kPositiveInteger);
  if (const auto v = object.get("budget")) search.budget = v->as_integer(1, kPositiveInteger);
  if (const auto v = object.get("population")) search.population = read_int(*v, 4, "an integer >= 4");
  if (const auto v = object.get("seed")) search.seed = static_cast<uint64_t>(v->as_integer(0, kNonNegativeInteger));
  if (const auto v = object.get("greedy_start")) search.greedy_start = v->as_bool();
  if (const auto v = object.get("batch")) search.batch = read_int(*v, 1, kPositiveInteger);
  if (const auto v = object.get("early_stopping")) search.early_stopping = read_early_stopping(*v);
  return search;
}

std::vector<std::string> read_objectives(const JsonValue& value) {
  std::vector<std::string> objectives;
  for (const JsonValue& element : value.as_array()) {
    const std::string name = element.as_string();
    if (name != "error" && name != "cycles" && name != "flash") element.expected("\"error\", \"cycles\" or \"flash\"");
    for (const std::string& seen : objectives)
      if (seen == name) element.fail(fmt::format("\"{}\" is listed twice", name));
    objectives.push_back(name);
  }
  const bool has_error = std::find(objectives.begin(), objectives.end(), "error") != objectives.end();
  if (!has_error || objectives.size() < 2) value.fail("expected \"error\" and at least one of \"cycles\", \"flash\"");
  return objectives;
}

Constraints read_constraints(const std::optional<JsonValue>& value) {
  Constraints constraints;
  if (!value) return constraints;
  const JsonObject object = value->as_object({"max_accuracy_loss", "flash_budget_bytes", "latency_budget_ms", "fit_board_flash"});
  if (const auto v = object.get("max_accuracy_loss"); v && !v->is_null())
    constraints.max_accuracy_loss = read_non_negative(*v);
  if (const auto v = object.get("flash_budget_bytes"); v && !v->is_null())
    constraints.flash_budget_bytes = v->as_integer(1, kPositiveInteger);
  if (const auto v = object.get("latency_budget_ms"); v && !v->is_null()) {
    const double ms = v->as_number();
    if (!(ms > 0)) v->expected("a number > 0");
    constraints.latency_budget_ms = ms;
  }
  if (const auto v = object.get("fit_board_flash")) constraints.fit_board_flash = v->as_bool();
  return constraints;
}

std::string read_opt_level(const JsonValue& value) {
  std::string level = value.as_string();
  if (level.size() < 3 || level.rfind("-O", 0) != 0) value.expected("an optimisation flag such as \"-Os\"");
  return level;
}

FlashConfig read_flash(const std::optional<JsonValue>& value, const PathResolver& paths) {
  FlashConfig flash;
  flash.toolchain = default_toolchain_file();
  if (!value) return flash;
  const JsonObject object = value->as_object({"source", "toolchain", "opt_level", "cache_dir"});
  if (const auto v = object.get("cache_dir"); v && !v->is_null()) flash.cache_dir = paths.resolve(*v);
  if (const auto v = object.get("source")) {
    const std::string source = v->as_string();
    if (source == "measured") flash.source = FlashConfig::Source::kMeasured;
    else if (source == "estimated") flash.source = FlashConfig::Source::kEstimated;
    else v->expected("\"measured\" or \"estimated\"");
  }
  if (const auto v = object.get("toolchain")) flash.toolchain = paths.existing_file(*v);
  if (const auto v = object.get("opt_level")) flash.opt_level = read_opt_level(*v);
  return flash;
}

LatencyConfig read_latency(const std::optional<JsonValue>& value, const PathResolver& paths) {
  LatencyConfig latency;
  if (!value) return latency;
  const JsonObject object = value->as_object({"source", "cache_dir"});
  if (const auto v = object.get("cache_dir"); v && !v->is_null()) latency.cache_dir = paths.resolve(*v);
  if (const auto v = object.get("source")) {
    const std::string source = v->as_string();
    if (source == "auto") latency.source = LatencyConfig::Source::kAuto;
    else if (source == "measured") latency.source = LatencyConfig::Source::kMeasured;
    else if (source == "model") latency.source = LatencyConfig::Source::kModel;
    else v->expected("\"measured\", \"model\" or \"auto\"");
  }
  return latency;
}

std::vector<BoardRef> read_boards(const JsonValue& value, const PathResolver& paths) {
  std::vector<BoardRef> boards;
  for (const JsonValue& element : value.as_array()) {
    BoardRef board;
    board.file = paths.existing_file(element);
    board.name = board.file.stem().string();
    for (const BoardRef& seen : boards)
      if (seen.name == board.name) element.fail(fmt::format("a second board named '{}'", board.name));
    boards.push_back(std::move(board));
  }
  if (boards.empty()) value.fail("expected at least one board file");
  return boards;
}

std::string read_primary_board(const std::optional<JsonValue>& value, const std::vector<BoardRef>& boards,
                               const std::string& source) {
  std::string names;
  for (const BoardRef& board : boards) names += (names.empty() ? "" : ", ") + board.name;
  if (!value) {
    if (boards.size() == 1) return boards[0].name;
    throw ConfigError(fmt::format("{}: primary_board: required key is missing (boards: {})", source, names));
  }
  const std::string name = value->as_string();
  for (const BoardRef& board : boards)
    if (board.name == name) return name;
  value->expected(fmt::format("one of the boards' file stems ({})", names));
}

std::vector<double> read_winner_budgets(const std::optional<JsonValue>& value, ScoreKind kind,
                                        const std::string& source) {
  const char* key = winner_budgets_key(kind);
  const std::optional<JsonObject> object =
      value ? std::optional<JsonObject>(value->as_object({"accuracy_loss_budgets", "mae_budgets", "snr_db_budgets"}))
            : std::nullopt;
  for (const char* other : {"accuracy_loss_budgets", "mae_budgets", "snr_db_budgets"})
    if (const auto list = object ? object->get(other) : std::nullopt; list && std::string(other) != key)
      list->fail(fmt::format("does not fit \"score\": \"{}\", whose budgets are winners.{}", score_name(kind), key));
  const auto list = object ? object->get(key) : std::nullopt;
  if (!list) {
    if (is_count_score(kind)) return ExperimentConfig{}.winner_budgets;
    throw ConfigError(fmt::format("{}: winners.{}: required with \"score\": \"{}\" ({})", source, key,
                                  score_name(kind), score_label(kind)));
  }
  std::vector<double> budgets;
  for (const JsonValue& element : list->as_array()) {
    const double budget = read_non_negative(element);
    if (!budgets.empty() && !stricter_budget(kind, budgets.back(), budget))
      element.fail(fmt::format("budgets must be strictly {} (the strictest first), got {} after {}",
                               kind == ScoreKind::kOutputSnr ? "descending" : "ascending", budget, budgets.back()));
    budgets.push_back(budget);
  }
  if (budgets.empty()) list->fail("expected at least one budget");
  return budgets;
}

// "cmsis_nn": {"path": <checkout>, "core_include": <CMSIS-Core Include/>, "opt_level": "-O2"}.
CmsisNnCheckout read_cmsis_nn(const JsonValue& value, const PathResolver& paths) {
  const JsonObject object = value.as_object({"path", "core_include", "opt_level"});
  CmsisNnCheckout checkout;
  const JsonValue path = object.required("path");
  checkout.root = paths.resolve(path);
  if (const std::optional<std::string> problem = cmsis_nn_checkout_problem(checkout.root)) path.fail(*problem);
  if (const auto core = object.get("core_include"); core && !core->is_null()) {
    checkout.core_include = paths.resolve(*core);
    if (const std::optional<std::string> problem = cmsis_core_include_problem(checkout.core_include))
      core->fail(*problem);
  }
  if (const auto level = object.get("opt_level"); level && !level->is_null()) checkout.opt_level = read_opt_level(*level);
  return checkout;
}

std::string read_text_file(const fs::path& file) {
  std::optional<std::string> text = support::read_whole_file(file);
  if (!text) throw ConfigError(fmt::format("{}: cannot open config file", file.string()));
  return *std::move(text);
}

ScoreKind read_score(const JsonValue& value) {
  const std::string name = value.as_string();
  for (ScoreKind kind : kAllScoreKinds)
    if (name == score_name(kind)) return kind;
  value.expected("\"top1\" (accuracy against labels), \"agreement\" (top-1 agreement with the exact model), "
                 "\"output_mae\" or \"output_snr\" (output fidelity against the exact model)");
}

}  // namespace

const char* winner_budgets_key(ScoreKind kind) {
  return is_count_score(kind) ? "accuracy_loss_budgets" : kind == ScoreKind::kOutputMae ? "mae_budgets"
                                                                                         : "snr_db_budgets";
}

bool is_safe_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

const ThresholdSpec& ApproximateConfig::thresholds_for(const std::string& layer_name) const {
  const auto found = per_layer.find(layer_name);
  return found != per_layer.end() ? found->second : thresholds;
}

const char* metric_name(ApproximateConfig::Metric metric) {
  return metric == ApproximateConfig::Metric::kPaper ? "paper" : "magnitude";
}

const char* flash_source_name(FlashConfig::Source source) {
  return source == FlashConfig::Source::kMeasured ? "measured" : "estimated";
}

const char* latency_source_name(LatencyConfig::Source source) {
  switch (source) {
    case LatencyConfig::Source::kAuto: return "auto";
    case LatencyConfig::Source::kMeasured: return "measured";
    case LatencyConfig::Source::kModel: return "model";
  }
  return "auto";
}

const char* algorithm_name(SearchConfig::Algorithm algorithm) {
  switch (algorithm) {
    case SearchConfig::Algorithm::kAuto:
      return "auto";
    case SearchConfig::Algorithm::kGrid:
      return "grid";
    case SearchConfig::Algorithm::kNsga2:
      return "nsga2";
    case SearchConfig::Algorithm::kRandom:
      return "random";
    case SearchConfig::Algorithm::kSurrogate:
      return "surrogate";
  }
  return "auto";
}

const BoardRef& ExperimentConfig::primary() const {
  for (const BoardRef& board : boards)
    if (board.name == primary_board) return board;
  throw ConfigError(fmt::format("{}: primary_board '{}' is not one of the boards", source, primary_board));
}

ExperimentConfig parse_experiment_config(const std::string& text, const fs::path& file) {
  ExperimentConfig config;
  config.source = file.string();
  const nlohmann::json document = parse_config_json(text, config.source);
  const PathResolver paths(file);
  const JsonObject root =
      JsonValue(config.source, document, "")
          .as_object({"name", "model", "pixel_scale", "data_dir", "splits", "score", "approximate", "search", "objectives",
                      "constraints", "flash", "latency", "boards", "primary_board", "winners", "threads",
                      "activation_cache_mb", "batch_evaluation", "results_dir", "cmsis_nn"});

  config.name = read_name(root.required("name"));
  config.model = paths.existing_file(root.required("model"));
  if (const auto pixel_scale = root.get("pixel_scale"); pixel_scale && !pixel_scale->is_null())
    config.pixel_scale = read_pixel_scale(*pixel_scale);
  if (const auto data_dir = root.get("data_dir"); data_dir && !data_dir->is_null())
    config.data_dir = paths.existing_directory(*data_dir);
  config.splits = read_splits(root.get("splits"), config.data_dir, paths, config.source);
  if (const auto score = root.get("score")) config.score = read_score(*score);
  config.approximate = read_approximate(root.required("approximate"));
  config.search = read_search(root.get("search"));
  if (const auto objectives = root.get("objectives")) config.objectives = read_objectives(*objectives);
  config.constraints = read_constraints(root.get("constraints"));
  config.flash = read_flash(root.get("flash"), paths);
  config.latency = read_latency(root.get("latency"), paths);
  config.boards = read_boards(root.required("boards"), paths);
  config.primary_board = read_primary_board(root.get("primary_board"), config.boards, config.source);
  config.winner_budgets = read_winner_budgets(root.get("winners"), config.score, config.source);
  if (config.constraints.max_accuracy_loss && !is_count_score(config.score))
    throw ConfigError(fmt::format("{}: constraints.max_accuracy_loss: bounds an accuracy, but \"score\" is \"{}\"; "
                                  "bound output fidelity with winners.{}",
                                  config.source, score_name(config.score), winner_budgets_key(config.score)));
  if (const auto threads = root.get("threads")) config.threads = read_int(*threads, 0, kNonNegativeInteger);
  if (const auto cache = root.get("activation_cache_mb"))
    config.activation_cache_mb = read_int(*cache, 0, kNonNegativeInteger);
  if (const auto batch = root.get("batch_evaluation")) {
    const std::string name = batch->as_string();
    if (name == "serial")
      config.batch_evaluation = ExperimentConfig::BatchEvaluation::kSerial;
    else if (name == "threads")
      config.batch_evaluation = ExperimentConfig::BatchEvaluation::kThreads;
    else
      batch->expected("\"serial\" or \"threads\"");
  }
  if (const auto results_dir = root.get("results_dir"))
    config.results_dir = paths.resolve(*results_dir);
  else
    config.results_dir = (paths.base() / "../results").lexically_normal();
  if (const auto cmsis_nn = root.get("cmsis_nn"); cmsis_nn && !cmsis_nn->is_null())
    config.cmsis_nn = read_cmsis_nn(*cmsis_nn, paths);
  return config;
}

ExperimentConfig load_experiment_config(const fs::path& file) {
  return parse_experiment_config(read_text_file(file), file);
}

}  // namespace tinyskip::engine
