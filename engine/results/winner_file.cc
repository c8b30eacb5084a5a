#include "engine/results/winner_file.h"


#include "engine/config/json_reader.h"
#include "engine/significance/skip_masks.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {

WinnerRun read_winner_run(const WinnerFile& winner) {
  WinnerRun run;
  run.file = winner.file.parent_path().parent_path() / "run.json";
  const std::optional<std::string> text = support::read_whole_file(run.file);
  if (!text)
    throw ConfigError(run.file.string() +
                      ": cannot read the run record of the winner (expected <run>/winners/<budget>.json)");
  nlohmann::json record = parse_config_json(*text, run.file.string());
  if (!record.is_object() || !record.contains("config") || !record["config"].is_object())
    throw ConfigError(run.file.string() + ": no \"config\": not a tinyskip run record");
  nlohmann::json& config = record["config"];
  if (config.contains("cmsis_nn")) {
    run.cmsis_nn = config["cmsis_nn"];
    config.erase("cmsis_nn");
  }
  run.config = parse_experiment_config(config.dump(), run.file);
  return run;
}

sim::MaskSet WinnerFile::masks() const {
  sim::MaskSet masks;
  for (const WinnerLayer& layer : layers) masks[layer.op_index] = layer.mask;
  return masks;
}

WinnerFile read_winner_file(const std::filesystem::path& file) {
  const std::optional<std::string> text = support::read_whole_file(file);
  if (!text) throw ConfigError(file.string() + ": cannot read the winner file");
  const nlohmann::json document = parse_config_json(*text, file.string());
  const JsonObject root = JsonValue(file.string(), document, "")
                              .as_object({"format", "experiment", "run_id", "primary_board", "model", "model_fnv1a64",
                                          "score", "accuracy_loss_budget_pp", "accuracy_loss_pp", "mae_budget", "mae",
                                          "snr_db_budget", "snr_db", "point", "layers"});
  if (root.required("format").as_string() != "tinyskip-winner/1")
    root.required("format").fail("expected \"tinyskip-winner/1\": not a tinyskip winner file");

  WinnerFile winner;
  winner.file = file;
  winner.experiment = root.required("experiment").as_string();
  winner.run_id = root.required("run_id").as_string();
  winner.primary_board = root.required("primary_board").as_string();
  winner.model = root.required("model").as_string();
  winner.model_hash = root.required("model_fnv1a64").as_string();
  if (const auto score = root.get("score")) {
    const std::string name = score->as_string();
    const auto* kind = std::find_if(std::begin(kAllScoreKinds), std::end(kAllScoreKinds),
                                    [&](ScoreKind k) { return name == score_name(k); });
    if (kind == std::end(kAllScoreKinds)) score->expected("top1, agreement, output_mae or output_snr");
    winner.score = *kind;
  }
  winner.budget = root.required(budget_key(winner.score)).as_number();
  winner.budget_measure = root.required(budget_measure_key(winner.score)).as_number();
  winner.point = root.required("point").raw();
  for (const JsonValue& entry : root.required("layers").as_array()) {
    const JsonObject layer = entry.as_object(
        {"op_index", "name", "threshold", "macs", "skipped_macs", "weights", "skipped", "pair_mode", "mask", "unpacked"});
    WinnerLayer w;
    w.op_index = static_cast<int>(layer.required("op_index").as_integer(0, "an op index"));
    w.name = layer.required("name").as_string();
    w.threshold = layer.required("threshold").as_number();
    w.macs = layer.required("macs").as_integer(0, "a MAC count");
    w.skipped_macs = layer.required("skipped_macs").as_integer(0, "a MAC count");
    const JsonValue mask = layer.required("mask");
    const int64_t weights = layer.required("weights").as_integer(1, "a weight count");
    try {
      w.mask = decode_mask_rle(mask.as_string(), weights);
    } catch (const std::exception& error) {
      mask.fail(error.what());
    }
    if (w.mask.skipped_count() != layer.required("skipped").as_integer(0, "a weight count"))
      layer.required("skipped").fail("does not match the number of weights the mask skips");
    if (const auto unpacked = layer.get("unpacked")) w.unpacked = unpacked->as_bool();
    winner.layers.push_back(std::move(w));
  }
  if (winner.layers.empty()) root.required("layers").fail("no approximated layers");
  return winner;
}

}  // namespace tinyskip::engine
