// Experiment config loading: a full config, the defaults, and each kind of
// error with the file and JSON path in its message.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine/config/experiment_config.h"
#include "engine/config/tinyskip_paths.h"
#include "tests/engine/results_test_support.h"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using tinyskip::engine::ApproximateConfig;
using tinyskip::engine::ConfigError;
using tinyskip::engine::ExperimentConfig;
using tinyskip::engine::SearchConfig;
using tinyskip::results_test::ExperimentLayout;

namespace {

json full_config() {
  return json::parse(R"({
    "name": "lenet_cifar10",
    "model": "../models/m.tflite",
    "pixel_scale": 0.5,
    "data_dir": "../data",
    "splits": {
      "calibration": {"files": ["data_batch_1.bin", "data_batch_2.bin"], "begin": 10, "end": 1010},
      "search":      {"files": ["test_batch.bin"], "begin": 0, "end": 4000},
      "report":      {"files": ["test_batch.bin"], "begin": 4000}
    },
    "approximate": {
      "layers": ["all_conv_but_first", "fc1"],
      "metric": "magnitude",
      "pair_mode": false,
      "thresholds": {"values": [0, 0.002, 0.005]},
      "per_layer": {"conv3": {"min": 0, "max": 0.02, "step": 0.005}}
    },
    "search": {"algorithm": "nsga2", "max_grid_points": 100, "budget": 50, "population": 12, "seed": 7,
               "greedy_start": false, "batch": 4},
    "objectives": ["error", "cycles", "flash"],
    "constraints": {"max_accuracy_loss": 2.5, "flash_budget_bytes": 65536, "latency_budget_ms": 12.5},
    "boards": ["mcu/nucleo_f401re.json", "mcu/nucleo_f411re.json"],
    "primary_board": "nucleo_f401re",
    "winners": {"accuracy_loss_budgets": [0, 1, 3]},
    "threads": 2,
    "results_dir": "../out"
  })");
}

}  // namespace

TEST_CASE("a full config is read with every field and paths resolved against its directory") {
  const ExperimentLayout layout;
  const ExperimentConfig config = layout.load(full_config());
  const auto root = layout.root();

  CHECK(config.source == layout.config_path().string());
  CHECK(config.name == "lenet_cifar10");
  CHECK(config.model == root / "models/m.tflite");
  CHECK(config.pixel_scale->real_value(200) == 100.0f);  // 200 * 0.5
  CHECK(config.data_dir == root / "data");

  CHECK(config.splits.calibration.source.cifar10_files ==
        std::vector<std::filesystem::path>{root / "data/data_batch_1.bin", root / "data/data_batch_2.bin"});
  CHECK(config.splits.calibration.begin == 10);
  CHECK(config.splits.calibration.end == 1010);
  CHECK(config.splits.search.end == 4000);
  CHECK(config.splits.report.begin == 4000);
  CHECK_FALSE(config.splits.report.end.has_value());  // omitted end = through the last image

  CHECK(config.approximate.layers == std::vector<std::string>{"all_conv_but_first", "fc1"});
  CHECK(config.approximate.metric == ApproximateConfig::Metric::kMagnitude);
  CHECK_FALSE(config.approximate.pair_mode);
  CHECK(config.approximate.thresholds_for("conv2").candidates() == std::vector<double>{0, 0.002, 0.005});
  CHECK(config.approximate.thresholds_for("conv3").candidates() == std::vector<double>{0, 0.005, 0.01, 0.015, 0.02});

  CHECK(config.search.algorithm == SearchConfig::Algorithm::kNsga2);
  CHECK(config.search.max_grid_points == 100);
  CHECK(config.search.budget == 50);
  CHECK(config.search.population == 12);
  CHECK(config.search.seed == 7);
  CHECK_FALSE(config.search.greedy_start);
  CHECK(config.search.batch == 4);
  CHECK(config.objectives == std::vector<std::string>{"error", "cycles", "flash"});
  CHECK(config.constraints.max_accuracy_loss == 2.5);
  CHECK(config.constraints.flash_budget_bytes == 65536);
  CHECK(config.constraints.latency_budget_ms == 12.5);

  REQUIRE(config.boards.size() == 2);
  CHECK(config.boards[0].name == "nucleo_f401re");
  CHECK(config.boards[1].file == root / "configs/mcu/nucleo_f411re.json");
  CHECK(config.primary().name == "nucleo_f401re");
  CHECK(config.winner_budgets == std::vector<double>{0, 1, 3});
  CHECK(config.threads == 2);
  CHECK(config.results_dir == root / "out");
}

