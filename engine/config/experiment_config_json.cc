// ExperimentConfig -> JSON (the resolved form stored in run.json) and the
// config's content hash.
#include "engine/config/experiment_config.h"
#include "sim/support/fnv1a.h"

namespace tinyskip::engine {
namespace {

nlohmann::json split_json(const DataSplit& split) {
  nlohmann::json json;
  if (split.source.format == sim::DataSource::Format::kNpy) {
    json["inputs"] = split.source.npy_inputs.string();
    json["labels"] = split.source.npy_labels.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(split.source.npy_labels.string());
  } else {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : split.source.cifar10_files) files.push_back(file.string());
    json["files"] = files;
  }
  json["begin"] = split.begin;
  json["end"] = split.end ? nlohmann::json(*split.end) : nlohmann::json(nullptr);
  return json;
}

template <class T>
nlohmann::json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const ExperimentConfig& config) {
  nlohmann::json per_layer = nlohmann::json::object();
  for (const auto& [name, spec] : config.approximate.per_layer) per_layer[name] = to_json(spec);
  nlohmann::json boards = nlohmann::json::array();
  for (const BoardRef& board : config.boards) boards.push_back(board.file.string());

  nlohmann::json json = {
      {"name", config.name},
      {"model", config.model.string()},
      {"pixel_scale", config.pixel_scale ? nlohmann::json(config.pixel_scale->to_string()) : nlohmann::json(nullptr)},
      {"data_dir", config.data_dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(config.data_dir.string())},
      {"splits",
       {{"calibration", split_json(config.splits.calibration)},
        {"search", split_json(config.splits.search)},
        {"report", split_json(config.splits.report)}}},
      {"approximate",
       {{"layers", config.approximate.layers},
        {"metric", metric_name(config.approximate.metric)},
        {"pair_mode", config.approximate.pair_mode},
        {"thresholds", to_json(config.approximate.thresholds)},
        {"per_layer", per_layer}}},
      {"search",
       {{"algorithm", algorithm_name(config.search.algorithm)},
        {"max_grid_points", config.search.max_grid_points},
        {"budget", config.search.budget},
        {"population", config.search.population},
        {"seed", config.search.seed},
        {"greedy_start", config.search.greedy_start},
        {"batch", config.search.batch},
        {"early_stopping", config.search.early_stopping.enabled
                               ? nlohmann::json{{"confidence", config.search.early_stopping.confidence},
                                                {"block_images", config.search.early_stopping.block_images}}
                               : nlohmann::json(false)}}},
      {"objectives", config.objectives},
      {"constraints",
       {{"max_accuracy_loss", optional_json(config.constraints.max_accuracy_loss)},
        {"flash_budget_bytes", optional_json(config.constraints.flash_budget_bytes)},
        {"latency_budget_ms", optional_json(config.constraints.latency_budget_ms)},
        {"fit_board_flash", config.constraints.fit_board_flash}}},
      {"flash",
       {{"source", flash_source_name(config.flash.source)},
        {"toolchain", config.flash.toolchain.string()},
        {"opt_level", config.flash.opt_level},
        {"cache_dir", config.flash.cache_dir.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(config.flash.cache_dir.string())}}},
      {"latency",
       {{"source", latency_source_name(config.latency.source)},
        {"cache_dir", config.latency.cache_dir.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(config.latency.cache_dir.string())}}},
      {"boards", boards},
      {"primary_board", config.primary_board},
      {"winners", {{winner_budgets_key(config.score), config.winner_budgets}}},
      {"threads", config.threads},
      {"activation_cache_mb", config.activation_cache_mb},
      {"batch_evaluation",
       config.batch_evaluation == ExperimentConfig::BatchEvaluation::kThreads ? "threads" : "serial"},
      {"results_dir", config.results_dir.string()},
  };
  // Only when set: configs without it keep the content hash they had before
  // the key existed, so their runs still resume.
  if (config.cmsis_nn)
    json["cmsis_nn"] = {{"path", config.cmsis_nn->root.string()},
                        {"core_include", config.cmsis_nn->core_include.empty()
                                             ? nlohmann::json(nullptr)
                                             : nlohmann::json(config.cmsis_nn->core_include.string())}};
  if (config.score != ScoreKind::kTop1) json["score"] = score_name(config.score);
  // Only when set, so that configs without it keep their hash.
  if (config.approximate.not_unpacked_level) json["approximate"]["not_unpacked_level"] = true;
  if (config.cmsis_nn && !config.cmsis_nn->opt_level.empty()) json["cmsis_nn"]["opt_level"] = config.cmsis_nn->opt_level;
  return json;
}

std::string config_hash(const ExperimentConfig& config) {
  nlohmann::json content = to_json(config);
  content.erase("threads");
  content.erase("activation_cache_mb");
  content.erase("batch_evaluation");
  return support::fnv1a_hex(content.dump());
}

}  // namespace tinyskip::engine
