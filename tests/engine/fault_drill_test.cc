// Fault drills on a real, small exploration (ResNet-8 conv1 and conv2 at
// three thresholds on the F401RE, measured flash and latency): kill -9 at
// every phase, two processes on one run, 1 and 2 threads, a full or
// read-only disk, and tools that disappear between sessions. The reference
// for every drill is an uninterrupted run with the same run id in another
// results directory, so output files compare byte for byte.
#include <sys/mount.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "engine/results/atomic_file.h"
#include "tests/engine/cli_test_support.h"
#include "tests/engine/killable_process.h"
#include "tests/required_tool.h"
#include "tests/shared_paths.h"
#include "tests/test_files.h"

namespace tinyskip {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using test::read_text;
using test::run_and_kill;

constexpr const char* kRunId = "r";
const std::vector<std::string> kOutputs = {"points.csv", "pareto.json", "winners/0.json", "winners/2.json"};

// One drill directory: configs whose results (and, when asked, caches) live
// below it. Caches default to the shared warm ones of `root`.
struct DrillConfig {
  fs::path file;
  fs::path results;
  fs::path run() const { return results / "drill" / kRunId; }
};

DrillConfig write_drill_config(const fs::path& root, const std::string& name, nlohmann::json extra = {}) {
  const std::string mcu = std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/";
  nlohmann::json config = {
      {"name", "drill"},
      {"model", test::resnet8_model()},
      {"pixel_scale", "1"},
      {"data_dir", test::cifar10_dir()},
      {"splits", {{"calibration", {{"files", {"data_batch_1.bin"}}, {"begin", 0}, {"end", 50}}},
                  {"search", {{"files", {"test_batch.bin"}}, {"begin", 0}, {"end", 300}}},
                  {"report", {{"files", {"test_batch.bin"}}, {"begin", 5000}, {"end", 5300}}}}},
      {"approximate", {{"layers", {"conv1", "conv2"}}, {"thresholds", {{"values", {0, 0.01, 0.05}}}}}},
      {"search", {{"algorithm", "grid"}}},
      {"winners", {{"accuracy_loss_budgets", {0, 2}}}},
      {"boards", {mcu + "nucleo_f401re.json"}},
      {"flash", {{"cache_dir", (root / "flash_cache").string()}}},
      {"latency", {{"source", "measured"}, {"cache_dir", (root / "latency_cache").string()}}},
      {"results_dir", (root / name).string()}};
  if (!extra.is_null()) config.merge_patch(extra);
  DrillConfig drill{root / (name + ".json"), root / name};
  test::write_text(drill.file, config.dump(2));
  return drill;
}

std::vector<std::string> run_arguments(const DrillConfig& drill, bool resume, int threads = 2) {
  std::vector<std::string> arguments = {"run", drill.file.string(), "--run-id", kRunId, "--threads",
                                        std::to_string(threads)};
  if (resume) arguments.push_back("--resume");
  return arguments;
}

void check_same_outputs(const fs::path& run, const fs::path& reference) {
  for (const std::string& file : kOutputs) {
    INFO(run.string() << ": " << file);
    REQUIRE(fs::exists(run / file));
    CHECK(read_text(run / file) == read_text(reference / file));
  }
}

// What a failure may leave: complete files only (every JSON parses), and no
// temporary file unless the process was killed in the middle of a write
// (resume removes those).
void check_nothing_torn(const fs::path& run, bool killed = false) {
  if (!fs::exists(run)) return;
  for (const auto& entry : fs::recursive_directory_iterator(run)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    INFO(entry.path().string());
    if (!killed) CHECK_FALSE(engine::is_atomic_temp_name(name));
    if (entry.path().extension() == ".json") CHECK_NOTHROW(nlohmann::json::parse(read_text(entry.path())));
  }
}

bool have_cross_compiler() {
  return test::require_tool(std::system("command -v arm-none-eabi-gcc > /dev/null 2>&1") == 0,
                            "arm-none-eabi-gcc (the drills measure flash and latency)");
}

// The drills share one uninterrupted reference run (which also warms the
// flash and latency caches under root).
class DrillFixture {
 public:
  DrillFixture() {
    reference_ = write_drill_config(root(), "reference");
    const test::ChildOutcome run = run_and_kill(run_arguments(reference_, false), "");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
  }
  const fs::path& root() const { return dir_.path(); }
  fs::path reference_run() const { return reference_.run(); }