TEST_CASE("omitted sections take the documented defaults") {
  const ExperimentLayout layout;
  const ExperimentConfig config = layout.load(ExperimentLayout::minimal_config());
  const auto data = layout.root() / "data";

  // Calibration from a training batch, search and report from the two halves
  // of the test batch (configs/README.md).
  CHECK(config.splits.calibration.source.cifar10_files == std::vector<std::filesystem::path>{data / "data_batch_1.bin"});
  CHECK(config.splits.calibration.begin == 0);
  CHECK(config.splits.calibration.end == 1000);
  CHECK(config.splits.search.source.cifar10_files == std::vector<std::filesystem::path>{data / "test_batch.bin"});
  CHECK(config.splits.search.begin == 0);
  CHECK(config.splits.search.end == 5000);
  CHECK(config.splits.report.begin == 5000);
  CHECK(config.splits.report.end == 10000);

  CHECK(config.approximate.metric == ApproximateConfig::Metric::kPaper);
  CHECK(config.approximate.pair_mode);
  CHECK(config.approximate.thresholds_for("conv2").candidates().size() == 11);  // 0, 0.001, ..., 0.01
  CHECK(config.search.algorithm == SearchConfig::Algorithm::kAuto);
  CHECK(config.search.max_grid_points == 5000);
  CHECK(config.search.budget == 300);
  CHECK(config.search.population == 24);
  CHECK(config.search.seed == 1);
  CHECK(config.search.greedy_start);
  CHECK(config.search.batch == 8);
  CHECK(config.objectives == std::vector<std::string>{"error", "cycles"});
  CHECK_FALSE(config.constraints.max_accuracy_loss.has_value());
  CHECK_FALSE(config.constraints.flash_budget_bytes.has_value());
  CHECK_FALSE(config.constraints.latency_budget_ms.has_value());
  CHECK(config.winner_budgets == std::vector<double>{0, 0.5, 1, 2, 5});
  CHECK(config.threads == 0);
  CHECK(config.results_dir == layout.root() / "results");  // "../results" from configs/
}

TEST_CASE("a single board needs no primary_board, several boards do") {
  const ExperimentLayout layout;
  json config = ExperimentLayout::minimal_config();
  config.erase("primary_board");
  CHECK_THAT(layout.error_of(config),
             Contains("primary_board: required key is missing") && Contains("nucleo_f401re, nucleo_f411re"));
  config["boards"] = {"mcu/nucleo_f411re.json"};
  CHECK(layout.load(config).primary_board == "nucleo_f411re");
}

TEST_CASE("a relative config path prefixes messages as given and still resolves against its directory") {
  const ExperimentLayout layout;
  json config = ExperimentLayout::minimal_config();
  layout.write_config(config);
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(layout.root());
  ExperimentConfig loaded;
  std::string message;
  try {
    loaded = tinyskip::engine::load_experiment_config("configs/exp.json");
    config["search"] = {{"budget", "ten"}};
    layout.write_config(config);
    tinyskip::engine::load_experiment_config("configs/exp.json");
  } catch (const ConfigError& error) {
    message = error.what();
  }
  std::filesystem::current_path(previous);
  CHECK(loaded.model == layout.root() / "models/m.tflite");
  CHECK(message == "configs/exp.json: search.budget: expected a positive integer, got \"ten\"");
}

TEST_CASE("config errors: unknown keys are rejected at any depth, naming the path") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  config["approximate"]["treshold"] = 0.1;
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": approximate.treshold: unknown key") &&
                                          Contains("layers, metric, pair_mode, thresholds, per_layer"));

  config = ExperimentLayout::minimal_config();
  config["splits"] = {{"search", {{"begin", 0}, {"stop", 10}}}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": splits.search.stop: unknown key"));

  config = ExperimentLayout::minimal_config();
  config["modle"] = "x";
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": modle: unknown key"));
}

