// CMSIS-NN as the exact baseline, proven on the Cortex-M4 instruction set:
// for each shipped model a small exploration whose config names the pinned
// CMSIS-NN checkout, then
//   - `--variant cmsis-nn`: the exact network on CMSIS-NN's s8 API, and
//   - the winner: its approximated convs unpacked, every other layer on
//     CMSIS-NN (QUANTIZE/DEQUANTIZE/RESHAPE on tinyskip's runtime),
// each generated with 20 check images, built with the generated Makefile
// (which compiles CMSIS-NN from the checkout) and run in the emulator: every
// image's output must be the simulator's byte for byte. The manifest's
// CMSIS-NN bytes must be exactly what the check program's own link keeps of
// libcmsis-nn.a. One test case per model, so ctest can run the two at once.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "mcu_model/arm_emulator.h"
#include "mcu_model/flash_measurement.h"
#include "mcu_model/subprocess.h"
#include "tests/engine/cli_test_support.h"
#include "tests/engine/small_experiment.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;

constexpr int kCheckImages = 20;
constexpr uint64_t kInstructionLimit = 4'000'000'000ull;

struct CheckRun {
  mcu::EmulatorRun run;
  int32_t result = -1, mismatches = -1, first_mismatch = -1, images = 0;
  uint32_t image0_instructions = 0;  // DWT_CYCCNT counts instructions when nothing times the run
};

nlohmann::json read_manifest(const fs::path& out) { return nlohmann::json::parse(test::read_text(out / "manifest.json")); }

// `tinyskip codegen` into `out`, then `make OPT=-Os`; returns the ELF.
fs::path generate_and_build(const fs::path& winner, const fs::path& out, const std::string& options) {
  const test::CommandResult generated = test::run_cli("codegen " + test::quoted(winner) + " --out " +
                                                      test::quoted(out) + " --check-images " +
                                                      std::to_string(kCheckImages) + options);
  INFO(generated.output);
  REQUIRE(generated.exit_code == 0);
  CHECK_THAT(generated.output, Catch::Matchers::Contains("exact layers: CMSIS-NN V."));
  const mcu::ProcessResult make = mcu::run_process({"make", "-j2", "-C", (out / "cortex_m4").string(), "OPT=-Os"});
  INFO(make.out << make.err);
  REQUIRE(make.exit_code == 0);
  const fs::path elf =
      out / "cortex_m4" / "build" / ("model_" + read_manifest(out)["model_name"].get<std::string>() + "_nucleo_f401re.elf");
  REQUIRE(fs::exists(elf));
  return elf;
}

CheckRun emulate(const fs::path& elf) {
  mcu::ArmEmulator emulator(mcu::read_elf32_arm(elf));
  CheckRun check;
  check.run = emulator.run_from_reset("tinyskip_done", kInstructionLimit);
  check.result = emulator.read_i32("tinyskip_result");
  check.mismatches = emulator.read_i32("tinyskip_mismatches");
  check.first_mismatch = emulator.read_i32("tinyskip_first_mismatch");
  check.images = emulator.read_i32("tinyskip_images");
  check.image0_instructions = emulator.read_u32("tinyskip_cycles");
  return check;
}

void check_every_image_matches(const CheckRun& check) {
  INFO("first mismatching image " << check.first_mismatch);
  REQUIRE(check.run.reached_stop);
  CHECK(check.images == kCheckImages);
  CHECK(check.mismatches == 0);
  CHECK(check.result == 0);
  CHECK(check.image0_instructions > 0);
  CHECK(check.image0_instructions < check.run.instructions / kCheckImages + 1'000'000);
}

// Flash bytes the check program's link map holds of libcmsis-nn.a's members.
int64_t cmsis_nn_bytes_in_link_map(const fs::path& elf) {
  fs::path map = elf;
  map.replace_extension(".map");
  int64_t bytes = 0;
  for (const auto& [file, sizes] : mcu::parse_link_map(test::read_text(map)))
    if (file.find("libcmsis-nn.a(") != std::string::npos) bytes += sizes.flash();
  return bytes;
}

void check_kernels(const nlohmann::json& manifest, const std::set<int>& unpacked) {
  for (const auto& layer : manifest["layers"]) {
    const std::string op = layer["op"];
    INFO("op " << layer["op_index"] << " " << op);
    if (unpacked.count(layer["op_index"].get<int>()))
      CHECK(layer["kernel"] == "unpacked");
    else if (op == "QUANTIZE" || op == "DEQUANTIZE" || op == "RESHAPE")
      CHECK(layer["kernel"] == "runtime");
    else
      CHECK(layer["kernel"] == "cmsis-nn");
  }
}

