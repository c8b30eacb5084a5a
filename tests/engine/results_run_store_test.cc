// The run directory: crash-safe points.csv, resume, atomic whole-file writes,
// deterministic bytes and the documented formats.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cmath>
#include <map>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "engine/results/atomic_file.h"
#include "engine/results/run_store.h"
#include "tests/engine/results_test_support.h"

using Catch::Matchers::Contains;
using nlohmann::json;
using tinyskip::engine::PointRecord;
using tinyskip::engine::ResultsError;
using tinyskip::engine::RunStore;
using tinyskip::results_test::read_text;
using tinyskip::results_test::RunFixture;

namespace fs = std::filesystem;

namespace {

void check_same(const PointRecord& got, const PointRecord& want) {
  INFO("point " << want.key);
  CHECK(got.key == want.key);
  CHECK(got.thresholds == want.thresholds);  // exact: written in shortest round-trip form
  CHECK(got.skipped_macs == want.skipped_macs);
  CHECK(got.macs_kept == want.macs_kept);
  REQUIRE(got.search.has_value());
  CHECK(got.search->matches == want.search->matches);
  CHECK(got.search->samples == want.search->samples);
  CHECK(got.report.has_value() == want.report.has_value());
  if (want.report) CHECK(got.report->matches == want.report->matches);
  CHECK_FALSE(got.test_all.has_value());
  REQUIRE(got.boards.size() == want.boards.size());
  for (size_t b = 0; b < want.boards.size(); ++b) {
    CHECK(got.boards[b].cycles == want.boards[b].cycles);
    CHECK(got.boards[b].ms == want.boards[b].ms);
    CHECK(got.boards[b].flash_bytes == want.boards[b].flash_bytes);
  }
  CHECK(got.latency_source == want.latency_source);
}

std::vector<fs::path> all_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  return files;
}

tinyskip::engine::WinnerRecord winner_for(double budget, int point) {
  tinyskip::engine::WinnerRecord winner;
  winner.budget = budget;
  winner.budget_measure = 0.4;
  winner.point = RunFixture::record(point);
  winner.masks = {{3, "conv2", 2400, 312, true, "r:0*100,1*2"}, {5, "conv3", 4800, 1024, true, "r:1*4,0*9"}};
  return winner;
}

tinyskip::engine::ParetoSummary pareto_summary() {
  tinyskip::engine::ParetoSummary summary;
  summary.objectives = {"error", "cycles"};
  summary.baseline = RunFixture::record(0);
  summary.front = {RunFixture::record(0), RunFixture::record(5), RunFixture::record(10)};
  summary.hypervolume = 1.25;
  summary.hypervolume_reference = {10.0, 1.0};
  summary.evaluations = 12;
  return summary;
}

}  // namespace

TEST_CASE("appended points load back, a crash's partial row is dropped and resume continues cleanly") {
  const RunFixture fixture;
  constexpr int kPoints = 7;
  fs::path points_csv;
  {
    RunStore store = fixture.open("crash");
    for (int i = 0; i < kPoints; ++i) store.append(RunFixture::record(i));
    points_csv = store.dir() / "points.csv";
  }
  // A crash in the middle of writing point 7's row: part of a line, no newline.
  {
    std::ofstream out(points_csv, std::ios::app | std::ios::binary);
    out << "3-1,0.003,0.0";
  }
  {
    RunStore store = fixture.open("crash", /*resume=*/true);
    CHECK(store.resumed());
    CHECK(store.dropped_partial_row());
    const std::vector<PointRecord> loaded = store.load_points();
    REQUIRE(loaded.size() == kPoints);
    for (int i = 0; i < kPoints; ++i) check_same(loaded[static_cast<size_t>(i)], RunFixture::record(i));
    store.append(RunFixture::record(kPoints));
    REQUIRE(store.load_points().size() == kPoints + 1);
    check_same(store.load_points().back(), RunFixture::record(kPoints));
  }
  // Header plus 8 complete rows and nothing else.
  const std::string text = read_text(points_csv);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1 + kPoints + 1);
  CHECK(text.back() == '\n');
  CHECK(text.find("0.003,0.0\n") == std::string::npos);
}

