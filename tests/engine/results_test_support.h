// Scratch directories and a complete fake experiment layout for the config,
// results and plot tests: config files, a "model", CIFAR-like data files and
// board files, all tiny. Only existence and bytes matter to the code under
// test, never the contents' meaning.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/config/experiment_config.h"
#include "engine/search/design_space.h"
#include "engine/results/run_store.h"
#include "tests/engine/sample_run.h"
#include "tests/test_files.h"

namespace tinyskip::results_test {

using test::read_text;
using test::TempDir;
using test::write_text;

// <root>/configs/exp.json with ../models/m.tflite, ../data/{data_batch_1,
// test_batch,data_batch_2}.bin and configs/mcu/{nucleo_f401re,nucleo_f411re}.json.
// The model's bytes are "a" and each data file is empty, so their FNV-1a 64
// hashes are the published test vectors af63dc4c8601ec8c and cbf29ce484222325.
class ExperimentLayout {
 public:
  ExperimentLayout() {
    write_text(root() / "models/m.tflite", "a");
    for (const char* file : {"data_batch_1.bin", "data_batch_2.bin", "test_batch.bin"})
      write_text(root() / "data" / file, "");
    write_text(root() / "configs/mcu/nucleo_f401re.json", "{}");
    write_text(root() / "configs/mcu/nucleo_f411re.json", "{}");
  }

  const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path config_path() const { return root() / "configs/exp.json"; }

  // The smallest valid config: every optional section left out.
  static nlohmann::json minimal_config() {
    return {{"name", "lenet_test"},
            {"model", "../models/m.tflite"},
            {"pixel_scale", "1/255"},
            {"data_dir", "../data"},
            {"approximate", {{"layers", {"conv2", "conv3"}}}},
            {"boards", {"mcu/nucleo_f401re.json", "mcu/nucleo_f411re.json"}},
            {"primary_board", "nucleo_f411re"}};
  }

  std::filesystem::path write_config(const nlohmann::json& config) const {
    write_text(config_path(), config.dump(2));
    return config_path();
  }
  engine::ExperimentConfig load(const nlohmann::json& config) const {
    return engine::load_experiment_config(write_config(config));
  }
  // The ConfigError message loading `config` gives; fails the test if it loads.
  std::string error_of(const nlohmann::json& config) const {
    try {
      load(config);
    } catch (const engine::ConfigError& error) {
      return error.what();
    }
    FAIL("config was accepted: " << config.dump());
    return {};
  }

 private:
  TempDir dir_;
};

// A loaded experiment (two approximated layers, conv2 and conv3, two boards)
// with its run schema, and records whose values follow from their index.
struct RunFixture {
  ExperimentLayout layout;
  engine::ExperimentConfig config;
  engine::RunSchema schema;

  RunFixture() {
    config = layout.load(ExperimentLayout::minimal_config());
    schema = test::sample_schema();
  }

  engine::RunStore open(const std::string& run_id, bool resume = false) const {
    engine::RunStoreOptions options;
    options.run_id = run_id;
    options.resume = resume;
    options.threads = 2;
    return engine::RunStore::open(config, schema, options);
  }

  // sample_record (tests/engine/sample_run.h).
  static engine::PointRecord record(int i) { return test::sample_record(i); }
};

}  // namespace tinyskip::results_test