void check_cmsis_nn_baseline_and_winner(const std::string& name, const std::string& model,
                                        const std::string& pixel_scale, const nlohmann::json& layers) {
  test::TempDir dir;
  const fs::path config = test::write_small_experiment(
      dir.path(), name, model, pixel_scale, layers,
      {{"flash", {{"source", "estimated"}}},
       {"latency", {{"source", "model"}}},  // what is measured is proven in the test below
       {"cmsis_nn", {{"path", test::cmsis_nn_dir()}, {"core_include", test::cmsis_core_include_dir()}}}});
  const fs::path winner = test::run_small_experiment(config, name) / "winners" / "100.json";

  {  // the exact model on CMSIS-NN, with the -Os flash the link really has
    const fs::path out = dir.path() / "cmsis-nn";
    const fs::path elf = generate_and_build(winner, out, " --variant cmsis-nn --opt -Os");
    const nlohmann::json manifest = read_manifest(out);
    CHECK(manifest["variant"] == "cmsis-nn");
    CHECK(manifest["exact_kernels"]["cmsis_nn"]["path"] == fs::path(test::cmsis_nn_dir()).lexically_normal().string());
    check_kernels(manifest, {});
    const auto& flash = manifest["flash"]["measured"]["-Os"];
    CHECK(flash["cmsis_nn_bytes"].get<int64_t>() == cmsis_nn_bytes_in_link_map(elf));
    CHECK(flash["cmsis_nn_bytes"].get<int64_t>() <= flash["cmsis_nn_object_bytes"].get<int64_t>());
    CHECK(flash["total_bytes"].get<int64_t>() == flash["model_bytes"].get<int64_t>() +
                                                     flash["runtime_bytes"].get<int64_t>() +
                                                     flash["cmsis_nn_bytes"].get<int64_t>());
    check_every_image_matches(emulate(elf));
  }
  {  // the winner: approximated convs unpacked, the other layers on CMSIS-NN from the config
    const fs::path out = dir.path() / "winner";
    const fs::path elf = generate_and_build(winner, out, " --no-flash");
    const nlohmann::json manifest = read_manifest(out);
    const nlohmann::json winner_json = nlohmann::json::parse(test::read_text(winner));
    std::set<int> unpacked;
    for (const auto& layer : winner_json["layers"]) unpacked.insert(layer["op_index"].get<int>());
    REQUIRE_FALSE(unpacked.empty());
    CHECK(manifest["variant"] == "winner");
    check_kernels(manifest, unpacked);
    check_every_image_matches(emulate(elf));
  }
}

TEST_CASE("codegen CMSIS-NN: the exploration scores a point with exactly the flash and cycles of its CMSIS-NN build "
          "(library at -O2, the rest at -Os)",
          "[codegen]") {
  test::TempDir dir;
  // conv1 (864 weights) keeps the unpacked kernels small to compile.
  const fs::path config = test::write_small_experiment(
      dir.path(), "lenet_cmsis_nn_flash", test::lenet_model(), "1/255", {"conv1"},
      {{"flash", {{"source", "measured"}, {"opt_level", "-Os"}}},
       // The deployment most users want: the library for speed, the unpacked kernels for size.
       {"cmsis_nn", {{"path", test::cmsis_nn_dir()}, {"opt_level", "-O2"}}}});
  const fs::path run = test::run_small_experiment(config, "lenet_cmsis_nn_flash");
  const nlohmann::json run_json = nlohmann::json::parse(test::read_text(run / "run.json"));
  CHECK_THAT(run_json["exact"]["kernels"].get<std::string>(), Catch::Matchers::StartsWith("CMSIS-NN V."));
  CHECK(run_json["flash"]["exact_cmsis_nn_bytes"].get<int64_t>() > 0);
  const fs::path winner = run / "winners" / "100.json";
  const fs::path out = dir.path() / "winner";
  const test::CommandResult generated =
      test::run_cli("codegen " + test::quoted(winner) + " --out " + test::quoted(out) + " --opt -Os");
  INFO(generated.output);
  REQUIRE(generated.exit_code == 0);
  const nlohmann::json manifest = read_manifest(out);
  const nlohmann::json winner_json = nlohmann::json::parse(test::read_text(winner));
  CHECK(manifest["layers"][1]["kernel"] == "unpacked");
  CHECK(manifest["exact_kernels"]["cmsis_nn"]["opt_level"] == "-O2");
  CHECK_THAT(test::read_text(out / "cortex_m4" / "Makefile"), Catch::Matchers::Contains("CMSIS_NN_OPT ?= -O2"));
  CHECK(manifest["layers"][3]["kernel"] == "cmsis-nn");
  CHECK(test::flash_in_points_csv(run, winner_json["point"]["key"].get<std::string>()) ==
        manifest["flash"]["measured"]["-Os"]["total_bytes"].get<int64_t>());

  // The same for cycles: the winner's are its own program's, the exact
  // baseline's those of the whole network on CMSIS-NN, both as `tinyskip
  // measure` times the generated code.
  CHECK(run_json["latency"]["source"] == "measured");
  const std::string key = winner_json["point"]["key"].get<std::string>();
  CHECK(test::points_csv_cell(run, key, "latency_source") == "program");
  CHECK(std::stoull(test::points_csv_cell(run, key, "nucleo_f401re_cycles")) == test::measured_f401re_cycles(out));
  const fs::path exact_out = dir.path() / "cmsis-nn";
  const test::CommandResult exact = test::run_cli("codegen " + test::quoted(winner) + " --out " +
                                                  test::quoted(exact_out) + " --variant cmsis-nn --no-flash");
  INFO(exact.output);
  REQUIRE(exact.exit_code == 0);
  CHECK(run_json["exact"]["boards"]["nucleo_f401re"]["cycles"].get<uint64_t>() ==
        test::measured_f401re_cycles(exact_out));
}