TEST_CASE("load_points also ignores a partial row when not resuming, and keeps the last row of a key") {
  const RunFixture fixture;
  RunStore store = fixture.open("dup");
  store.append(RunFixture::record(1));
  store.append(RunFixture::record(2));
  PointRecord again = RunFixture::record(1);
  again.report = tinyskip::engine::Score::count(tinyskip::engine::ScoreKind::kTop1, 777, 1000);  // report split filled in later
  store.append(again);
  {
    std::ofstream out(store.dir() / "points.csv", std::ios::app | std::ios::binary);
    out << "9-9";
  }
  const auto loaded = store.load_points();
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].key == "1-0");
  REQUIRE(loaded[0].report.has_value());
  CHECK(loaded[0].report->matches == 777);
  CHECK(loaded[1].key == "2-0");
}

TEST_CASE("a malformed complete row is an error naming its line") {
  const RunFixture fixture;
  RunStore store = fixture.open("bad");
  store.append(RunFixture::record(0));
  {
    std::ofstream out(store.dir() / "points.csv", std::ios::app | std::ios::binary);
    out << "1-0,0.001\n";
  }
  CHECK_THROWS_WITH(store.load_points(), Contains("points.csv:3: expected"));
}

TEST_CASE("points.csv rows have the documented columns and fixed number formats") {
  const RunFixture fixture;
  PointRecord record;
  record.key = "3-1";
  record.thresholds = {0.003, 0.001};
  record.skipped_macs = {1200, 800};
  record.macs_kept = 398000;
  record.search = tinyskip::engine::Score::count(tinyskip::engine::ScoreKind::kTop1, 10, 10);
  record.boards = {{123456, 1.5, 20480}, {100000, 0.25, 20000}};
  record.latency_source = "table";
  // 10/10 correct: Wilson upper bound is exactly 1 and the lower bound
  // simplifies to 1 / (1 + z^2 / n) with z = 1.959963984540054, n = 10.
  const double z = 1.959963984540054;
  const std::string ci_low = fmt::format("{:.4f}", 100.0 / (1 + z * z / 10));
  const std::string expected_row = "3-1,0.003,0.001,1200,800,398000,100.0000,10,10," + ci_low +
                                   ",100.0000,,,,,,,,,,,123456,1.5,20480,100000,0.25,20000,table,0";
  CHECK(tinyskip::engine::csv_row(record, fixture.schema) == expected_row);
  CHECK(tinyskip::engine::csv_header(fixture.schema) ==
        "key,threshold_conv2,threshold_conv3,skipped_macs_conv2,skipped_macs_conv3,macs_kept,"
        "search_accuracy_pct,search_correct,search_total,search_ci_low_pct,search_ci_high_pct,"
        "report_accuracy_pct,report_correct,report_total,report_ci_low_pct,report_ci_high_pct,"
        "test_all_accuracy_pct,test_all_correct,test_all_total,test_all_ci_low_pct,test_all_ci_high_pct,"
        "nucleo_f401re_cycles,nucleo_f401re_ms,nucleo_f401re_flash_bytes,"
        "nucleo_f411re_cycles,nucleo_f411re_ms,nucleo_f411re_flash_bytes,latency_source,stopped_early");
  CHECK(tinyskip::engine::parse_csv_row(expected_row, fixture.schema).latency_source == "table");
  CHECK_FALSE(tinyskip::engine::parse_csv_row(expected_row, fixture.schema).stopped_early);
  // A stopped point says so in the last column; anything but 0 or 1 is refused.
  record.stopped_early = true;
  CHECK(tinyskip::engine::csv_row(record, fixture.schema) == expected_row.substr(0, expected_row.size() - 1) + "1");
  CHECK(tinyskip::engine::parse_csv_row(expected_row.substr(0, expected_row.size() - 1) + "1", fixture.schema)
            .stopped_early);
  CHECK_THROWS_WITH(
      tinyskip::engine::parse_csv_row(expected_row.substr(0, expected_row.size() - 1) + "yes", fixture.schema),
      Contains("stopped_early"));
  record.stopped_early = false;
  // A source the format does not know is refused, written or read.
  CHECK_THROWS_WITH(tinyskip::engine::parse_csv_row(expected_row.substr(0, expected_row.size() - 7) + "guess,0",
                                                    fixture.schema),
                    Contains("latency_source 'guess'"));
  record.latency_source = "guess";
  CHECK_THROWS_AS(tinyskip::engine::csv_row(record, fixture.schema), std::invalid_argument);
  record.latency_source = "table";

  record.thresholds.pop_back();
  CHECK_THROWS_AS(tinyskip::engine::csv_row(record, fixture.schema), std::invalid_argument);
}

