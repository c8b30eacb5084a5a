// Experiment configs: any text gives a config or a ConfigError. The input is
// read as if it were configs/fuzz.json in the source tree, so the shipped
// configs used as seeds resolve their models, data and board files and the
// fuzzer reaches the checks behind them.
#include "engine/config/experiment_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path kAsIf = std::filesystem::path(TINYSKIP_SOURCE_DIR) / "configs/fuzz.json";
  tinyskip::fuzz::expect_clear_error<tinyskip::engine::ConfigError>([&] {
    const tinyskip::engine::ExperimentConfig config =
        tinyskip::engine::parse_experiment_config(tinyskip::fuzz::as_string(data, size), kAsIf);
    // What run.json stores and resume compares: must not throw for an accepted config.
    (void)tinyskip::engine::config_hash(config);
  });
  return 0;
}