// With a "not unpacked" level on every conv and FC layer, which CMSIS-NN
// functions a point links depends on the layers it keeps on the library.
// Every point of the grid is scored with the flash its CMSIS-NN build has:
// checked for the all-library point against the exact model, and for mixed
// points by generating each (the run's winner file, rewritten to the point)
// and comparing the -Os flash of the link with points.csv.
TEST_CASE("codegen CMSIS-NN: with layers kept on the library, every point is scored with the flash of its build",
          "[codegen]") {
  test::TempDir dir;
  const fs::path config = test::write_small_experiment(
      dir.path(), "lenet_cmsis_nn_choose", test::lenet_model(), "1/255", {},
      {{"approximate",
        {{"layers", {"conv1", "conv2", "conv3", "fc1", "fc2"}}, {"thresholds", {{"values", {0}}}},
         {"not_unpacked_level", true}}},
       {"flash", {{"source", "measured"}, {"opt_level", "-Os"}}},
       {"latency", {{"source", "model"}}},
       {"cmsis_nn", {{"path", test::cmsis_nn_dir()}, {"core_include", test::cmsis_core_include_dir()}}}});
  const fs::path run = test::run_small_experiment(config, "lenet_cmsis_nn_choose");
  const nlohmann::json run_json = nlohmann::json::parse(test::read_text(run / "run.json"));
  // Level 0 everywhere: nothing unpacked, the exact model on CMSIS-NN.
  CHECK(test::flash_in_points_csv(run, "0-0-0-0-0") == run_json["flash"]["exact_bytes"].get<int64_t>());

  const nlohmann::json winner = nlohmann::json::parse(test::read_text(run / "winners" / "100.json"));
  // No library layer; convs only / FCs only / a mix on the library.
  for (const std::string key : {"1-1-1-1-1", "0-1-0-1-1", "1-1-1-0-0", "1-0-1-1-0"}) {
    INFO("point " << key);
    nlohmann::json rewritten = winner;
    rewritten["point"]["key"] = key;
    for (size_t l = 0; l < rewritten["layers"].size(); ++l) {
      auto& layer = rewritten["layers"][l];
      REQUIRE(layer["skipped"] == 0);  // threshold 0: the masks of every point are the same
      layer.erase("unpacked");
      if (key[2 * l] == '0') layer["unpacked"] = false;
    }
    const fs::path file = run / "winners" / ("point_" + key + ".json");
    test::write_text(file, rewritten.dump(2));
    const fs::path out = dir.path() / ("point_" + key);
    const test::CommandResult generated =
        test::run_cli("codegen " + test::quoted(file) + " --out " + test::quoted(out) + " --opt -Os");
    INFO(generated.output);
    REQUIRE(generated.exit_code == 0);
    const nlohmann::json manifest = read_manifest(out);
    for (size_t l = 0; l < rewritten["layers"].size(); ++l) {
      const int op = rewritten["layers"][l]["op_index"].get<int>();
      CHECK(manifest["layers"][static_cast<size_t>(op)]["kernel"] == (key[2 * l] == '0' ? "cmsis-nn" : "unpacked"));
    }
    CHECK(test::flash_in_points_csv(run, key) == manifest["flash"]["measured"]["-Os"]["total_bytes"].get<int64_t>());
  }
}

TEST_CASE("codegen CMSIS-NN: LeNet on CMSIS-NN, exact and as a winner, matches the simulator on 20 images in the "
          "emulator",
          "[codegen]") {
  check_cmsis_nn_baseline_and_winner("lenet_cmsis_nn", test::lenet_model(), "1/255", {"conv2"});
}

TEST_CASE("codegen CMSIS-NN: ResNet-8 on CMSIS-NN, exact and as a winner, matches the simulator on 20 images in the "
          "emulator",
          "[codegen]") {
  check_cmsis_nn_baseline_and_winner("resnet8_cmsis_nn", test::resnet8_model(), "1", {"conv2", "conv5"});
}

}  // namespace
}  // namespace tinyskip
