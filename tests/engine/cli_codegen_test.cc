// End-to-end proof of issue 4 as a user runs it: `tinyskip run` explores a
// small design space with flash measured by the cross-compiler, then
// `tinyskip codegen <run>/winners/<budget>.json --out DIR` generates the C
// code of the winner, and
//   - host: the generated sources, compiled with the host C compiler, give
//     byte-identical outputs to the simulator (same masks) on the first 1,000
//     CIFAR-10 test images;
//   - Cortex-M4: the same sources cross-compile at -Os and -O2 (sizes per
//     layer in the manifest), the bare-metal check program links for the
//     512 KB / 96 KB part, and run in the instruction-level emulator it
//     reproduces the simulator's output for its embedded image;
//   - the flash and cycles the exploration scored for the point are exactly
//     the generated code's, for every layer kind that unpacks (can_unpack):
//     CONV_2D (LeNet, ResNet-8, KWS), FULLY_CONNECTED (LeNet) and
//     DEPTHWISE_CONV_2D (KWS);
//   - the same on .npy data scored label-free (KWS, agreement).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/codegen/layer_kernel.h"
#include "engine/results/winner_file.h"
#include "sim/data/data_source.h"
#include "mcu_model/subprocess.h"
#include "sim/simulator.h"
#include "sim/tflite_import.h"
#include "tests/engine/cli_test_support.h"
#include "tests/engine/codegen_test_support.h"
#include "tests/engine/small_experiment.h"
#include "tests/npy_files.h"
#include "tests/shared_paths.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;
constexpr int kProofImages = 1000;

// One compile cache for every test run of this build: the first run compiles,
// later ones (and the other test cases) reuse identical units.
std::string flash_cache_dir() { return std::string(TINYSKIP_BINARY_DIR) + "/test_flash_cache"; }

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(test::read_text(path)); }

// The inputs the host proof runs: the first 1,000 CIFAR-10 test images, or
// given ones.
using ProofInputs = std::function<sim::ModelInputs(const sim::Graph&)>;

ProofInputs cifar10_test_images(const std::string& pixel_scale) {
  return [pixel_scale](const sim::Graph& graph) {
    return test::first_images(graph, test::cifar10_dir() + "/test_batch.bin", kProofImages, pixel_scale);
  };
}

