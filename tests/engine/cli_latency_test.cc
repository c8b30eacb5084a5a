// Where an exploration's cycles come from (config "latency"), as a user runs
// it: measured latency is cached by content, so a second run builds and
// times nothing and scores every point the same; winners go by their own
// programs' cycles, so a larger loss budget never gets a slower winner; "auto" falls back to the
// cost model where no cross-compiler runs, and an explicit "measured" then
// fails before any run directory exists, naming the compiler and the way out.
// (That the measured cycles are those of the generated code is proven in
// cli_codegen_test.cc and codegen_cmsis_nn_emulator_test.cc.)
#include <catch2/catch.hpp>

#include <algorithm>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/engine/cli_test_support.h"
#include "tests/engine/small_experiment.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(test::read_text(path)); }

test::CommandResult run(const fs::path& config, const std::string& run_id) {
  return test::run_cli("run " + test::quoted(config) + " --run-id " + run_id);
}

// Every data row's latency_source cell (the column the header names so).
std::vector<std::string> latency_sources(const fs::path& run_dir) {
  const auto fields = [](const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
    return cells;
  };
  std::vector<std::string> sources;
  std::istringstream rows(test::read_text(run_dir / "points.csv"));
  std::string line;
  std::getline(rows, line);
  const std::vector<std::string> header = fields(line);
  const auto column = static_cast<size_t>(std::find(header.begin(), header.end(), "latency_source") - header.begin());
  REQUIRE(column < header.size());
  while (std::getline(rows, line)) sources.push_back(fields(line).at(column));
  return sources;
}

TEST_CASE("tinyskip run with measured latency: a second run times nothing and scores every point the same",
          "[latency]") {
  test::TempDir dir;
  const fs::path cache = dir.path() / "latency_cache";
  const fs::path config = test::write_small_experiment(
      dir.path(), "lenet_latency_cache", test::lenet_model(), "1/255", {"conv3"},
      {{"flash", {{"source", "estimated"}}},
       {"latency", {{"source", "measured"}, {"cache_dir", cache.string()}}},
       {"winners", {{"accuracy_loss_budgets", {0, 2, 100}}}}});

  const test::CommandResult first = run(config, "a");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const fs::path run_a = dir.path() / "results" / "lenet_latency_cache" / "a";
  const nlohmann::json latency_a = read_json(run_a / "run.json")["latency"];
  CHECK(latency_a["source"] == "measured");
  // The exact model and one program per threshold level (3) at least; the
  // winner's program may be one of those.
  CHECK(latency_a["programs_timed"].get<int>() >= 4);
  CHECK(fs::exists(cache));

  const test::CommandResult second = run(config, "b");
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  const fs::path run_b = dir.path() / "results" / "lenet_latency_cache" / "b";
  const nlohmann::json latency_b = read_json(run_b / "run.json")["latency"];
  CHECK(latency_b["programs_timed"] == 0);
  CHECK(latency_b["programs_cached"].get<int>() ==
        latency_a["programs_timed"].get<int>() + latency_a["programs_cached"].get<int>());
  CHECK(test::read_text(run_b / "points.csv") == test::read_text(run_a / "points.csv"));
  CHECK(read_json(run_b / "run.json")["exact"] == read_json(run_a / "run.json")["exact"]);

  // Rows name their source: the table for points, the whole program for the winner.
  const std::vector<std::string> sources = latency_sources(run_a);
  CHECK(std::count(sources.begin(), sources.end(), "table") >= 3);
  CHECK(std::count(sources.begin(), sources.end(), "program") >= 1);
  CHECK(std::count(sources.begin(), sources.end(), "model") == 0);
  // Every winner goes by its own program, and a larger budget never gets a slower one.
  double previous_cycles = 0;
  for (const char* budget : {"0", "2", "100"}) {
    const nlohmann::json winner = read_json(run_a / "winners" / (std::string(budget) + ".json"));
    INFO("budget " << budget);
    CHECK(winner["point"]["latency_source"] == "program");
    const double cycles = winner["point"]["boards"]["nucleo_f401re"]["cycles"].get<double>();
    if (previous_cycles > 0) CHECK(cycles <= previous_cycles);
    previous_cycles = cycles;
  }
  CHECK_THAT(first.output, Contains("exact model on tinyskip runtime kernels, measured"));
}

TEST_CASE("tinyskip run without a cross-compiler: auto latency is the cost model's, measured is a clear error",
          "[latency]") {
  test::TempDir dir;
  test::write_text(dir.path() / "toolchain.json",
                   R"({"name": "missing", "gcc": "tinyskip-no-such-gcc", "size": "tinyskip-no-such-size",
                       "flags": ["-mcpu=cortex-m4"], "optimisation_levels": ["-Os"], "notes": ""})");
  const nlohmann::json flash = {{"source", "estimated"}, {"toolchain", (dir.path() / "toolchain.json").string()}};

  const fs::path automatic = dir.path() / "auto";
  fs::create_directories(automatic);
  const fs::path auto_config = test::write_small_experiment(automatic, "lenet_auto", test::lenet_model(), "1/255",
                                                            {"conv3"}, {{"flash", flash}});
  const test::CommandResult fallback = run(auto_config, "a");
  INFO(fallback.output);
  REQUIRE(fallback.exit_code == 0);
  const fs::path run_dir = automatic / "results" / "lenet_auto" / "a";
  CHECK(read_json(run_dir / "run.json")["latency"]["source"] == "model");
  const std::vector<std::string> sources = latency_sources(run_dir);
  REQUIRE_FALSE(sources.empty());
  CHECK(std::count(sources.begin(), sources.end(), "model") == static_cast<long>(sources.size()));
  CHECK_THAT(fallback.output, Contains("cost model"));

  const fs::path measured = dir.path() / "measured";
  fs::create_directories(measured);
  const fs::path measured_config =
      test::write_small_experiment(measured, "lenet_measured", test::lenet_model(), "1/255", {"conv3"},
                                   {{"flash", flash}, {"latency", {{"source", "measured"}}}});
  const test::CommandResult refused = run(measured_config, "a");
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Contains("tinyskip-no-such-gcc not found") && Contains("\"source\": \"model\""));
  CHECK_FALSE(fs::exists(measured / "results" / "lenet_measured"));
}

}  // namespace
}  // namespace tinyskip
