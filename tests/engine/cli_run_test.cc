// End-to-end: `tinyskip run` on the real shipped models with small splits,
// as a user runs it: the run directory's files, reproducibility (same config
// and seed give byte-identical points.csv), and resuming an interrupted run
// without re-evaluating or losing finished points.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/engine/cli_test_support.h"
#include "tests/shared_paths.h"

namespace fs = std::filesystem;
using tinyskip::test::run_cli;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// A fresh directory holding one experiment config; results go below it.
fs::path write_config(const std::string& name, const std::string& body) {
  const fs::path dir = fs::temp_directory_path() / ("tinyskip_run_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  std::ofstream(dir / "config.json") << "{\n"
      << "  \"name\": \"" << name << "\",\n"
      << "  \"data_dir\": \"" << tinyskip::test::cifar10_dir() << "\",\n"
      << "  \"boards\": [\"" << mcu << "nucleo_f401re.json\", \"" << mcu << "nucleo_l4r5zi.json\"],\n"
      << "  \"primary_board\": \"nucleo_f401re\",\n"
      << "  \"results_dir\": \"results\",\n"
      // Cycle-model flash keeps these tests fast; measured flash (a cross-
      // compile per layer and level) is covered by cli_codegen_test.cc.
      << "  \"flash\": {\"source\": \"estimated\"}, \"latency\": {\"source\": \"model\"},\n"
      << body << "\n}\n";
  return dir;
}

const std::string kLenetBody = R"(
  "model": ")" + tinyskip::test::lenet_model() + R"(",
  "pixel_scale": "1/255",
  "splits": {"calibration": {"files": ["data_batch_1.bin"], "begin": 0, "end": 100},
             "search": {"files": ["test_batch.bin"], "begin": 0, "end": 300},
             "report": {"files": ["test_batch.bin"], "begin": 5000, "end": 5300}},
  "approximate": {"layers": ["conv2", "conv3"], "thresholds": {"values": [0, 0.005, 0.02]}},
  "search": {"algorithm": "grid"},
  "winners": {"accuracy_loss_budgets": [0, 2]})";

}  // namespace

TEST_CASE("tinyskip run: LeNet grid writes every file, and the same config gives the same points") {
  const fs::path dir = write_config("lenet_grid", kLenetBody);
  const auto first = run_cli("run " + (dir / "config.json").string() + " --run-id a");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const fs::path run = dir / "results" / "lenet_grid" / "a";
  for (const char* file : {"run.json", "points.csv", "pareto.json", "winners/0.json", "winners/2.json"})
    CHECK(fs::exists(run / file));

  // 3 x 3 grid: 9 distinct keys in points.csv (front points appear again
  // with their report-split accuracy; the last row of a key wins).
  std::set<std::string> keys;
  const auto rows = lines_of(read_text(run / "points.csv"));
  for (size_t i = 1; i < rows.size(); ++i) keys.insert(rows[i].substr(0, rows[i].find(',')));
  CHECK(keys.size() == 9);
  CHECK(keys.count("0-0") == 1);
  CHECK(keys.count("2-2") == 1);

  const auto run_json = nlohmann::json::parse(read_text(run / "run.json"));
  CHECK(run_json["status"] == "finished");
  const auto pareto = nlohmann::json::parse(read_text(run / "pareto.json"));
  CHECK(pareto["evaluations"] == 9);
  CHECK(!pareto["front"].empty());

  // The zero-loss winner never loses accuracy on the held-out report split.
  const auto winner = nlohmann::json::parse(read_text(run / "winners" / "0.json"));
  CHECK(winner.dump().find("\"mask\"") != std::string::npos);

  const auto second = run_cli("run " + (dir / "config.json").string() + " --run-id b");
  REQUIRE(second.exit_code == 0);
  CHECK(read_text(run / "points.csv") == read_text(dir / "results" / "lenet_grid" / "b" / "points.csv"));
  CHECK(read_text(run / "winners" / "0.json").size() > 0);
  // Points shared the work of their common conv2 level; without sharing the
  // same files come out.
  CHECK(run_json["activation_sharing"]["resumed_past_first_layer"] == 6);
  CHECK(run_json["activation_sharing"]["mac_saving"].get<double>() > 0.0);
  std::string config = read_text(dir / "config.json");
  config.insert(config.find('{') + 1, "\n  \"activation_cache_mb\": 0,");
  std::ofstream(dir / "unshared.json") << config;
  const auto unshared = run_cli("run " + (dir / "unshared.json").string() + " --run-id c");
  REQUIRE(unshared.exit_code == 0);
  const fs::path c = dir / "results" / "lenet_grid" / "c";
  CHECK(nlohmann::json::parse(read_text(c / "run.json"))["activation_sharing"]["mac_saving"] == 0.0);
  CHECK(read_text(run / "points.csv") == read_text(c / "points.csv"));
  for (const char* winner : {"winners/0.json", "winners/2.json"}) {
    auto shared_winner = nlohmann::json::parse(read_text(run / winner));
    auto unshared_winner = nlohmann::json::parse(read_text(c / winner));
    shared_winner.erase("run_id");
    unshared_winner.erase("run_id");
    CHECK(shared_winner == unshared_winner);
  }
}