TEST_CASE("run.json records the resolved config, input hashes and status") {
  const RunFixture fixture;
  RunStore store = fixture.open("meta");
  json run = json::parse(read_text(store.dir() / "run.json"));
  CHECK(run["status"] == "running");
  CHECK(run["experiment"] == "lenet_test");
  CHECK(run["run_id"] == "meta");
  CHECK(run["version"] == TINYSKIP_VERSION);
  CHECK(run["seed"] == 1);
  CHECK(run["threads"] == 2);
  CHECK(run["primary_board"] == "nucleo_f411re");
  CHECK(run["config_hash"] == tinyskip::engine::config_hash(fixture.config));
  CHECK(run["config"] == tinyskip::engine::to_json(fixture.config));
  // The model file holds "a", the data files are empty: FNV-1a 64 test vectors.
  CHECK(run["model"]["fnv1a64"] == "af63dc4c8601ec8c");
  REQUIRE(run["data_files"].size() == 2);  // data_batch_1.bin, test_batch.bin
  CHECK(run["data_files"][0]["fnv1a64"] == "cbf29ce484222325");
  CHECK(run["layers"][1]["name"] == "conv3");
  CHECK(run["layers"][1]["macs"] == 200000);

  store.record_timing("search", 1.5);
  store.set_run_field("algorithm_used", "grid");
  store.finish();
  run = json::parse(read_text(store.dir() / "run.json"));
  CHECK(run["status"] == "finished");
  CHECK(run["timings"]["search"] == 1.5);
  CHECK(run["algorithm_used"] == "grid");
  CHECK(run.contains("finished_at"));
}

TEST_CASE("run directories: default id, no silent overwrite, resume checks") {
  RunFixture fixture;
  {
    RunStore store = fixture.open("");
    // "<YYYYmmdd-HHMMSS>-seed1": 8 digits, '-', 6 digits, "-seed1".
    const std::string id = store.run_id();
    REQUIRE(id.size() == 21);
    CHECK(id.substr(15) == "-seed1");
    CHECK(std::all_of(id.begin(), id.begin() + 8, ::isdigit));
    CHECK(store.dir() == fixture.layout.root() / "results/lenet_test" / id);
  }
  { RunStore store = fixture.open("r1"); }
  CHECK_THROWS_WITH(fixture.open("r1"), Contains("run directory exists"));
  CHECK_THROWS_WITH(fixture.open("nope", true), Contains("cannot resume: no such run"));
  CHECK_THROWS_AS(fixture.open("../up"), ResultsError);
  // Resume without an id reopens the most recently written run.
  CHECK(fixture.open("", true).run_id() == "r1");

  // Same experiment with another budget: not the run that was started.
  json changed = tinyskip::results_test::ExperimentLayout::minimal_config();
  changed["search"] = {{"budget", 20}};
  fixture.config = fixture.layout.load(changed);
  CHECK_THROWS_WITH(fixture.open("r1", true), Contains("cannot resume: the config changed"));
  // Changing the threads only is fine.
  changed = tinyskip::results_test::ExperimentLayout::minimal_config();
  changed["threads"] = 1;
  fixture.config = fixture.layout.load(changed);
  CHECK_NOTHROW(fixture.open("r1", true));
  // The model's bytes changed.
  tinyskip::results_test::write_text(fixture.layout.root() / "models/m.tflite", "b");
  CHECK_THROWS_WITH(fixture.open("r1", true), Contains("cannot resume: the model file changed"));
}

