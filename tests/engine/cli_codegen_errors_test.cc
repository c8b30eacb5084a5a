// `tinyskip codegen` on bad input: every failure is a clear message naming the
// file or option at fault and exit status 1, never a crash or a half-written
// output passed off as complete.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/results/hashing.h"
#include "engine/significance/skip_masks.h"
#include "tests/engine/cli_test_support.h"
#include "tests/engine/codegen_test_support.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

// <dir>/run/run.json (a real config, plus the keys of `extra_config`) and
// <dir>/run/winners/0.json: LeNet with conv2 (op 3, 18432 weights)
// approximated by skipping its first 100 weights; `model_hash` as given.
fs::path write_run(const fs::path& dir, const std::string& model_hash,
                   const nlohmann::json& extra_config = nlohmann::json::object()) {
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  nlohmann::json config = {{"name", "lenet_errors"},
                                 {"model", test::lenet_model()},
                                 {"pixel_scale", "1/255"},
                                 {"data_dir", test::cifar10_dir()},
                                 {"approximate", {{"layers", {"conv2"}}, {"thresholds", {{"values", {0, 0.01}}}}}},
                                 {"boards", {mcu + "nucleo_f401re.json"}},
                                 {"results_dir", (dir / "results").string()}};
  config.update(extra_config);
  test::write_text(dir / "run" / "run.json", nlohmann::json{{"config", config}}.dump(2));
  sim::WeightMask mask;
  mask.skip.assign(18432, 0);
  for (int i = 0; i < 100; ++i) mask.skip[static_cast<size_t>(i)] = 1;
  const nlohmann::json layer = {{"op_index", 3}, {"name", "conv2"}, {"threshold", 0.01}, {"macs", 3115008},
                                {"skipped_macs", 16900}, {"weights", 18432}, {"skipped", 100},
                                {"pair_mode", true}, {"mask", engine::encode_mask_rle(mask)}};
  const nlohmann::json winner = {{"format", "tinyskip-winner/1"}, {"experiment", "lenet_errors"},
                                 {"run_id", "run"}, {"primary_board", "nucleo_f401re"},
                                 {"model", test::lenet_model()}, {"model_fnv1a64", model_hash},
                                 {"accuracy_loss_budget_pp", 0}, {"accuracy_loss_pp", 0},
                                 {"point", {{"key", "1"}}}, {"layers", {layer}}};
  const fs::path file = dir / "run" / "winners" / "0.json";
  test::write_text(file, winner.dump(2));
  return file;
}

std::string real_hash() { return engine::fnv1a_hex_of_file(test::lenet_model()); }

test::CommandResult codegen(const fs::path& winner, const fs::path& out, const std::string& extra = "") {
  return test::run_cli("codegen " + test::quoted(winner) + " --out " + test::quoted(out) + " --no-flash" + extra);
}

TEST_CASE("tinyskip codegen errors: a file that is not a winner file is named", "[codegen]") {
  test::TempDir dir;
  const fs::path broken = dir.path() / "broken.json";
  test::write_text(broken, "{\"format\": \"tinyskip-winner/1\",");
  auto result = codegen(broken, dir.path() / "out");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains(broken.string()));
  CHECK_FALSE(fs::exists(dir.path() / "out"));

  test::write_text(broken, "{\"format\": \"tinyskip-pareto/1\"}");
  result = codegen(broken, dir.path() / "out");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("format") && Contains("not a tinyskip winner file"));

  result = codegen(dir.path() / "missing.json", dir.path() / "out");
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.output, Contains("missing.json"));
}

TEST_CASE("tinyskip codegen errors: a winner without its run record, or whose model changed", "[codegen]") {
  test::TempDir dir;
  const fs::path winner = write_run(dir.path(), "0123456789abcdef");
  auto result = codegen(winner, dir.path() / "out");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("model file changed since the run") && Contains("0123456789abcdef"));

  fs::remove(dir.path() / "run" / "run.json");
  result = codegen(winner, dir.path() / "out");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("run.json") && Contains("cannot read"));
}