TEST_CASE("config errors: wrong types and out-of-range values quote the value") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();

  config["search"] = {{"budget", "ten"}};
  CHECK(layout.error_of(config) == file + ": search.budget: expected a positive integer, got \"ten\"");
  config["search"] = {{"budget", 0}};
  CHECK(layout.error_of(config) == file + ": search.budget: expected a positive integer, got 0");
  config["search"] = {{"budget", 2.5}};
  CHECK(layout.error_of(config) == file + ": search.budget: expected a positive integer, got 2.5");
  config["search"] = {{"population", 3}};
  CHECK_THAT(layout.error_of(config), Contains("search.population: expected an integer >= 4, got 3"));
  config["search"] = {{"algorithm", "anneal"}};
  CHECK_THAT(layout.error_of(config),
             Contains("search.algorithm: expected \"auto\", \"grid\", \"nsga2\", \"surrogate\" or \"random\", got \"anneal\""));
  config["search"] = {{"early_stopping", {{"confidence", 0}}}};
  CHECK_THAT(layout.error_of(config),
             Contains("search.early_stopping.confidence: expected a confidence in (0, 1], got 0"));
  config["search"] = {{"early_stopping", {{"block_images", 0}}}};
  CHECK_THAT(layout.error_of(config), Contains("search.early_stopping.block_images: expected a positive integer"));
  config["search"] = {{"early_stopping", {{"patience", 3}}}};
  CHECK_THAT(layout.error_of(config), Contains("search.early_stopping"));

  config = ExperimentLayout::minimal_config();
  config["threads"] = -1;
  CHECK(layout.error_of(config) == file + ": threads: expected a non-negative integer, got -1");
  config = ExperimentLayout::minimal_config();
  config["approximate"]["pair_mode"] = "yes";
  CHECK(layout.error_of(config) == file + ": approximate.pair_mode: expected true or false, got \"yes\"");
  config = ExperimentLayout::minimal_config();
  config["boards"][1] = 7;
  CHECK(layout.error_of(config) == file + ": boards[1]: expected a string, got 7");
  config = ExperimentLayout::minimal_config();
  config["name"] = "../escape";
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": name: expected a name of letters"));
  config = ExperimentLayout::minimal_config();
  config["pixel_scale"] = "1/0x";
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": pixel_scale: pixel scale '1/0x'"));
  config = ExperimentLayout::minimal_config();
  config["approximate"]["layers"] = {"conv2", "layer7"};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": approximate.layers[1]: expected a layer name"));
  config = ExperimentLayout::minimal_config();
  config["objectives"] = {"cycles", "flash"};
  CHECK_THAT(layout.error_of(config), Contains("objectives: expected \"error\" and at least one of"));
  config = ExperimentLayout::minimal_config();
  config["winners"] = {{"accuracy_loss_budgets", {0, 2, 1}}};
  CHECK_THAT(layout.error_of(config), Contains("winners.accuracy_loss_budgets[2]: budgets must be strictly ascending"));
}

TEST_CASE("config errors: missing required keys and missing files") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  config.erase("model");
  CHECK(layout.error_of(config) == file + ": model: required key is missing");

  config = ExperimentLayout::minimal_config();
  config["approximate"].erase("layers");
  CHECK(layout.error_of(config) == file + ": approximate.layers: required key is missing");

  config = ExperimentLayout::minimal_config();
  config["model"] = "../models/missing.tflite";
  CHECK(layout.error_of(config) ==
        file + ": model: file not found: " + (layout.root() / "models/missing.tflite").string());

  config = ExperimentLayout::minimal_config();
  config["data_dir"] = "../nodata";
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": data_dir: directory not found"));

  config = ExperimentLayout::minimal_config();
  config["boards"] = {"mcu/nucleo_f401re.json", "mcu/nucleo_h7.json"};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": boards[1]: file not found"));

  config = ExperimentLayout::minimal_config();
  config["splits"] = {{"report", {{"files", {"test_batch.bin", "extra.bin"}}}}};
  CHECK_THAT(layout.error_of(config),
             StartsWith(file + ": splits.report.files[1]: file not found") && Contains("data/extra.bin"));

  // The default split files are checked too.
  std::filesystem::remove(layout.root() / "data/data_batch_1.bin");
  CHECK_THAT(layout.error_of(ExperimentLayout::minimal_config()),
             StartsWith(file + ": splits.calibration.files: file not found"));
}

TEST_CASE("config errors: primary_board must be one of the boards' file stems") {
  const ExperimentLayout layout;
  json config = ExperimentLayout::minimal_config();
  config["primary_board"] = "nucleo_f446re";
  CHECK(layout.error_of(config) == layout.config_path().string() +
                                       ": primary_board: expected one of the boards' file stems (nucleo_f401re, "
                                       "nucleo_f411re), got \"nucleo_f446re\"");
}