TEST_CASE("tinyskip run: an interrupted run resumes without re-evaluating or losing points") {
  // Same run id in two results directories, so that every output file,
  // identity fields included, can be compared byte for byte.
  const fs::path dir = write_config("lenet_resume", kLenetBody);
  std::string config = read_text(dir / "config.json");
  const std::string results_line = "\"results_dir\": \"results\"";
  REQUIRE(config.find(results_line) != std::string::npos);
  std::ofstream(dir / "cut.json") << config.replace(config.find(results_line), results_line.size(),
                                                    "\"results_dir\": \"cut\"");
  REQUIRE(run_cli("run " + (dir / "config.json").string() + " --run-id r").exit_code == 0);
  REQUIRE(run_cli("run " + (dir / "cut.json").string() + " --run-id r").exit_code == 0);
  const fs::path full = dir / "results" / "lenet_resume" / "r";
  const fs::path cut = dir / "cut" / "lenet_resume" / "r";

  // Simulate a crash after 4 points: keep the header and 4 rows, then half a
  // row, remove what the run writes after its search, and mark the run as
  // still running, as a killed process leaves it.
  const auto rows = lines_of(read_text(cut / "points.csv"));
  {
    std::ofstream out(cut / "points.csv", std::ios::trunc);
    for (size_t i = 0; i < 5; ++i) out << rows[i] << '\n';
    out << rows[5].substr(0, rows[5].size() / 2);
  }
  fs::remove_all(cut / "winners");
  fs::remove(cut / "pareto.json");
  nlohmann::json run_json = nlohmann::json::parse(read_text(cut / "run.json"));
  REQUIRE(run_json["status"] == "finished");
  run_json["status"] = "running";
  run_json.erase("finished_at");
  std::ofstream(cut / "run.json", std::ios::trunc) << run_json.dump(2) << '\n';

  const auto resumed = run_cli("run " + (dir / "cut.json").string() + " --resume --run-id r");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains("resuming: 4 points already evaluated"));
  const nlohmann::json after_json = nlohmann::json::parse(read_text(cut / "run.json"));
  CHECK(after_json["status"] == "finished");
  CHECK(after_json["resumed_at"].size() == 1);
  // The four saved rows are kept as written, the partial one is dropped, and
  // the finished run's files are the uninterrupted run's, byte for byte.
  const auto after = lines_of(read_text(cut / "points.csv"));
  for (size_t i = 0; i < 5; ++i) CHECK(after[i] == rows[i]);
  for (const char* file : {"points.csv", "pareto.json", "winners/0.json", "winners/2.json"}) {
    INFO(file);
    CHECK(read_text(cut / file) == read_text(full / file));
  }
}

