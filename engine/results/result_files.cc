#include "engine/results/result_files.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tinyskip::engine {
namespace {

nlohmann::ordered_json layers_json(const RunSchema& schema) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const LayerInfo& layer : schema.layers)
    layers.push_back({{"name", layer.name}, {"op_index", layer.op_index}, {"macs", layer.macs}});
  return layers;
}

nlohmann::ordered_json header_json(const char* format, const RunIdentity& run) {
  return {{"format", format},     {"experiment", run.experiment},
          {"run_id", run.run_id}, {"primary_board", run.primary_board},
          {"model", run.model},   {"model_fnv1a64", run.model_hash}};
}

}  // namespace

nlohmann::ordered_json pareto_json(const ParetoSummary& summary, const RunSchema& schema, const RunIdentity& run) {
  nlohmann::ordered_json json = header_json("tinyskip-pareto/1", run);
  json["objectives"] = summary.objectives;
  json["layers"] = layers_json(schema);
  json["network_macs"] = schema.network_macs;
  json["score"] = score_name(schema.score);
  json["boards"] = schema.boards;
  json["evaluations"] = summary.evaluations;
  json["hypervolume"] = std::isfinite(summary.hypervolume) ? nlohmann::ordered_json(summary.hypervolume)
                                                           : nlohmann::ordered_json(nullptr);
  json["hypervolume_reference"] = summary.hypervolume_reference;
  json["baseline"] = to_json(summary.baseline, schema);
  nlohmann::ordered_json front = nlohmann::ordered_json::array();
  for (const PointRecord& point : summary.front) front.push_back(to_json(point, schema));
  json["front"] = front;
  return json;
}

nlohmann::ordered_json winner_json(const WinnerRecord& winner, const RunSchema& schema, const RunIdentity& run) {
  if (winner.masks.size() != schema.layers.size())
    throw std::invalid_argument(fmt::format("winner {}: {} layer masks for {} layers", winner.point.key,
                                            winner.masks.size(), schema.layers.size()));
  nlohmann::ordered_json json = header_json("tinyskip-winner/1", run);
  json["score"] = score_name(schema.score);
  json[budget_key(schema.score)] = winner.budget;
  json[budget_measure_key(schema.score)] =
      is_count_score(schema.score) ? round_decimals(winner.budget_measure, 4) : winner.budget_measure;
  json["point"] = to_json(winner.point, schema);
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (size_t i = 0; i < schema.layers.size(); ++i) {
    const LayerMaskRecord& mask = winner.masks[i];
    const LayerInfo& layer = schema.layers[i];
    if (mask.name != layer.name || mask.op_index != layer.op_index)
      throw std::invalid_argument(fmt::format("winner {}: mask {} is for {} (op {}), expected {} (op {})",
                                              winner.point.key, i, mask.name, mask.op_index, layer.name,
                                              layer.op_index));
    if (mask.skipped < 0 || mask.skipped > mask.weights)
      throw std::invalid_argument(fmt::format("winner {}: layer {}: {} of {} weights skipped", winner.point.key,
                                              mask.name, mask.skipped, mask.weights));
    layers.push_back({{"op_index", mask.op_index},
                      {"name", mask.name},
                      {"threshold", winner.point.thresholds[i]},
                      {"macs", layer.macs},
                      {"skipped_macs", winner.point.skipped_macs[i]},
                      {"weights", mask.weights},
                      {"skipped", mask.skipped},
                      {"pair_mode", mask.pair_mode},
                      {"mask", mask.mask}});
    // Only when false, so that winner files without the level stay as they were.
    if (!mask.unpacked) layers.back()["unpacked"] = false;
  }
  json["layers"] = layers;
  return json;
}

std::string winner_file_name(double budget) {
  if (!std::isfinite(budget) || budget < 0)
    throw std::invalid_argument(fmt::format("winner budget {} is not a number >= 0", budget));
  return exact_number(budget) + ".json";
}

}  // namespace tinyskip::engine