TEST_CASE("config errors: bad threshold specs name the spec's path") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();

  config["approximate"]["thresholds"] = {{"min", 0}, {"max", 0.01}, {"step", 0}};
  CHECK(layout.error_of(config) == file + ": approximate.thresholds: step must be > 0, got 0");
  config["approximate"]["thresholds"] = {{"min", 0}, {"max", 0.01}, {"step", -0.001}};
  CHECK(layout.error_of(config) == file + ": approximate.thresholds: step must be > 0, got -0.001");
  config["approximate"]["thresholds"] = {{"min", 0.01}, {"max", 0.001}, {"step", 0.001}};
  CHECK(layout.error_of(config) == file + ": approximate.thresholds: max (0.001) must be >= min (0.01)");
  config["approximate"]["thresholds"] = {{"min", 0}, {"max", 0.01}};
  CHECK(layout.error_of(config) == file + ": approximate.thresholds.step: required key is missing");
  config["approximate"]["thresholds"] = {{"values", {0, 0.002, 0.001}}};
  CHECK_THAT(layout.error_of(config),
             StartsWith(file + ": approximate.thresholds.values[2]: values must be strictly ascending"));
  config["approximate"]["thresholds"] = {{"values", {0, 0.002}}, {"step", 0.001}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": approximate.thresholds: give one of"));
  config["approximate"]["thresholds"] = {{"values", {0, 0.002}}, {"skip_fraction", {0, 0.5}}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": approximate.thresholds: give one of"));
  config["approximate"]["thresholds"] = {{"skip_fraction", {0, 1.5}}};
  CHECK_THAT(layout.error_of(config),
             StartsWith(file + ": approximate.thresholds.skip_fraction[1]: expected a skip fraction in [0, 1]"));
  config["approximate"]["thresholds"] = {{"skip_fraction", {0.5, 0.2}}};
  CHECK_THAT(layout.error_of(config), Contains("values must be strictly ascending"));
  config["approximate"]["thresholds"] = {{"skip_fraction", nlohmann::json::array()}};
  CHECK_THAT(layout.error_of(config), Contains("expected at least one skip fraction"));

  config = ExperimentLayout::minimal_config();
  config["approximate"]["per_layer"] = {{"conv3", {{"min", 0}, {"max", 1}, {"step", 1e-6}}}};
  CHECK_THAT(layout.error_of(config),
             StartsWith(file + ": approximate.per_layer.conv3: ") && Contains("more than 10000 thresholds"));
  config["approximate"]["per_layer"] = {{"all_conv", {{"values", {0}}}}};
  CHECK_THAT(layout.error_of(config),
             StartsWith(file + ": approximate.per_layer.all_conv: expected a single layer name"));

  config = ExperimentLayout::minimal_config();
  config["approximate"]["not_unpacked_level"] = 1;
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": approximate.not_unpacked_level: expected"));
}

TEST_CASE("config errors: malformed JSON, duplicate keys and overlapping splits") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  tinyskip::results_test::write_text(layout.config_path(), "{\"name\": \"x\",\n  \"model\": }");
  try {
    tinyskip::engine::load_experiment_config(layout.config_path());
    FAIL("malformed JSON was accepted");
  } catch (const ConfigError& error) {
    CHECK_THAT(error.what(), StartsWith(file + ": invalid JSON: parse error at line 2"));
  }

  // Found by fuzz_experiment_config: a number beyond double escaped as a
  // JSON library exception instead of a ConfigError.
  std::string huge = ExperimentLayout::minimal_config().dump();
  huge.insert(huge.size() - 1, R"(,"threads": 222222e222444444444)");
  tinyskip::results_test::write_text(layout.config_path(), huge);
  try {
    tinyskip::engine::load_experiment_config(layout.config_path());
    FAIL("an out-of-range number was accepted");
  } catch (const ConfigError& error) {
    CHECK_THAT(error.what(), StartsWith(file + ": invalid JSON: number overflow"));
  }

  // nlohmann would silently keep the second "budget".
  std::string text = ExperimentLayout::minimal_config().dump();
  text.insert(text.size() - 1, R"(,"search": {"budget": 10, "budget": 20})");
  tinyskip::results_test::write_text(layout.config_path(), text);
  try {
    tinyskip::engine::load_experiment_config(layout.config_path());
    FAIL("duplicate key was accepted");
  } catch (const ConfigError& error) {
    CHECK(std::string(error.what()) == file + ": search.budget: duplicate key");
  }

  // Nesting 10,000 levels deep overflowed the stack in recursive JSON code
  // (issue 12's config mutants): refused on read, anywhere in the file.
  for (const std::string& at : {std::string("\"deep\": {\"layers\": "), std::string("\"extra\": ")}) {
    text = ExperimentLayout::minimal_config().dump();
    text.insert(text.size() - 1, "," + at + std::string(10000, '[') + std::string(10000, ']') +
                                     (at.find('{') != std::string::npos ? "}" : ""));
    tinyskip::results_test::write_text(layout.config_path(), text);
    try {
      tinyskip::engine::load_experiment_config(layout.config_path());
      FAIL("a 10,000-level document was accepted");
    } catch (const ConfigError& error) {
      CHECK_THAT(error.what(), StartsWith(file + ": ") && Contains("nested more than 64 levels deep"));
    }
  }

  json config = ExperimentLayout::minimal_config();
  config["splits"] = {{"report", {{"files", {"test_batch.bin"}}, {"begin", 4000}}}};  // search is [0, 5000)
  CHECK(layout.error_of(config) ==
        file + ": splits.report: samples overlap splits.search (same files); the splits must be disjoint");
}