// Runs the small experiment, generates its 100-point winner and proves it;
// returns the winner file.
engine::WinnerFile check_codegen_end_to_end(const std::string& name, const std::string& model, const std::string& pixel_scale,
                              const std::string& layers, const ProofInputs& proof_inputs,
                              nlohmann::json extra = nlohmann::json::object()) {
  test::TempDir dir;
  extra["flash"] = {{"source", "measured"}, {"opt_level", "-Os"}, {"cache_dir", flash_cache_dir()}};
  const fs::path config =
      test::write_small_experiment(dir.path(), name, model, pixel_scale, nlohmann::json::parse(layers), extra);
  const fs::path run = test::run_small_experiment(config, name);
  // Budget 100 points: the fastest front point, i.e. the most aggressive one.
  const fs::path winner_file = run / "winners" / "100.json";

  const fs::path out = dir.path() / "generated";
  const auto generated = test::run_cli("codegen " + test::quoted(winner_file) + " --out " + test::quoted(out) +
                                       " --opt -Os --opt -O2");
  INFO(generated.output);
  REQUIRE(generated.exit_code == 0);
  const nlohmann::json manifest = read_json(out / "manifest.json");
  const engine::WinnerFile winner = engine::read_winner_file(winner_file);
  const sim::Graph graph = sim::load_tflite(model);

  {  // the manifest describes every layer and the measured flash
    CHECK(manifest["format"] == "tinyskip-codegen/1");
    REQUIRE(manifest["layers"].size() == graph.ops.size());
    int64_t per_file_total = 0;
    for (const auto& layer : manifest["layers"]) {
      CHECK(fs::exists(out / layer["file"].get<std::string>()));
      for (const char* level : {"-Os", "-O2"}) CHECK(layer["measured"][level]["flash"].get<int64_t>() > 0);
      per_file_total += layer["measured"]["-Os"]["flash"].get<int64_t>();
    }
    for (const engine::WinnerLayer& w : winner.layers) {
      const auto& layer = manifest["layers"][static_cast<size_t>(w.op_index)];
      const sim::Op& op = graph.ops[static_cast<size_t>(w.op_index)];
      CHECK(layer["skipped_weights"].get<int64_t>() == w.mask.skipped_count());
      if (!engine::can_unpack(op.type) || !w.unpacked) {  // the exact kernel, skipped weights zeroed
        CHECK(layer["kernel"] != "unpacked");
        continue;
      }
      CHECK(layer["kernel"] == "unpacked");
      CHECK(layer["skipped_macs"].get<int64_t>() == w.skipped_macs);
      // The kernel issues one MAC per use of every effective weight: non-zero
      // and not skipped (zero weights emit nothing even in the exact kernel).
      const auto weights = graph.input_of(op, 1).values<int8_t>();
      int64_t effective = 0;
      for (size_t i = 0; i < weights.size(); ++i) effective += weights[i] != 0 && w.mask.skip[i] == 0;
      const int64_t uses_per_weight = w.macs / static_cast<int64_t>(weights.size());
      CHECK(layer["kept_macs"].get<int64_t>() == effective * uses_per_weight);
    }
    const auto& measured = manifest["flash"]["measured"]["-Os"];
    CHECK(measured["total_bytes"].get<int64_t>() == measured["model_bytes"].get<int64_t>() +
                                                       measured["runtime_bytes"].get<int64_t>());
    CHECK(per_file_total < measured["model_bytes"].get<int64_t>());  // plus model_<name>.c
    // The exploration scored the point with exactly the flash the generated code has.
    CHECK(test::flash_in_points_csv(run, winner.point["key"].get<std::string>()) == measured["total_bytes"].get<int64_t>());
  }

  {  // ... and exactly the cycles: the winner's row holds its own program's timing
    const std::string key = winner.point["key"].get<std::string>();
    CHECK(test::points_csv_cell(run, key, "latency_source") == "program");
    CHECK(std::stoull(test::points_csv_cell(run, key, "nucleo_f401re_cycles")) == test::measured_f401re_cycles(out));
  }

  {  // host: byte-identical to the simulator on the proof inputs
    const sim::ModelInputs images = proof_inputs(graph);
    const std::string outputs =
        test::run_generated_model_on_host(out, graph, manifest["model_name"].get<std::string>(), images);
    test::check_same_outputs(outputs, sim::Simulator(graph, winner.masks()).run(images));
  }

  {  // Cortex-M4: links for the 512 KB / 96 KB part and computes the expected output in the emulator
    const mcu::ProcessResult make =
        mcu::run_process({"make", "-j2", "-C", (out / "cortex_m4").string(), "OPT=-Os"});
    INFO(make.out << make.err);
    REQUIRE(make.exit_code == 0);
    const fs::path elf = out / "cortex_m4" / "build" /
                         ("model_" + manifest["model_name"].get<std::string>() + "_nucleo_f401re.elf");
    // The unpacked kernels take the DSP path on the M4: SMLAD instructions.
    for (const engine::WinnerLayer& w : winner.layers) {
      if (!engine::can_unpack(graph.ops[static_cast<size_t>(w.op_index)].type) || !w.unpacked) continue;
      const std::string file = manifest["layers"][static_cast<size_t>(w.op_index)]["file"].get<std::string>();
      const fs::path object = out / "cortex_m4" / "build" / fs::path(file).replace_extension(".o");
      const mcu::ProcessResult disassembly = mcu::run_process({"arm-none-eabi-objdump", "-d", object.string()});
      REQUIRE(disassembly.exit_code == 0);
      CHECK(disassembly.out.find("smlad") != std::string::npos);
    }
    const auto emulated = test::run_cli("emulate " + test::quoted(elf));
    INFO(emulated.output);
    CHECK(emulated.exit_code == 0);
    CHECK_THAT(emulated.output, Catch::Matchers::Contains("output matches the simulator"));
  }
  return winner;
}

TEST_CASE("tinyskip codegen: a LeNet winner is bit-exact on the host, links and runs on Cortex-M4", "[codegen]") {
  check_codegen_end_to_end("lenet_codegen", test::lenet_model(), "1/255", "[\"conv2\", \"conv3\"]",
                           cifar10_test_images("1/255"));
}

TEST_CASE("tinyskip codegen: a LeNet conv2 + fc1 winner scores exactly the flash and cycles it generates",
          "[codegen]") {
  check_codegen_end_to_end("lenet_fc_codegen", test::lenet_model(), "1/255", "[\"conv2\", \"fc1\"]",
                           cifar10_test_images("1/255"));
}

