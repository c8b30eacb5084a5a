// A small experiment on a shipped model, run with the tinyskip CLI as a user
// runs it, for the end-to-end codegen tests: significance on 100 training
// images, a grid over thresholds {0, 0.01, 0.05} of `layers` scored on 300
// test images, one winner budget of 100 points (the fastest front point, i.e.
// the most aggressive one).
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/engine/cli_test_support.h"
#include "tests/engine/codegen_test_support.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

namespace tinyskip::test {

// <dir>/config.json; the keys of `extra` are added to (or replace) the config's.
inline std::filesystem::path write_small_experiment(const std::filesystem::path& dir, const std::string& name,
                                                    const std::string& model, const std::string& pixel_scale,
                                                    const nlohmann::json& layers,
                                                    const nlohmann::json& extra = nlohmann::json::object()) {
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  nlohmann::json config = {
      {"name", name},
      {"model", model},
      {"pixel_scale", pixel_scale},
      {"data_dir", cifar10_dir()},
      {"splits", {{"calibration", {{"files", {"data_batch_1.bin"}}, {"begin", 0}, {"end", 100}}},
                  {"search", {{"files", {"test_batch.bin"}}, {"begin", 0}, {"end", 300}}},
                  {"report", {{"files", {"test_batch.bin"}}, {"begin", 5000}, {"end", 5300}}}}},
      {"approximate", {{"layers", layers}, {"thresholds", {{"values", {0, 0.01, 0.05}}}}}},
      {"search", {{"algorithm", "grid"}}},
      {"boards", {mcu + "nucleo_f401re.json"}},
      {"winners", {{"accuracy_loss_budgets", {100}}}},
      {"results_dir", "results"},
      // One timing cache for every test run of this build (measured latency).
      {"latency", {{"cache_dir", std::string(TINYSKIP_BINARY_DIR) + "/test_latency_cache"}}}};
  config.update(extra);
  const std::filesystem::path file = dir / "config.json";
  write_text(file, config.dump(2));
  return file;
}

// `tinyskip run CONFIG --run-id e2e`; returns the run directory
// (<dir>/results/<name>/e2e, with winners/100.json).
inline std::filesystem::path run_small_experiment(const std::filesystem::path& config, const std::string& name) {
  const CommandResult explored = run_cli("run " + quoted(config) + " --run-id e2e");
  INFO(explored.output);
  REQUIRE(explored.exit_code == 0);
  const std::filesystem::path run = config.parent_path() / "results" / name / "e2e";
  REQUIRE(std::filesystem::exists(run / "winners" / "100.json"));
  return run;
}

// The cell of `column` in the points.csv row for `key` (last row wins; "" when none).
inline std::string points_csv_cell(const std::filesystem::path& run, const std::string& key, const std::string& column) {
  std::istringstream rows(read_text(run / "points.csv"));
  std::string header, line, value;
  std::getline(rows, header);
  std::vector<std::string> columns;
  std::istringstream header_stream(header);
  while (std::getline(header_stream, value, ',')) columns.push_back(value);
  const auto index = std::find(columns.begin(), columns.end(), column) - columns.begin();
  REQUIRE(index < static_cast<long>(columns.size()));
  std::string cell;
  while (std::getline(rows, line)) {
    std::vector<std::string> cells;
    std::istringstream cell_stream(line);
    while (std::getline(cell_stream, value, ',')) cells.push_back(value);
    if (!cells.empty() && cells[0] == key) cell = cells.at(static_cast<size_t>(index));
  }
  return cell;
}

// The primary board's flash_bytes of the points.csv row for `key`.
inline int64_t flash_in_points_csv(const std::filesystem::path& run, const std::string& key) {
  return std::stoll(points_csv_cell(run, key, "nucleo_f401re_flash_bytes"));
}

// `tinyskip measure DIR --board nucleo_f401re`: the cycles of the check
// program's first inference, as the timing engine measures them.
inline uint64_t measured_f401re_cycles(const std::filesystem::path& generated) {
  const std::filesystem::path json = generated.parent_path() / (generated.filename().string() + "_measure.json");
  const CommandResult measured = run_cli("measure " + test::quoted(generated) + " --board " +
                                         test::quoted(std::filesystem::path(TINYSKIP_SOURCE_DIR) / "configs/mcu/nucleo_f401re.json") +
                                         " --json " + test::quoted(json));
  INFO(measured.output);
  REQUIRE(measured.exit_code == 0);
  const nlohmann::json result = nlohmann::json::parse(read_text(json));
  return result.at("variants").at(0).at("boards").at(0).at("cycles").get<uint64_t>();
}

}  // namespace tinyskip::test