TEST_CASE("comments are allowed in config files") {
  const ExperimentLayout layout;
  std::string text = ExperimentLayout::minimal_config().dump(2);
  text.insert(1, "\n  // the LeNet experiment\n  /* block */");
  tinyskip::results_test::write_text(layout.config_path(), text);
  CHECK(tinyskip::engine::load_experiment_config(layout.config_path()).name == "lenet_test");
}

TEST_CASE("to_json gives the resolved config, which loads back to the same config and hash") {
  const ExperimentLayout layout;
  const ExperimentConfig config = layout.load(full_config());
  const json resolved = tinyskip::engine::to_json(config);
  CHECK(resolved["model"] == (layout.root() / "models/m.tflite").string());
  CHECK(resolved["search"]["budget"] == 50);
  CHECK(resolved["splits"]["report"]["end"].is_null());
  CHECK(resolved["approximate"]["per_layer"]["conv3"]["step"] == 0.005);
  CHECK(resolved["primary_board"] == "nucleo_f401re");

  const ExperimentConfig reloaded = layout.load(resolved);
  CHECK(tinyskip::engine::to_json(reloaded) == resolved);
  CHECK(tinyskip::engine::config_hash(reloaded) == tinyskip::engine::config_hash(config));
  CHECK(tinyskip::engine::config_hash(config).size() == 16);

  json changed = full_config();
  changed["threads"] = 1;  // a resource setting: same experiment
  CHECK(tinyskip::engine::config_hash(layout.load(changed)) == tinyskip::engine::config_hash(config));
  changed["search"]["budget"] = 51;
  CHECK(tinyskip::engine::config_hash(layout.load(changed)) != tinyskip::engine::config_hash(config));

  // The "not unpacked" level changes the experiment; off, it is the default
  // and left out, so that older configs keep their hash.
  CHECK_FALSE(resolved["approximate"].contains("not_unpacked_level"));
  json choose = full_config();
  choose["approximate"]["not_unpacked_level"] = true;
  const ExperimentConfig with_level = layout.load(choose);
  CHECK(with_level.approximate.not_unpacked_level);
  CHECK(tinyskip::engine::to_json(with_level)["approximate"]["not_unpacked_level"] == true);
  CHECK(tinyskip::engine::config_hash(with_level) != tinyskip::engine::config_hash(config));
  CHECK(layout.load(tinyskip::engine::to_json(with_level)).approximate.not_unpacked_level);
  choose["approximate"]["not_unpacked_level"] = false;
  CHECK(tinyskip::engine::config_hash(layout.load(choose)) == tinyskip::engine::config_hash(config));
}

TEST_CASE("the flash section: measured by default with the shipped toolchain, estimated on request") {
  const ExperimentLayout layout;
  json config = ExperimentLayout::minimal_config();
  const ExperimentConfig defaults = layout.load(config);
  CHECK(defaults.flash.source == tinyskip::engine::FlashConfig::Source::kMeasured);
  CHECK(defaults.flash.opt_level == "-Os");
  CHECK(defaults.flash.toolchain == std::filesystem::path(TINYSKIP_SOURCE_DIR) / "configs/mcu/arm_none_eabi_gcc.json");
  CHECK(defaults.flash.cache_dir_or(defaults.results_dir) == defaults.results_dir / ".flash_cache");

  config["flash"] = {{"source", "estimated"}, {"toolchain", "mcu/nucleo_f401re.json"}, {"opt_level", "-O2"},
                     {"cache_dir", "../cache"}};
  const ExperimentConfig custom = layout.load(config);
  CHECK(custom.flash.source == tinyskip::engine::FlashConfig::Source::kEstimated);
  CHECK(custom.flash.toolchain == layout.root() / "configs/mcu/nucleo_f401re.json");
  CHECK(custom.flash.opt_level == "-O2");
  CHECK(custom.flash.cache_dir_or(custom.results_dir) == layout.root() / "cache");
  // The resolved form in run.json loads back to the same settings.
  CHECK(tinyskip::engine::to_json(custom)["flash"]["source"] == "estimated");
}