TEST_CASE("tinyskip run: ResNet-8 NSGA-II over all convs uses exactly its budget, reproducibly") {
  const std::string body = R"(
  "model": ")" + tinyskip::test::resnet8_model() + R"(",
  "pixel_scale": "1",
  "splits": {"calibration": {"files": ["data_batch_1.bin"], "begin": 0, "end": 50},
             "search": {"files": ["test_batch.bin"], "begin": 0, "end": 150},
             "report": {"files": ["test_batch.bin"], "begin": 5000, "end": 5150}},
  "approximate": {"layers": ["all_conv"], "thresholds": {"values": [0, 0.01, 0.05, 0.1]}},
  "search": {"algorithm": "nsga2", "budget": 40, "population": 8, "seed": 7, "greedy_start": false},
  "winners": {"accuracy_loss_budgets": [0, 5]})";
  const fs::path dir = write_config("resnet8_nsga2", body);
  const auto first = run_cli("run " + (dir / "config.json").string() + " --run-id a");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const auto pareto = nlohmann::json::parse(read_text(dir / "results/resnet8_nsga2/a/pareto.json"));
  CHECK(pareto["evaluations"] == 40);  // 4^9 = 262,144 grid points: the budget binds
  REQUIRE(run_cli("run " + (dir / "config.json").string() + " --run-id b").exit_code == 0);
  CHECK(read_text(dir / "results/resnet8_nsga2/a/points.csv") ==
        read_text(dir / "results/resnet8_nsga2/b/points.csv"));
}

TEST_CASE("tinyskip run: a bad config names the key") {
  const fs::path dir = write_config("bad", kLenetBody + ",\n  \"serach\": {}");
  const auto result = run_cli("run " + (dir / "config.json").string());
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.output, Catch::Contains("serach"));
}

TEST_CASE("tinyskip run: with fit_board_flash every winner fits the primary board's flash") {
  const std::string body = kLenetBody + R"(,
  "constraints": {"fit_board_flash": true})";
  const fs::path dir = write_config("lenet_fit_flash", body);
  const auto result = run_cli("run " + (dir / "config.json").string() + " --run-id a");
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  // The F401RE has 512 KiB of flash (configs/mcu/nucleo_f401re.json).
  const auto board = nlohmann::json::parse(read_text(fs::path(TINYSKIP_SOURCE_DIR) / "configs/mcu/nucleo_f401re.json"));
  const int64_t flash = board["flash_bytes"].get<int64_t>();
  REQUIRE(flash == 524288);
  int winners = 0;
  for (const auto& entry : fs::directory_iterator(dir / "results/lenet_fit_flash/a/winners")) {
    const std::string text = read_text(entry.path());
    const auto position = text.find("\"nucleo_f401re\"");
    REQUIRE(position != std::string::npos);
    const auto flash_key = text.find("\"flash_bytes\":", position);
    REQUIRE(flash_key != std::string::npos);
    CHECK(std::stoll(text.substr(flash_key + 14)) <= flash);
    ++winners;
  }
  // Either some point fits, or the run says plainly that none does.
  CHECK((winners > 0 || result.output.find("no feasible point") != std::string::npos));
}