TEST_CASE("pareto.json and winners files carry the documented fields") {
  const RunFixture fixture;
  RunStore store = fixture.open("summary");
  store.write_pareto(pareto_summary());
  const fs::path winner_path = store.write_winner(winner_for(0.5, 5));
  CHECK(winner_path == store.dir() / "winners/0.5.json");
  CHECK(store.write_winner(winner_for(2, 10)).filename() == "2.json");

  const json pareto = json::parse(read_text(store.dir() / "pareto.json"));
  CHECK(pareto["format"] == "tinyskip-pareto/1");
  CHECK(pareto["primary_board"] == "nucleo_f411re");
  CHECK(pareto["evaluations"] == 12);
  CHECK(pareto["hypervolume"] == 1.25);
  // Nothing that depends on the machine or the moment: the same run gives the same bytes.
  CHECK_FALSE(pareto.contains("wall_seconds"));
  REQUIRE(pareto["front"].size() == 3);
  const json& front1 = pareto["front"][1];  // record(5): levels (1, 1)
  CHECK(front1["key"] == "1-1");
  CHECK(front1["thresholds"]["conv3"] == 0.001);
  CHECK(front1["accuracy"]["search"]["correct"] == 900 - 13 - 29);
  CHECK(front1["accuracy"]["search"]["percent"] == 85.8);  // 858 / 1000
  CHECK(front1["accuracy"]["report"].is_null());           // odd points have no report split
  CHECK(front1["boards"]["nucleo_f411re"]["cycles"] == 1.0e6 - 40000 - 90000);
  CHECK(pareto["baseline"]["key"] == "0-0");

  const json winner = json::parse(read_text(winner_path));
  CHECK(winner["format"] == "tinyskip-winner/1");
  CHECK(winner["accuracy_loss_budget_pp"] == 0.5);
  CHECK(winner["point"]["key"] == "1-1");
  REQUIRE(winner["layers"].size() == 2);
  CHECK(winner["layers"][0]["op_index"] == 3);
  CHECK(winner["layers"][0]["threshold"] == 0.001);
  CHECK(winner["layers"][0]["weights"] == 2400);
  CHECK(winner["layers"][0]["skipped"] == 312);
  CHECK(winner["layers"][1]["mask"] == "r:1*4,0*9");
  CHECK(winner["layers"][1]["pair_mode"] == true);
  CHECK(winner["model_fnv1a64"] == "af63dc4c8601ec8c");

  auto bad = winner_for(1, 5);
  bad.masks[1].name = "conv4";
  CHECK_THROWS_AS(store.write_winner(bad), std::invalid_argument);
}

TEST_CASE("atomic writes replace files whole and leave no temporary files") {
  const RunFixture fixture;
  RunStore store = fixture.open("atomic");
  store.write_pareto(pareto_summary());
  store.write_pareto(pareto_summary());  // replaces the existing file
  store.write_winner(winner_for(0, 0));
  store.finish();
  const auto files = all_files(store.dir());
  CHECK(files.size() == 5);  // run.json, points.csv, pareto.json, winners/0.json, run.lock
  for (const fs::path& file : files) {
    INFO(file.string());
    CHECK_FALSE(tinyskip::engine::is_atomic_temp_name(file.filename().string()));
    CHECK(file.filename().string().find(".tmp") == std::string::npos);
  }

  const fs::path target = store.dir() / "notes.txt";
  tinyskip::engine::write_file_atomically(target, "first");
  tinyskip::engine::write_file_atomically(target, "second");
  CHECK(read_text(target) == "second");
  // A failing write (the parent is a file) throws and leaves nothing behind.
  CHECK_THROWS_AS(tinyskip::engine::write_file_atomically(target / "x.json", "{}"), ResultsError);
  CHECK(all_files(store.dir()).size() == 6);
}

TEST_CASE("resume removes the temporaries of atomic writes a killed process left") {
  const RunFixture fixture;
  fs::path dir;
  {
    RunStore store = fixture.open("stale");
    store.write_winner(winner_for(0, 0));
    dir = store.dir();
  }
  // The names write_file_atomically gives its temporaries (".<file>.tmp-<pid>-<n>").
  tinyskip::results_test::write_text(dir / ".pareto.json.tmp-4242-7", "{\"front\": [");
  tinyskip::results_test::write_text(dir / "winners" / ".0.5.json.tmp-4242-8", "{");
  REQUIRE(all_files(dir).size() == 6);
  RunStore resumed = fixture.open("stale", true);
  CHECK_FALSE(fs::exists(dir / ".pareto.json.tmp-4242-7"));
  CHECK_FALSE(fs::exists(dir / "winners" / ".0.5.json.tmp-4242-8"));
  CHECK(fs::exists(dir / "winners" / "0.json"));
  CHECK(all_files(dir).size() == 4);  // run.json, points.csv, run.lock, winners/0.json
}