TEST_CASE("the latency section: auto by default, measured or model on request, with its own cache") {
  using Source = tinyskip::engine::LatencyConfig::Source;
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  const ExperimentConfig defaults = layout.load(config);
  CHECK(defaults.latency.source == Source::kAuto);
  CHECK(defaults.latency.cache_dir_or(defaults.results_dir) == defaults.results_dir / ".latency_cache");
  CHECK(tinyskip::engine::to_json(defaults)["latency"]["source"] == "auto");

  config["latency"] = {{"source", "model"}, {"cache_dir", "../timings"}};
  const ExperimentConfig model = layout.load(config);
  CHECK(model.latency.source == Source::kModel);
  CHECK(model.latency.cache_dir_or(model.results_dir) == layout.root() / "timings");
  CHECK(tinyskip::engine::to_json(layout.load(tinyskip::engine::to_json(model))) == tinyskip::engine::to_json(model));
  CHECK(tinyskip::engine::config_hash(model) != tinyskip::engine::config_hash(defaults));
  config["latency"] = {{"source", "measured"}};
  CHECK(layout.load(config).latency.source == Source::kMeasured);

  config["latency"] = {{"source", "emulated"}};
  CHECK(layout.error_of(config) ==
        file + ": latency.source: expected \"measured\", \"model\" or \"auto\", got \"emulated\"");
  config["latency"] = {{"sorce", "model"}};
  CHECK_THAT(layout.error_of(config), Contains("latency.sorce: unknown key"));
}

TEST_CASE("config errors: the flash section names the bad key") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  config["flash"] = {{"source", "guessed"}};
  CHECK(layout.error_of(config) == file + ": flash.source: expected \"measured\" or \"estimated\", got \"guessed\"");
  config["flash"] = {{"opt_level", "fast"}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": flash.opt_level: expected an optimisation flag"));
  config["flash"] = {{"toolchain", "mcu/missing.json"}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": flash.toolchain:"));
  config["flash"] = {{"compiler", "gcc"}};
  CHECK_THAT(layout.error_of(config), Contains("flash.compiler"));
}

TEST_CASE("the cmsis_nn section: a checkout resolved against the config, absent by default and from the hash") {
  const ExperimentLayout layout;
  json config = ExperimentLayout::minimal_config();
  const ExperimentConfig without = layout.load(config);
  CHECK_FALSE(without.cmsis_nn.has_value());
  CHECK_FALSE(tinyskip::engine::to_json(without).contains("cmsis_nn"));  // older configs keep their hash

  tinyskip::results_test::write_text(layout.root() / "CMSIS-NN/Include/arm_nnfunctions.h", "/* $Revision:    V.9.9.9 */\n");
  tinyskip::results_test::write_text(layout.root() / "CMSIS-NN/Source/ConvolutionFunctions/arm_convolve_s8.c", "");
  tinyskip::results_test::write_text(layout.root() / "core/cmsis_compiler.h", "");
  config["cmsis_nn"] = {{"path", "../CMSIS-NN"}, {"core_include", "../core"}};
  const ExperimentConfig with = layout.load(config);
  REQUIRE(with.cmsis_nn.has_value());
  CHECK(with.cmsis_nn->root == layout.root() / "CMSIS-NN");
  CHECK(with.cmsis_nn->core_include == layout.root() / "core");
  CHECK(tinyskip::engine::cmsis_nn_version(with.cmsis_nn->root) == "V.9.9.9");
  const json resolved = tinyskip::engine::to_json(with);
  CHECK(resolved["cmsis_nn"]["path"] == (layout.root() / "CMSIS-NN").string());
  CHECK(tinyskip::engine::config_hash(with) != tinyskip::engine::config_hash(without));
  CHECK(tinyskip::engine::to_json(layout.load(resolved)) == resolved);  // run.json's form loads back
  CHECK(with.cmsis_nn->library_level("-Os") == "-Os");  // no level of its own: the build's

  config["cmsis_nn"]["opt_level"] = "-O2";
  const ExperimentConfig fast_library = layout.load(config);
  CHECK(fast_library.cmsis_nn->library_level("-Os") == "-O2");
  CHECK(tinyskip::engine::to_json(fast_library)["cmsis_nn"]["opt_level"] == "-O2");
  CHECK(tinyskip::engine::config_hash(fast_library) != tinyskip::engine::config_hash(with));
  CHECK(tinyskip::engine::exact_kernels_name(fast_library.cmsis_nn) == "CMSIS-NN V.9.9.9 (-O2)");
}