namespace {

// pareto.json and winners/*.json of a run, without what names the run and
// the experiment.
std::map<std::string, nlohmann::json> front_and_winners(const fs::path& run) {
  std::map<std::string, nlohmann::json> files;
  for (const auto& entry : fs::recursive_directory_iterator(run))
    if (entry.path().extension() == ".json" && entry.path().filename() != "run.json") {
      nlohmann::json json = nlohmann::json::parse(read_text(entry.path()));
      json.erase("run_id");
      json.erase("experiment");
      files[fs::relative(entry.path(), run).string()] = json;
    }
  return files;
}

// Runs the body with early stopping off and at two confidences, and checks
// that stopping changed nothing but the stopped rows and saved images.
void check_early_stopping(const std::string& name, const std::string& body, int search_images) {
  std::map<std::string, fs::path> runs;
  for (const auto& [id, setting] : std::map<std::string, std::string>{
           {"off", "false"},
           {"certain", R"({"confidence": 1, "block_images": 100})"},
           {"c999", R"({"confidence": 0.999, "block_images": 100})"}}) {
    std::string with = body;
    with.replace(with.find("EARLY"), 5, setting);
    const fs::path dir = write_config(name + "_" + id, with);
    const auto run = run_cli("run " + (dir / "config.json").string() + " --run-id r");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    runs[id] = dir / "results" / (name + "_" + id) / "r";
  }
  const auto full = front_and_winners(runs["off"]);
  REQUIRE(full.count("pareto.json"));
  REQUIRE(full.size() >= 3);  // pareto.json and winners
  const auto rows_of = [&](const fs::path& run) {
    std::map<std::string, std::vector<std::string>> rows;  // key -> fields; the last row of a key wins
    const auto lines = lines_of(read_text(run / "points.csv"));
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> fields;
      std::stringstream stream(lines[i]);
      for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
      rows[fields[0]] = fields;
    }
    return rows;
  };
  const auto header = lines_of(read_text(runs["off"] / "points.csv"))[0];
  std::vector<std::string> columns;
  std::stringstream stream(header);
  for (std::string column; std::getline(stream, column, ',');) columns.push_back(column);
  const size_t total = std::find(columns.begin(), columns.end(), "search_total") - columns.begin();
  REQUIRE(columns.back() == "stopped_early");
  const auto unstopped = rows_of(runs["off"]);
  for (const char* id : {"certain", "c999"}) {
    INFO("early stopping " << id);
    // The same front and the same winners, byte for byte in their content.
    CHECK(front_and_winners(runs[id]) == full);
    const auto run_json = nlohmann::json::parse(read_text(runs[id] / "run.json"));
    CHECK(run_json["early_stopping"]["active"] == true);
    CHECK(run_json["early_stopping"]["saved"].get<double>() > 0.0);
    int stopped = 0;
    for (const auto& [key, fields] : rows_of(runs[id])) {
      if (fields.back() == "1") {
        ++stopped;
        CHECK(std::stoi(fields[total]) < search_images);
        CHECK(std::stoi(fields[total]) % 100 == 0);
      } else {
        CHECK(fields == unstopped.at(key));  // unstopped points: every column as without stopping
      }
    }
    CHECK(stopped > 0);
  }
}

}  // namespace

TEST_CASE("tinyskip run: early stopping keeps the front and the winners of full evaluation") {
  SECTION("LeNet grid") {
    check_early_stopping("lenet_early", R"(
  "model": ")" + tinyskip::test::lenet_model() + R"(",
  "pixel_scale": "1/255",
  "splits": {"calibration": {"files": ["data_batch_1.bin"], "begin": 0, "end": 300},
             "search": {"files": ["test_batch.bin"], "begin": 0, "end": 800},
             "report": {"files": ["test_batch.bin"], "begin": 5000, "end": 5500}},
  "approximate": {"layers": ["conv1", "conv2", "conv3"], "thresholds": {"values": [0, 0.02, 0.1, 0.3]}},
  "search": {"algorithm": "grid", "early_stopping": EARLY},
  "winners": {"accuracy_loss_budgets": [0, 1, 2, 5]})", 800);
  }
  SECTION("ResNet-8 subspace, with an accuracy floor") {
    check_early_stopping("resnet8_early", R"(
  "model": ")" + tinyskip::test::resnet8_model() + R"(",
  "pixel_scale": "1",
  "splits": {"calibration": {"files": ["data_batch_1.bin"], "begin": 0, "end": 200},
             "search": {"files": ["test_batch.bin"], "begin": 0, "end": 600},
             "report": {"files": ["test_batch.bin"], "begin": 5000, "end": 5400}},
  "approximate": {"layers": ["conv2", "conv4", "conv7"], "thresholds": {"values": [0, 0.01, 0.03, 0.08, 0.2]}},
  "search": {"algorithm": "grid", "early_stopping": EARLY},
  "constraints": {"max_accuracy_loss": 8.0},
  "winners": {"accuracy_loss_budgets": [0, 1, 5]})", 600);
  }
}