TEST_CASE("tinyskip codegen: the exact and unpacked variants drop the skipping, and unpacking", "[codegen]") {
  test::TempDir dir;
  const fs::path winner = write_run(dir.path(), real_hash());
  for (const std::string variant : {"exact", "unpacked"}) {
    const auto result = codegen(winner, dir.path() / variant, " --variant " + variant);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const nlohmann::json manifest = nlohmann::json::parse(test::read_text(dir.path() / variant / "manifest.json"));
    CHECK(manifest["variant"] == variant);
    CHECK(manifest["layers"][3]["kernel"] == (variant == "exact" ? "runtime" : "unpacked"));
    CHECK(manifest["layers"][3]["skipped_weights"] == 0);
    CHECK(manifest["kept_macs"].get<int64_t>() <= manifest["macs"].get<int64_t>());
  }
  const auto bad = codegen(winner, dir.path() / "bad", " --variant fastest");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Contains("--variant"));
}

TEST_CASE("tinyskip codegen: refuses a foreign non-empty directory, replaces its own earlier output", "[codegen]") {
  test::TempDir dir;
  const fs::path winner = write_run(dir.path(), real_hash());
  const fs::path out = dir.path() / "out";
  test::write_text(out / "notes.txt", "mine");
  auto result = codegen(winner, out);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("--force"));
  CHECK(test::read_text(out / "notes.txt") == "mine");

  const fs::path fresh = dir.path() / "fresh";
  result = codegen(winner, fresh);
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  const nlohmann::json manifest = nlohmann::json::parse(test::read_text(fresh / "manifest.json"));
  CHECK(manifest["flash"]["measured"].empty());  // --no-flash
  CHECK(manifest["layers"][3]["kernel"] == "unpacked");
  CHECK(manifest["layers"][3]["skipped_weights"] == 100);
  CHECK(manifest["layers"][1]["kernel"] == "runtime");
  // An earlier output is recognised by its manifest and replaced; a stale
  // file it listed disappears, the user's own files stay.
  test::write_text(fresh / "user.txt", "kept");
  result = codegen(winner, fresh, " --name renamed");
  REQUIRE(result.exit_code == 0);
  CHECK_FALSE(fs::exists(fresh / "model_lenet_errors.c"));
  CHECK(fs::exists(fresh / "model_renamed.c"));
  CHECK(fs::exists(fresh / "user.txt"));
}

TEST_CASE("tinyskip codegen --variant cmsis-nn: exact layers on CMSIS-NN, the rest on the runtime", "[codegen]") {
  test::TempDir dir;
  const fs::path winner = write_run(dir.path(), real_hash());
  const fs::path out = dir.path() / "cmsis";
  const auto result =
      codegen(winner, out, " --variant cmsis-nn --check-images 2 --cmsis-nn " + test::quoted(test::cmsis_nn_dir()));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.output, Contains("exact layers: CMSIS-NN V."));
  const nlohmann::json manifest = nlohmann::json::parse(test::read_text(out / "manifest.json"));
  CHECK(manifest["variant"] == "cmsis-nn");
  CHECK(manifest["exact_kernels"]["library"] == "cmsis-nn");
  CHECK(manifest["exact_kernels"]["cmsis_nn"]["path"] == fs::path(test::cmsis_nn_dir()).lexically_normal().string());
  for (const auto& layer : manifest["layers"]) {
    const std::string op = layer["op"];
    const bool runtime_only = op == "QUANTIZE" || op == "DEQUANTIZE" || op == "RESHAPE";
    INFO(op);
    CHECK(layer["kernel"] == (runtime_only ? "runtime" : "cmsis-nn"));
  }
  CHECK(manifest["layers"][3]["skipped_weights"] == 0);  // nothing approximated
  CHECK(manifest["check_images"]["indices"] == nlohmann::json::array({0, 1}));
  CHECK(test::read_text(out / manifest["layers"][1]["file"].get<std::string>()).find("arm_convolve_wrapper_s8(") !=
        std::string::npos);
  CHECK(test::read_text(out / "cortex_m4" / "Makefile").find("libcmsis-nn.a") != std::string::npos);

  // Without a checkout the winner falls back to the runtime and says so.
  const auto fallback = codegen(winner, dir.path() / "runtime");
  REQUIRE(fallback.exit_code == 0);
  CHECK_THAT(fallback.output, Contains("exact layers: tinyskip runtime kernels"));
}

