#include "engine/results/point_record.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/config/experiment_config.h"

namespace tinyskip::engine {
namespace {

constexpr int kPercentDecimals = 4;
constexpr size_t kColumnsPerSplit = 5;  // score, correct, total, ci_low, ci_high
constexpr size_t kColumnsPerBoard = 3;  // cycles, ms, flash_bytes

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

template <class T>
T parse_field(const std::string& text, const std::string& column) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    throw std::invalid_argument(fmt::format("column {}: '{}' is not a valid number", column, text));
  return value;
}

// A count score is written from its count (percentages derived, 4 decimals);
// a fidelity score as its exact value, with the correct column empty.
std::string split_csv(const std::optional<Score>& score) {
  if (!score) return ",,,,";
  if (is_count_score(score->kind))
    return fmt::format("{},{},{},{},{}", fixed_number(score->value, kPercentDecimals), score->matches, score->samples,
                       fixed_number(score->ci_low, kPercentDecimals), fixed_number(score->ci_high, kPercentDecimals));
  return fmt::format("{},,{},{},{}", exact_number(score->value), score->samples, exact_number(score->ci_low),
                     exact_number(score->ci_high));
}

// Five fields of one split: all empty (not evaluated) or all filled (the
// correct column only for count scores). Of a count score only correct and
// total are read: the percentages are derived from them.
std::optional<Score> parse_split(const std::vector<std::string>& fields, size_t first, const char* split,
                                 ScoreKind kind) {
  const bool counted = is_count_score(kind);
  bool any = false, all = true;
  for (size_t i = first; i < first + kColumnsPerSplit; ++i) {
    const bool expected_empty = !counted && i == first + 1;
    any = any || !fields[i].empty();
    all = all && fields[i].empty() == expected_empty;
  }
  if (!any) return std::nullopt;
  if (!all) throw std::invalid_argument(fmt::format("split {}: some columns are empty, others not", split));
  const int total = parse_field<int>(fields[first + 2], fmt::format("{}_total", split));
  if (counted) {
    const int correct = parse_field<int>(fields[first + 1], fmt::format("{}_correct", split));
    if (total <= 0 || correct < 0 || correct > total)
      throw std::invalid_argument(fmt::format("split {}: {} correct out of {} is impossible", split, correct, total));
    return Score::count(kind, correct, total);
  }
  const auto number = [&](size_t i, const char* column) {
    return parse_field<double>(fields[first + i], fmt::format("{}_{}", split, column));
  };
  return Score::fidelity(kind, number(0, score_column(kind)), number(3, "ci_low"), number(4, "ci_high"), total);
}

bool is_safe_key(const std::string& key) { return !key.empty() && key.find_first_of(",\"\r\n") == std::string::npos; }

}  // namespace