TEST_CASE("config errors: a cmsis_nn path that is not a CMSIS-NN checkout names the key") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  config["cmsis_nn"] = {{"path", "../nowhere"}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": cmsis_nn.path: directory not found"));
  tinyskip::results_test::write_text(layout.root() / "not-cmsis/README.md", "");
  config["cmsis_nn"] = {{"path", "../not-cmsis"}};
  CHECK_THAT(layout.error_of(config),
             StartsWith(file + ": cmsis_nn.path: no Include/arm_nnfunctions.h in") && Contains("not a CMSIS-NN checkout"));
  tinyskip::results_test::write_text(layout.root() / "headers-only/Include/arm_nnfunctions.h", "");
  config["cmsis_nn"] = {{"path", "../headers-only"}};
  CHECK_THAT(layout.error_of(config), Contains("cmsis_nn.path: no Source/<group>/*.c"));
  tinyskip::results_test::write_text(layout.root() / "CMSIS-NN/Include/arm_nnfunctions.h", "");
  tinyskip::results_test::write_text(layout.root() / "CMSIS-NN/Source/Group/a.c", "");
  config["cmsis_nn"] = {{"path", "../CMSIS-NN"}, {"core_include", "../CMSIS-NN"}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": cmsis_nn.core_include: no cmsis_compiler.h in"));
  config["cmsis_nn"] = {{"core_include", "../core"}};
  CHECK_THAT(layout.error_of(config), Contains("cmsis_nn.path: required key is missing"));
  config["cmsis_nn"] = {{"path", "../CMSIS-NN"}, {"include", "x"}};
  CHECK_THAT(layout.error_of(config), Contains("cmsis_nn.include: unknown key"));
  config["cmsis_nn"] = {{"path", "../CMSIS-NN"}, {"opt_level", "fast"}};
  CHECK_THAT(layout.error_of(config), Contains("cmsis_nn.opt_level: expected an optimisation flag"));
}

TEST_CASE("npy splits: inputs and labels resolved against data_dir or the config, and written back") {
  const ExperimentLayout layout;
  for (const char* file : {"x.npy", "y.npy"}) tinyskip::results_test::write_text(layout.root() / "data" / file, "");
  json config = ExperimentLayout::minimal_config();
  config["splits"] = {{"calibration", {{"inputs", "x.npy"}, {"end", 100}}},
                      {"search", {{"inputs", "x.npy"}, {"labels", "y.npy"}, {"begin", 100}, {"end", 200}}},
                      {"report", {{"inputs", "x.npy"}, {"labels", "y.npy"}, {"begin", 200}}}};
  const ExperimentConfig loaded = layout.load(config);
  using Format = tinyskip::sim::DataSource::Format;
  CHECK(loaded.splits.calibration.source.format == Format::kNpy);
  CHECK(loaded.splits.calibration.source.npy_inputs == layout.root() / "data/x.npy");
  CHECK(loaded.splits.calibration.source.npy_labels.empty());
  CHECK(loaded.splits.search.source.npy_labels == layout.root() / "data/y.npy");
  CHECK(loaded.score == tinyskip::engine::ScoreKind::kTop1);
  const json resolved = tinyskip::engine::to_json(loaded);
  CHECK(resolved["splits"]["search"]["inputs"] == (layout.root() / "data/x.npy").string());
  CHECK(tinyskip::engine::to_json(layout.load(resolved)) == resolved);

  // Without data_dir (nor pixel_scale, which only 8-bit pixels need), paths
  // are the config file's, and the score may be label-free.
  config.erase("data_dir");
  config.erase("pixel_scale");
  config["score"] = "agreement";
  config["splits"] = {{"calibration", {{"inputs", "../data/x.npy"}, {"end", 100}}},
                      {"search", {{"inputs", "../data/x.npy"}, {"begin", 100}, {"end", 200}}},
                      {"report", {{"inputs", "../data/x.npy"}, {"begin", 200}}}};
  const ExperimentConfig bare = layout.load(config);
  CHECK(bare.data_dir.empty());
  CHECK_FALSE(bare.pixel_scale.has_value());
  CHECK(bare.score == tinyskip::engine::ScoreKind::kAgreement);
  CHECK(bare.splits.report.source.npy_inputs == layout.root() / "data/x.npy");
  CHECK(tinyskip::engine::to_json(bare)["score"] == "agreement");
  CHECK(tinyskip::engine::config_hash(bare) != tinyskip::engine::config_hash(loaded));
}

