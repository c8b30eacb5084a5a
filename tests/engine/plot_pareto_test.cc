// scripts/plot_pareto.py on a small run directory written by RunStore, so the
// script is checked against the files tinyskip really writes.
#include <cstdlib>

#include <catch2/catch.hpp>

#include "engine/results/run_store.h"
#include "tests/required_tool.h"
#include "tests/engine/results_test_support.h"

namespace fs = std::filesystem;

namespace {

// The first interpreter that has numpy and matplotlib: $TINYSKIP_PYTHON,
// python3 on PATH, then Debian's /usr/bin/python3 (where the python3-matplotlib
// package installs, even when PATH finds another python3 first).
std::string find_python() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("TINYSKIP_PYTHON")) candidates.push_back(env);
  candidates.push_back("python3");
  candidates.push_back("/usr/bin/python3");
  for (const std::string& python : candidates)
    if (std::system((python + " -c 'import matplotlib, numpy' >/dev/null 2>&1").c_str()) == 0) return python;
  return {};
}

std::string script() { return std::string(TINYSKIP_SOURCE_DIR) + "/scripts/plot_pareto.py"; }

// 16 points, a 5-point front with a baseline, winners for 0.5 and 2 pp.
void write_synthetic_run(tinyskip::engine::RunStore& store) {
  for (int i = 0; i < 16; ++i) store.append(tinyskip::results_test::RunFixture::record(i));
  tinyskip::engine::ParetoSummary summary;
  summary.objectives = {"error", "cycles"};
  summary.baseline = tinyskip::results_test::RunFixture::record(0);
  for (int i : {0, 1, 6, 11, 15}) summary.front.push_back(tinyskip::results_test::RunFixture::record(i));
  summary.hypervolume = 0.8;
  summary.hypervolume_reference = {10, 1};
  summary.evaluations = 16;
  store.write_pareto(summary);
  for (auto [budget, point] : {std::pair{0.5, 1}, std::pair{2.0, 6}}) {
    tinyskip::engine::WinnerRecord winner;
    winner.budget = budget;
    winner.point = tinyskip::results_test::RunFixture::record(point);
    winner.masks = {{3, "conv2", 2400, 100, true, "m"}, {5, "conv3", 4800, 200, true, "m"}};
    store.write_winner(winner);
  }
}

}  // namespace

TEST_CASE("plot_pareto.py draws PNG and SVG figures of a run directory") {
  const std::string python = find_python();
  if (!tinyskip::test::require_tool(!python.empty(), "python3 with numpy and matplotlib (plot_pareto.py)")) return;
  const tinyskip::results_test::RunFixture fixture;
  tinyskip::engine::RunStore store = fixture.open("plot");
  write_synthetic_run(store);
  const fs::path out = fixture.layout.root() / "plots out";
  const std::string command =
      python + " '" + script() + "' '" + store.dir().string() + "' --out '" + out.string() + "' >/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);

  for (const char* name : {"pareto.png", "pareto.svg", "skip_fractions.png", "skip_fractions.svg"}) {
    INFO(name);
    REQUIRE(fs::is_regular_file(out / name));
    // A figure with axes, 16 points, lines and a legend is tens of kB; an
    // empty canvas would be a few hundred bytes.
    CHECK(fs::file_size(out / name) > 10000);
  }
  CHECK(tinyskip::results_test::read_text(out / "pareto.png").substr(0, 8) == "\x89PNG\r\n\x1a\n");
  CHECK(tinyskip::results_test::read_text(out / "pareto.svg").find("<svg") != std::string::npos);
}

TEST_CASE("plot_pareto.py fails with a clear message on a directory without run files") {
  const std::string python = find_python();
  if (!tinyskip::test::require_tool(!python.empty(), "python3 with numpy and matplotlib (plot_pareto.py)")) return;
  const tinyskip::results_test::TempDir dir;
  const fs::path log = dir.path() / "stderr.txt";
  const std::string command = python + " '" + script() + "' '" + dir.path().string() + "' 2>'" + log.string() + "'";
  CHECK(std::system(command.c_str()) != 0);
  const std::string message = tinyskip::results_test::read_text(log);
  CHECK(message.find("plot_pareto.py: ") == 0);
  CHECK(message.find("run.json: missing") != std::string::npos);
}