 private:
  test::TempDir dir_;
  DrillConfig reference_;
};

TEST_CASE("fault drill: kill -9 at ten moments, then --resume ends with the uninterrupted run's files",
          "[drill][latency]") {
  if (!have_cross_compiler()) return;
  const DrillFixture fixture;
  // Somewhere in a warm-cache run (about 2 s after its run directory
  // exists), fixed by the seed.
  std::mt19937 random(12);
  const double random_delay = std::uniform_real_distribution<double>(0.0, 2.0)(random);
  struct Moment {
    std::string name, marker;
    double seconds;       // kill this long after the marker (-1: at once)
    bool cold_flash, cold_latency;  // own empty cache, so that the phase really runs
  };
  const std::vector<Moment> moments = {
      {"significance", "run directory", -1, false, false},
      {"flash measurement", "measuring flash", -1, true, false},
      {"latency measurement start", "measuring latency", -1, false, true},
      {"latency measurement, mid-way", "threshold level 1 of 3", -1, false, true},
      {"exact reference", "latency measured", -1, false, false},
      {"search", "search: exhaustive grid", -1, false, false},
      {"report re-scoring", "shared work:", -1, false, false},
      {"winner programs", "its own program takes", -1, false, false},
      {"first winner written", "winner for 0 pp", -1, false, false},
      {"at a random moment", "run directory", random_delay, false, false},
  };
  int killed = 0;
  for (size_t m = 0; m < moments.size(); ++m) {
    const Moment& moment = moments[m];
    INFO("kill during " << moment.name);
    nlohmann::json caches = nlohmann::json::object();
    if (moment.cold_flash) caches["flash"] = {{"cache_dir", (fixture.root() / ("flash_" + std::to_string(m))).string()}};
    if (moment.cold_latency)
      caches["latency"] = {{"cache_dir", (fixture.root() / ("latency_" + std::to_string(m))).string()}};
    const DrillConfig drill = write_drill_config(fixture.root(), "kill_" + std::to_string(m), caches);
    const test::ChildOutcome first = run_and_kill(run_arguments(drill, false), moment.marker, moment.seconds);
    INFO(first.output);
    killed += first.killed;
    check_nothing_torn(drill.run(), first.killed);
    const test::ChildOutcome resumed = run_and_kill(run_arguments(drill, true), "");
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    check_same_outputs(drill.run(), fixture.reference_run());
    check_nothing_torn(drill.run());
  }
  CHECK(killed >= 9);  // a kill may land after the last write only at the last marker
}

TEST_CASE("fault drill: a second process on a live run is refused, and neither corrupts the other", "[drill][latency]") {
  if (!have_cross_compiler()) return;
  const DrillFixture fixture;
  const DrillConfig drill = write_drill_config(fixture.root(), "concurrent");
  // The first run is stopped (SIGSTOP) once its directory exists, so the
  // second meets it alive at a known point.
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t first = ::fork();
  REQUIRE(first >= 0);
  if (first == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::close(pipe_fds[0]);
    std::vector<std::string> text = {test::cli_path()};
    for (const std::string& argument : run_arguments(drill, false)) text.push_back(argument);
    std::vector<char*> argv;
    for (std::string& t : text) argv.push_back(t.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  while (output.find("run directory") == std::string::npos) {
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    REQUIRE(got > 0);
    output.append(buffer, static_cast<size_t>(got));
  }
  ::kill(first, SIGSTOP);
  const test::ChildOutcome again = run_and_kill(run_arguments(drill, false), "");
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Contains("run directory exists"));
  const test::ChildOutcome resume = run_and_kill(run_arguments(drill, true), "");
  CHECK(resume.exit_code == 1);
  CHECK_THAT(resume.output, Contains("is in use by another tinyskip process"));
  ::kill(first, SIGCONT);
  while (::read(pipe_fds[0], buffer, sizeof buffer) > 0) {
  }
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(first, &status, 0) == first);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  check_same_outputs(drill.run(), fixture.reference_run());
}

TEST_CASE("fault drill: 1 and 2 threads write the same files", "[drill][latency]") {
  if (!have_cross_compiler()) return;
  const DrillFixture fixture;
  const DrillConfig drill = write_drill_config(fixture.root(), "one_thread");
  const test::ChildOutcome run = run_and_kill(run_arguments(drill, false, 1), "");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  check_same_outputs(drill.run(), fixture.reference_run());  // the reference ran with 2
}

// A tmpfs of a given size mounted for the test (needs root, which CI has).
class SmallDisk {
 public:
  explicit SmallDisk(fs::path where) : where_(std::move(where)) {
    fs::create_directories(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, "size=4k") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  // Empties the disk and gives it `kilobytes` of space (read-only if asked).
  void reset(int kilobytes, bool read_only = false) {
    ::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT, "size=64m");
    for (const auto& entry : fs::directory_iterator(where_)) fs::remove_all(entry.path());
    const std::string options = "size=" + std::to_string(kilobytes) + "k";
    REQUIRE(::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT | (read_only ? MS_RDONLY : 0), options.c_str()) == 0);
  }
  // More room (or writable again), keeping what is there.
  void grow() { REQUIRE(::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0); }