TEST_CASE("config errors: a split's source names the bad key") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  tinyskip::results_test::write_text(layout.root() / "data/x.npy", "");
  json config = ExperimentLayout::minimal_config();
  config["splits"] = {{"search", {{"inputs", "x.npy"}, {"files", {"test_batch.bin"}}}}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": splits.search: names both \"files\""));
  config["splits"] = {{"search", {{"labels", "x.npy"}}}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": splits.search.labels: \"labels\" goes with \"inputs\""));
  config["splits"] = {{"search", {{"inputs", "missing.npy"}}}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": splits.search.inputs: file not found"));
  // Two splits over the same npy inputs must not overlap either.
  config["splits"] = {{"search", {{"inputs", "x.npy"}, {"end", 50}}}, {"report", {{"inputs", "x.npy"}, {"begin", 40}}}};
  CHECK_THAT(layout.error_of(config), Contains("splits.report: samples overlap splits.search"));
  // No data_dir: every split must name its source.
  config = ExperimentLayout::minimal_config();
  config.erase("data_dir");
  config["splits"] = {{"search", {{"inputs", "../data/x.npy"}}}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": splits.calibration: no data"));
  config = ExperimentLayout::minimal_config();
  config["score"] = "accuracy";
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": score: expected \"top1\""));
}

TEST_CASE("the score: top1 by default; fidelity scores need their own winner budgets") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  CHECK(layout.load(config).winner_budgets == std::vector<double>{0, 0.5, 1, 2, 5});
  CHECK_FALSE(tinyskip::engine::to_json(layout.load(config)).contains("score"));  // older configs keep their hash

  config["score"] = "output_snr";
  CHECK(layout.error_of(config) == file + ": winners.snr_db_budgets: required with \"score\": \"output_snr\" "
                                          "(output SNR vs the exact model (dB))");
  config["winners"] = {{"snr_db_budgets", {40, 30, 20}}};
  const ExperimentConfig snr = layout.load(config);
  CHECK(snr.score == tinyskip::engine::ScoreKind::kOutputSnr);
  CHECK(snr.winner_budgets == std::vector<double>{40, 30, 20});
  CHECK(tinyskip::engine::to_json(snr)["winners"]["snr_db_budgets"] == json({40, 30, 20}));
  config["winners"] = {{"snr_db_budgets", {20, 30}}};
  CHECK_THAT(layout.error_of(config), Contains("winners.snr_db_budgets[1]: budgets must be strictly descending"));
  config["winners"] = {{"accuracy_loss_budgets", {1}}};
  CHECK_THAT(layout.error_of(config), Contains("winners.accuracy_loss_budgets: does not fit \"score\": \"output_snr\""));

  config["score"] = "output_mae";
  config["winners"] = {{"mae_budgets", {0.01, 0.1}}};
  CHECK(layout.load(config).winner_budgets == std::vector<double>{0.01, 0.1});
  config["constraints"] = {{"max_accuracy_loss", 1}};
  CHECK_THAT(layout.error_of(config), StartsWith(file + ": constraints.max_accuracy_loss: bounds an accuracy"));
}

TEST_CASE("${data_root} in a config path is the data root: TINYSKIP_DATA_ROOT, else ../shared, else <home>/data") {
  const ExperimentLayout layout;
  const std::string file = layout.config_path().string();
  json config = ExperimentLayout::minimal_config();
  config["model"] = "${data_root}/models/m.tflite";
  config["data_dir"] = "${data_root}/data";
  ::setenv("TINYSKIP_DATA_ROOT", layout.root().c_str(), 1);
  const ExperimentConfig loaded = layout.load(config);
  CHECK(loaded.model == layout.root() / "models/m.tflite");
  CHECK(loaded.data_dir == layout.root() / "data");
  config["model"] = "${data_root}/models/missing.tflite";
  CHECK(layout.error_of(config) == file + ": model: file not found: " + (layout.root() / "models/missing.tflite").string() +
                                       " (${data_root} is " + layout.root().string() +
                                       ": run scripts/fetch_data.sh, or point --data-root or TINYSKIP_DATA_ROOT at a "
                                       "folder laid out like it)");
  config["model"] = "${data_root}models/m.tflite";
  CHECK_THAT(layout.error_of(config), Contains("model: expected ${data_root} followed by '/'"));
  config["model"] = "${home}/m.tflite";
  CHECK_THAT(layout.error_of(config), Contains("the only variable is ${data_root}"));
  ::unsetenv("TINYSKIP_DATA_ROOT");
  // Without the variable, the shared folder beside the source tree when it
  // exists (it does where these tests run), else <home>/data.
  const std::filesystem::path shared = (std::filesystem::path(TINYSKIP_SOURCE_DIR) / "../shared").lexically_normal();
  CHECK(tinyskip::engine::data_root() == (std::filesystem::is_directory(shared / "models")
                                              ? shared
                                              : std::filesystem::path(TINYSKIP_SOURCE_DIR) / "data"));
}