TEST_CASE("a run.json rewritten with its keys sorted (jq, Python) still resumes") {
  const RunFixture fixture;
  fs::path dir;
  {
    RunStore store = fixture.open("sorted");
    store.append(RunFixture::record(3));
    dir = store.dir();
  }
  const json sorted = json::parse(read_text(dir / "run.json"));  // nlohmann::json sorts keys
  REQUIRE(sorted["data_files"][0].begin().key() == "fnv1a64");   // written as {"path", "fnv1a64"}
  tinyskip::results_test::write_text(dir / "run.json", sorted.dump(1));
  CHECK(fixture.open("sorted", true).load_points().size() == 1);
}

TEST_CASE("a run is owned by one process: a second open is refused while it lives, and a killed owner leaves no lock") {
  const RunFixture fixture;
  {
    RunStore owner = fixture.open("busy");
    owner.append(RunFixture::record(0));
    const std::string before = read_text(owner.dir() / "points.csv");
    // flock conflicts between open file descriptions, so a second store in this
    // process is refused exactly as a second process would be.
    CHECK_THROWS_WITH(fixture.open("busy", true), Contains("is in use by another tinyskip process"));
    CHECK_THROWS_WITH(fixture.open("busy"), Contains("run directory exists"));
    owner.append(RunFixture::record(1));
    // The refused attempts neither cut nor touched the owner's rows.
    CHECK(read_text(owner.dir() / "points.csv") == before + tinyskip::engine::csv_row(RunFixture::record(1), owner.schema()) + "\n");
  }
  CHECK(fixture.open("busy", true).load_points().size() == 2);  // released on close

  // A child process opens the run and dies by SIGKILL while holding it.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      RunStore store = fixture.open("busy", true);
      store.append(RunFixture::record(2));
      ::kill(::getpid(), SIGKILL);
    } catch (...) {
    }
    ::_exit(3);  // only reached if the child could not open the run
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  RunStore resumed = fixture.open("busy", true);
  CHECK(resumed.load_points().size() == 3);
}

TEST_CASE("the same run written twice gives byte-identical files") {
  const RunFixture fixture;
  std::map<std::string, std::string> first;
  for (int pass = 0; pass < 2; ++pass) {
    fs::path dir;
    {
      RunStore store = fixture.open("same");
      dir = store.dir();
      for (int i = 0; i < 12; ++i) store.append(RunFixture::record(i));
      store.write_pareto(pareto_summary());
      store.write_winner(winner_for(0.5, 5));
    }
    for (const char* name : {"points.csv", "pareto.json", "winners/0.5.json"}) {
      const std::string bytes = read_text(dir / name);
      if (pass == 0)
        first[name] = bytes;
      else
        CHECK(bytes == first[name]);
    }
    fs::remove_all(dir);
  }
  CHECK(first["points.csv"].size() > 500);
}

TEST_CASE("exact numbers read back exactly and stay plain decimals in the usual range") {
  using tinyskip::engine::exact_number;
  CHECK(exact_number(0.003) == "0.003");
  CHECK(exact_number(0.00001) == "0.00001");
  CHECK(exact_number(100000) == "100000");
  CHECK(exact_number(0) == "0");
  CHECK(exact_number(-2.5) == "-2.5");
  CHECK(exact_number(0.1 + 0.2) == "0.30000000000000004");  // the sum is not the double of 0.3
  CHECK(exact_number(1e-12) == "1e-12");
  CHECK(exact_number(1e20) == "1e+20");
  CHECK(tinyskip::engine::fixed_number(71.23, 4) == "71.2300");
  CHECK(tinyskip::engine::winner_file_name(0.5) == "0.5.json");
  CHECK(tinyskip::engine::winner_file_name(0) == "0.json");
  CHECK_THROWS_AS(tinyskip::engine::winner_file_name(-1), std::invalid_argument);
}