// With a "not unpacked" level the search decides which layers to unpack. A
// flash budget below every point that unpacks both layers (computed from a
// first run's measured flash table) leaves the fastest feasible point with
// one layer on its library kernel: that winner, too, scores exactly what it
// generates, and generates that layer on the library.
TEST_CASE("tinyskip codegen: a LeNet winner that keeps a layer off the unpacked code scores exactly what it "
          "generates",
          "[codegen]") {
  const nlohmann::json not_unpacked = {{"layers", {"conv2", "fc1"}},
                                       {"thresholds", {{"values", {0, 0.01, 0.05}}}},
                                       {"not_unpacked_level", true}};
  int64_t budget = 0;
  {
    test::TempDir dir;
    const nlohmann::json extra = {
        {"approximate", not_unpacked},
        {"flash", {{"source", "measured"}, {"opt_level", "-Os"}, {"cache_dir", flash_cache_dir()}}},
        {"latency", {{"source", "model"}}}};
    const fs::path config =
        test::write_small_experiment(dir.path(), "lenet_flash_table", test::lenet_model(), "1/255", {}, extra);
    const nlohmann::json flash = read_json(test::run_small_experiment(config, "lenet_flash_table") / "run.json")["flash"];
    REQUIRE(flash["exact_cmsis_nn_bytes"] == 0);  // no CMSIS-NN: the flash is additive
    const auto library = [&](const char* layer) { return flash["layer_bytes"][layer][0].get<int64_t>(); };
    const auto smallest_unpacked = [&](const char* layer) {
      int64_t smallest = INT64_MAX;
      for (size_t level = 1; level < flash["layer_bytes"][layer].size(); ++level)
        smallest = std::min(smallest, flash["layer_bytes"][layer][level].get<int64_t>());
      return smallest;
    };
    REQUIRE(smallest_unpacked("conv2") > library("conv2"));
    REQUIRE(smallest_unpacked("fc1") > library("fc1"));
    budget = flash["fixed_bytes"].get<int64_t>() + std::max(library("conv2") + smallest_unpacked("fc1"),
                                                            smallest_unpacked("conv2") + library("fc1"));
  }
  const nlohmann::json extra = {{"approximate", not_unpacked}, {"constraints", {{"flash_budget_bytes", budget}}}};
  const engine::WinnerFile winner = check_codegen_end_to_end("lenet_not_unpacked_codegen", test::lenet_model(), "1/255",
                                                             "[]", cifar10_test_images("1/255"), extra);
  int library_layers = 0;
  for (const engine::WinnerLayer& layer : winner.layers) library_layers += !layer.unpacked;
  CHECK(library_layers == 1);
}

// KWS on seeded random int8 inputs in .npy files, scored by agreement with
// the exact model: a depthwise and a pointwise layer approximated.
TEST_CASE("tinyskip codegen: a KWS conv2 + dwconv2 winner on npy data, agreement-scored, is exact and scored as "
          "generated",
          "[codegen]") {
  test::TempDir data;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> value(-128, 127);
  constexpr int kSamples = 700;
  std::vector<int8_t> inputs(static_cast<size_t>(kSamples) * 490);
  for (int8_t& v : inputs) v = static_cast<int8_t>(value(rng));
  const fs::path npy = data.path() / "kws_random.npy";
  test::write_text(npy, test::npy_array<int8_t>("|i1", "(700, 49, 10, 1)", inputs));
  const nlohmann::json splits = {{"calibration", {{"inputs", npy.string()}, {"end", 100}}},
                                 {"search", {{"inputs", npy.string()}, {"begin", 100}, {"end", 400}}},
                                 {"report", {{"inputs", npy.string()}, {"begin", 400}}}};
  const ProofInputs proof = [&](const sim::Graph& graph) {
    sim::TensorSet set = sim::read_npy_samples(npy, {});
    return sim::ModelInputs(graph, std::move(set), std::nullopt);
  };
  check_codegen_end_to_end("kws_codegen", test::shared_path("models/kws_ref_model.tflite"), "1",
                           "[\"conv2\", \"dwconv2\"]", proof,
                           {{"splits", splits}, {"data_dir", nullptr}, {"pixel_scale", nullptr}, {"score", "agreement"}});
}

TEST_CASE("tinyskip codegen: a ResNet-8 winner is bit-exact on the host, links and runs on Cortex-M4", "[codegen]") {
  check_codegen_end_to_end("resnet8_codegen", test::resnet8_model(), "1", "[\"conv2\", \"conv5\"]",
                           cifar10_test_images("1"));
}

}  // namespace
}  // namespace tinyskip