std::string exact_number(double value) {
  // Plain decimals read best in a CSV ("100000", "0.00001"); only magnitudes
  // where that form would get long fall back to the shortest of any form.
  const double magnitude = std::abs(value);
  const bool plain = magnitude == 0 || (magnitude >= 1e-9 && magnitude < 1e17);
  char buffer[64];
  const auto result = plain ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
                            : std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string fixed_number(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

double round_decimals(double value, int decimals) {
  return std::strtod(fixed_number(value, decimals).c_str(), nullptr);
}

const char* split_name(Split split) {
  switch (split) {
    case Split::kSearch:
      return "search";
    case Split::kReport:
      return "report";
    case Split::kTestAll:
      return "test_all";
  }
  return "search";
}

void RunSchema::validate() const {
  std::set<std::string> seen;
  for (const LayerInfo& layer : layers)
    if (!is_safe_name(layer.name) || !seen.insert("layer " + layer.name).second)
      throw std::invalid_argument(fmt::format("layer name '{}' is unsafe or repeated", layer.name));
  for (const std::string& board : boards)
    if (!is_safe_name(board) || !seen.insert("board " + board).second)
      throw std::invalid_argument(fmt::format("board name '{}' is unsafe or repeated", board));
}

const std::optional<Score>& PointRecord::score(Split split) const {
  return split == Split::kSearch ? search : split == Split::kReport ? report : test_all;
}

std::optional<Score>& PointRecord::score(Split split) {
  return split == Split::kSearch ? search : split == Split::kReport ? report : test_all;
}

void PointRecord::check(const RunSchema& schema) const {
  if (!is_safe_key(key))
    throw std::invalid_argument(fmt::format("point key '{}' is empty or has , \" or newlines", key));
  if (thresholds.size() != schema.layers.size() || skipped_macs.size() != schema.layers.size())
    throw std::invalid_argument(fmt::format("point {}: {} thresholds and {} skipped-MAC counts for {} layers", key,
                                            thresholds.size(), skipped_macs.size(), schema.layers.size()));
  if (boards.size() != schema.boards.size())
    throw std::invalid_argument(
        fmt::format("point {}: costs for {} boards, the run has {}", key, boards.size(), schema.boards.size()));
  for (double threshold : thresholds)
    if (!std::isfinite(threshold)) throw std::invalid_argument(fmt::format("point {}: non-finite threshold", key));
  for (const BoardCost& cost : boards)
    if (!std::isfinite(cost.cycles) || !std::isfinite(cost.ms))
      throw std::invalid_argument(fmt::format("point {}: non-finite cycles or ms", key));
  if (latency_source != kLatencyFromModel && latency_source != kLatencyFromTable &&
      latency_source != kLatencyFromProgram)
    throw std::invalid_argument(fmt::format("point {}: latency_source '{}' is not {}, {} or {}", key, latency_source,
                                            kLatencyFromModel, kLatencyFromTable, kLatencyFromProgram));
  for (Split split : kAllSplits) {
    const auto& score = this->score(split);
    if (!score) continue;
    if (score->kind != schema.score)
      throw std::invalid_argument(fmt::format("point {}: split {}: a {} score in a run scored by {}", key,
                                              split_name(split), score_name(score->kind), score_name(schema.score)));
    if (score->samples <= 0 || score->matches < 0 || score->matches > score->samples)
      throw std::invalid_argument(fmt::format("point {}: split {}: {} correct out of {}", key, split_name(split),
                                              score->matches, score->samples));
    if (!std::isfinite(score->value) || !std::isfinite(score->ci_low) || !std::isfinite(score->ci_high))
      throw std::invalid_argument(fmt::format("point {}: split {}: non-finite score", key, split_name(split)));
  }
}

std::string csv_header(const RunSchema& schema) {
  std::string header = "key";
  for (const LayerInfo& layer : schema.layers) header += ",threshold_" + layer.name;
  for (const LayerInfo& layer : schema.layers) header += ",skipped_macs_" + layer.name;
  header += ",macs_kept";
  for (Split split : kAllSplits)
    header += is_count_score(schema.score)
                  ? fmt::format(",{0}_accuracy_pct,{0}_correct,{0}_total,{0}_ci_low_pct,{0}_ci_high_pct",
                                split_name(split))
                  : fmt::format(",{0}_{1},{0}_correct,{0}_total,{0}_ci_low,{0}_ci_high", split_name(split),
                                score_column(schema.score));
  for (const std::string& board : schema.boards) header += fmt::format(",{0}_cycles,{0}_ms,{0}_flash_bytes", board);
  header += ",latency_source,stopped_early";
  return header;
}

std::string csv_row(const PointRecord& record, const RunSchema& schema) {
  record.check(schema);
  std::string row = record.key;
  for (double threshold : record.thresholds) row += fmt::format(",{}", exact_number(threshold));
  for (int64_t skipped : record.skipped_macs) row += fmt::format(",{}", skipped);
  row += fmt::format(",{}", record.macs_kept);
  for (Split split : kAllSplits) row += fmt::format(",{}", split_csv(record.score(split)));
  for (const BoardCost& cost : record.boards)
    row += fmt::format(",{},{},{}", exact_number(cost.cycles), exact_number(cost.ms), cost.flash_bytes);
  row.append(",").append(record.latency_source).append(record.stopped_early ? ",1" : ",0");
  return row;
}

PointRecord parse_csv_row(const std::string& line, const RunSchema& schema) {
  const std::vector<std::string> fields = split_fields(line);
  const size_t layers = schema.layers.size();
  const size_t expected = 1 + 2 * layers + 1 + 3 * kColumnsPerSplit + kColumnsPerBoard * schema.boards.size() + 2;
  if (fields.size() != expected)
    throw std::invalid_argument(fmt::format("expected {} columns, got {}", expected, fields.size()));
  PointRecord record;
  record.key = fields[0];
  if (!is_safe_key(record.key)) throw std::invalid_argument("empty point key");
  size_t column = 1;
  for (const LayerInfo& layer : schema.layers)
    record.thresholds.push_back(parse_field<double>(fields[column++], "threshold_" + layer.name));
  for (const LayerInfo& layer : schema.layers)
    record.skipped_macs.push_back(parse_field<int64_t>(fields[column++], "skipped_macs_" + layer.name));
  record.macs_kept = parse_field<int64_t>(fields[column++], "macs_kept");
  for (Split split : kAllSplits) {
    record.score(split) = parse_split(fields, column, split_name(split), schema.score);
    column += kColumnsPerSplit;
  }
  for (const std::string& board : schema.boards) {
    BoardCost cost;
    cost.cycles = parse_field<double>(fields[column++], board + "_cycles");
    cost.ms = parse_field<double>(fields[column++], board + "_ms");
    cost.flash_bytes = parse_field<int64_t>(fields[column++], board + "_flash_bytes");
    record.boards.push_back(cost);
  }
  record.latency_source = fields[column++];
  const std::string& stopped = fields[column++];
  if (stopped != "0" && stopped != "1")
    throw std::invalid_argument(fmt::format("stopped_early: expected 0 or 1, got '{}'", stopped));
  record.stopped_early = stopped == "1";
  record.check(schema);
  return record;
}

nlohmann::ordered_json to_json(const Score& score) {
  if (is_count_score(score.kind))
    return {{"percent", round_decimals(score.value, kPercentDecimals)},
            {"correct", score.matches},
            {"total", score.samples},
            {"ci_low", round_decimals(score.ci_low, kPercentDecimals)},
            {"ci_high", round_decimals(score.ci_high, kPercentDecimals)}};
  return {{score_column(score.kind), score.value},
          {"samples", score.samples},
          {"ci_low", score.ci_low},
          {"ci_high", score.ci_high}};
}

nlohmann::ordered_json to_json(const PointRecord& record, const RunSchema& schema) {
  record.check(schema);
  nlohmann::ordered_json thresholds = nlohmann::ordered_json::object();
  nlohmann::ordered_json skipped = nlohmann::ordered_json::object();
  for (size_t i = 0; i < schema.layers.size(); ++i) {
    thresholds[schema.layers[i].name] = record.thresholds[i];
    skipped[schema.layers[i].name] = record.skipped_macs[i];
  }
  nlohmann::ordered_json accuracy = nlohmann::ordered_json::object();
  for (Split split : kAllSplits) {
    const auto& value = record.score(split);
    accuracy[split_name(split)] = value ? to_json(*value) : nlohmann::ordered_json(nullptr);
  }
  nlohmann::ordered_json boards = nlohmann::ordered_json::object();
  for (size_t i = 0; i < schema.boards.size(); ++i)
    boards[schema.boards[i]] = {{"cycles", record.boards[i].cycles},
                                {"ms", record.boards[i].ms},
                                {"flash_bytes", record.boards[i].flash_bytes}};
  return {{"key", record.key},       {"thresholds", thresholds},
          {"skipped_macs", skipped}, {"macs_kept", record.macs_kept},
          {is_count_score(schema.score) ? "accuracy" : "score", accuracy},
          {"boards", boards},
          {"latency_source", record.latency_source}};
}

}  // namespace tinyskip::engine