 private:
  fs::path where_;
  bool mounted_ = false;
};

TEST_CASE("fault drill: a full or read-only results disk is a clear error, tears no file, and resume completes",
          "[drill][latency]") {
  if (!have_cross_compiler()) return;
  const DrillFixture fixture;
  SmallDisk disk(fixture.root() / "disk");
  if (!test::require_tool(disk.mounted(), "permission to mount a tmpfs (root), to fill a disk")) return;
  DrillConfig drill =
      write_drill_config(fixture.root(), "disk_config", {{"results_dir", (fixture.root() / "disk").string()}});
  drill.results = fixture.root() / "disk";

  // From no room at all to enough: the disk fills at every write in turn
  // (run.json, points.csv rows, pareto.json, the winners; each file takes
  // whole 4 KB pages, and the atomic rewrite of run.json two copies).
  int full = 0, fitted = 0;
  for (int kilobytes = 4; kilobytes <= 48; kilobytes += 4) {
    INFO(kilobytes << " KB disk");
    disk.reset(kilobytes);
    const test::ChildOutcome run = run_and_kill(run_arguments(drill, false), "");
    INFO(run.output);
    REQUIRE_FALSE(run.killed);
    if (run.exit_code == 0) {
      ++fitted;
      check_same_outputs(drill.run(), fixture.reference_run());
      continue;
    }
    ++full;
    CHECK(run.exit_code == 1);  // an error message, not a crash
    CHECK_THAT(run.output, Contains("No space left on device"));
    CHECK_THAT(run.output, !Contains(".tmp-"));  // names the file being written, not its temporary
    check_nothing_torn(drill.run());
    if (!fs::exists(drill.run() / "run.json")) continue;  // nothing to resume: the run never began
    disk.grow();
    const test::ChildOutcome resumed = run_and_kill(run_arguments(drill, true), "");
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    check_same_outputs(drill.run(), fixture.reference_run());
  }
  CHECK(full >= 4);
  CHECK(fitted >= 1);

  disk.reset(1024, true);
  const test::ChildOutcome read_only = run_and_kill(run_arguments(drill, false), "");
  CHECK(read_only.exit_code == 1);
  CHECK_THAT(read_only.output, Contains("Read-only file system") && Contains((fixture.root() / "disk").string()));
}

TEST_CASE("fault drill: the cross-compiler or CMSIS-NN gone between sessions is named on resume", "[drill][latency]") {
  if (!have_cross_compiler()) return;
  const DrillFixture fixture;
  // A toolchain whose compiler and size tool are wrappers in a folder the
  // drill then deletes.
  const fs::path bin = fixture.root() / "bin";
  for (const char* tool : {"arm-none-eabi-gcc", "arm-none-eabi-size"}) {
    test::write_text(bin / tool, std::string("#!/bin/sh\nexec ") + tool + " \"$@\"\n");
    fs::permissions(bin / tool, fs::perms::owner_all);
  }
  nlohmann::json toolchain = nlohmann::json::parse(
      read_text(std::string(TINYSKIP_SOURCE_DIR) + "/configs/mcu/arm_none_eabi_gcc.json"));
  toolchain["gcc"] = "./bin/arm-none-eabi-gcc";
  toolchain["size"] = "./bin/arm-none-eabi-size";
  test::write_text(fixture.root() / "toolchain.json", toolchain.dump(2));
  const DrillConfig compiler = write_drill_config(
      fixture.root(), "compiler_gone", {{"flash", {{"toolchain", (fixture.root() / "toolchain.json").string()}}}});
  REQUIRE(run_and_kill(run_arguments(compiler, false), "search: exhaustive grid").killed);
  fs::remove_all(bin);
  const test::ChildOutcome no_compiler = run_and_kill(run_arguments(compiler, true), "");
  CHECK(no_compiler.exit_code == 1);
  CHECK_THAT(no_compiler.output, Contains("arm-none-eabi-gcc") && Contains("not found"));

  const fs::path checkout = fixture.root() / "CMSIS-NN";
  fs::create_directory_symlink(test::cmsis_nn_dir(), checkout);
  const DrillConfig cmsis = write_drill_config(
      fixture.root(), "cmsis_gone",
      {{"cmsis_nn", {{"path", checkout.string()}, {"core_include", test::cmsis_core_include_dir()}}}});
  REQUIRE(run_and_kill(run_arguments(cmsis, false), "run directory").killed);
  fs::remove(checkout);
  const test::ChildOutcome no_cmsis = run_and_kill(run_arguments(cmsis, true), "");
  CHECK(no_cmsis.exit_code == 1);
  CHECK_THAT(no_cmsis.output, Contains(checkout.string()));
}

}  // namespace
}  // namespace tinyskip