TEST_CASE("tinyskip codegen errors: a missing or wrong CMSIS-NN path is one error naming the setting", "[codegen]") {
  test::TempDir dir;
  const fs::path winner = write_run(dir.path(), real_hash());
  const fs::path out = dir.path() / "out";
  auto result = codegen(winner, out, " --variant cmsis-nn");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("--variant cmsis-nn needs a CMSIS-NN checkout") && Contains("--cmsis-nn DIR") &&
                                Contains("\"cmsis_nn\""));

  result = codegen(winner, out, " --cmsis-nn " + test::quoted(dir.path() / "nowhere"));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("--cmsis-nn: directory not found"));

  test::write_text(dir.path() / "not-cmsis" / "README.md", "");
  result = codegen(winner, out, " --variant cmsis-nn --cmsis-nn " + test::quoted(dir.path() / "not-cmsis"));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("--cmsis-nn: no Include/arm_nnfunctions.h in") && Contains("not a CMSIS-NN checkout"));

  result = codegen(winner, out,
                   " --cmsis-nn " + test::quoted(test::cmsis_nn_dir()) + " --cmsis-core " + test::quoted(dir.path()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("--cmsis-core: no cmsis_compiler.h in"));

  result = codegen(winner, out, " --variant exact --cmsis-nn " + test::quoted(test::cmsis_nn_dir()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("--variant exact uses tinyskip's runtime kernels only"));
  CHECK_FALSE(fs::exists(out));

  // A run whose checkout has moved away since: the config key is named, and
  // the flag replaces it.
  const fs::path moved = write_run(dir.path() / "moved", real_hash(),
                                   {{"cmsis_nn", {{"path", (dir.path() / "gone").string()}, {"core_include", nullptr}}}});
  result = codegen(moved, out);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("run.json: config.cmsis_nn.path: directory not found") && Contains("--cmsis-nn DIR"));
  result = codegen(moved, out, " --cmsis-nn " + test::quoted(test::cmsis_nn_dir()));
  INFO(result.output);
  CHECK(result.exit_code == 0);
}

TEST_CASE("tinyskip run with measured flash and no cross-compiler: a clear error and no run directory", "[codegen]") {
  test::TempDir dir;
  test::write_text(dir.path() / "toolchain.json",
                   R"({"name": "missing", "gcc": "tinyskip-no-such-gcc", "size": "tinyskip-no-such-size",
                       "flags": ["-mcpu=cortex-m4"], "optimisation_levels": ["-Os"], "notes": ""})");
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  const nlohmann::json config = {
      {"name", "no_compiler"},
      {"model", test::lenet_model()},
      {"pixel_scale", "1/255"},
      {"data_dir", test::cifar10_dir()},
      {"splits", {{"calibration", {{"files", {"data_batch_1.bin"}}, {"begin", 0}, {"end", 20}}},
                  {"search", {{"files", {"test_batch.bin"}}, {"begin", 0}, {"end", 20}}},
                  {"report", {{"files", {"test_batch.bin"}}, {"begin", 20}, {"end", 40}}}}},
      {"approximate", {{"layers", {"conv2"}}, {"thresholds", {{"values", {0, 0.01}}}}}},
      {"flash", {{"toolchain", (dir.path() / "toolchain.json").string()}}},
      {"boards", {mcu + "nucleo_f401re.json"}},
      {"results_dir", (dir.path() / "results").string()}};
  test::write_text(dir.path() / "config.json", config.dump(2));
  const auto result = test::run_cli("run " + test::quoted(dir.path() / "config.json"));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Contains("tinyskip-no-such-gcc not found") && Contains("scripts/setup.sh") &&
                                Contains("\"source\": \"estimated\""));
  CHECK_FALSE(fs::exists(dir.path() / "results" / "no_compiler"));
}

}  // namespace
}  // namespace tinyskip
