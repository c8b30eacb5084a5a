#include "engine/results/run_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "engine/results/atomic_file.h"
#include "engine/results/hashing.h"
#include "sim/support/whole_file.h"

namespace tinyskip::engine {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kRunJson = "run.json";
constexpr const char* kPointsCsv = "points.csv";
constexpr const char* kParetoJson = "pareto.json";
constexpr const char* kWinnersDir = "winners";
constexpr const char* kLockFile = "run.lock";

std::string local_time(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  localtime_r(&now, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

std::string iso_now() { return local_time("%Y-%m-%dT%H:%M:%S%z"); }

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string read_file(const fs::path& path) {
  std::optional<std::string> text = support::read_whole_file(path);
  if (!text) throw ResultsError(fmt::format("{}: cannot open", path.string()));
  return *std::move(text);
}

// Every distinct data file the splits read, in split order.
std::vector<fs::path> data_files(const ExperimentConfig& config) {
  std::vector<fs::path> files;
  for (const DataSplit* split : {&config.splits.calibration, &config.splits.search, &config.splits.report})
    for (const fs::path& file : split->source.files())
      if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  return files;
}

ordered_json layers_json(const RunSchema& schema) {
  ordered_json layers = ordered_json::array();
  for (const LayerInfo& layer : schema.layers)
    layers.push_back({{"name", layer.name}, {"op_index", layer.op_index}, {"macs", layer.macs}});
  return layers;
}

// The parts of run.json that identify what a run computes; a resumed run must
// match them exactly.
ordered_json identity_json(const ExperimentConfig& config, const RunSchema& schema) {
  ordered_json data = ordered_json::array();
  for (const fs::path& file : data_files(config))
    data.push_back({{"path", file.string()}, {"fnv1a64", fnv1a_hex_of_file(file)}});
  return {{"config_hash", config_hash(config)},
          {"model", {{"path", config.model.string()}, {"fnv1a64", fnv1a_hex_of_file(config.model)}}},
          {"data_files", data},
          {"layers", layers_json(schema)},
          {"network_macs", schema.network_macs},
          {"boards", schema.boards}};
}

// JSON equality regardless of key order: a run.json rewritten by another tool
// (jq, Python's json with sort_keys) still describes the same run.
bool same_json(const ordered_json& a, const ordered_json& b) {
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

void check_same_identity(const ordered_json& stored, const ordered_json& current, const fs::path& run_json) {
  static const std::map<std::string, const char*> kWhat = {
      {"config_hash", "config"},         {"model", "model file"},        {"data_files", "data files"},
      {"layers", "approximated layers"}, {"network_macs", "model MACs"}, {"boards", "boards"}};
  for (const auto& [key, what] : kWhat)
    if (!stored.contains(key) || !same_json(stored[key], current[key]))
      throw ResultsError(fmt::format(
          "{}: cannot resume: the {} changed since this run started (was {}, now {}); "
          "start a new run instead",
          run_json.string(), what, stored.contains(key) ? stored[key].dump() : "absent", current[key].dump()));
}

// The run of an experiment whose run.json changed last.
std::string latest_run_id(const fs::path& experiment_dir) {
  std::error_code error;
  std::string latest;
  fs::file_time_type latest_time{};
  for (const fs::directory_entry& entry : fs::directory_iterator(experiment_dir, error)) {
    const fs::path run_json = entry.path() / kRunJson;
    if (!fs::is_regular_file(run_json, error)) continue;
    const auto time = fs::last_write_time(run_json, error);
    const std::string id = entry.path().filename().string();
    if (latest.empty() || time > latest_time || (time == latest_time && id > latest)) {
      latest = id;
      latest_time = time;
    }
  }
  if (latest.empty())
    throw ResultsError(fmt::format("{}: no run to resume (no */run.json); start a new run", experiment_dir.string()));
  return latest;
}

}  // namespace

struct RunStore::State {
  fs::path dir;
  std::string run_id;
  RunSchema schema;
  RunIdentity identity;
  bool resumed = false;
  bool dropped_partial_row = false;
  int points_fd = -1;
  int lock_fd = -1;  // holds an exclusive flock on run.lock while the run is open
  mutable std::mutex points_mutex;
  ordered_json run_json;
  std::chrono::steady_clock::time_point session_start = std::chrono::steady_clock::now();

  ~State() {
    if (points_fd >= 0) ::close(points_fd);
    if (lock_fd >= 0) ::close(lock_fd);  // releases the lock
  }
  fs::path points_path() const { return dir / kPointsCsv; }
  std::string header_line() const { return csv_header(schema) + "\n"; }

  void create_points_file() const { write_file_atomically(points_path(), header_line()); }

  // Resume: checks the header and cuts a trailing partial row, so the next
  // append starts on a fresh line.
  void repair_points_file() {
    const fs::path path = points_path();
    std::error_code error;
    if (!fs::exists(path, error)) return create_points_file();
    const std::string content = read_file(path);
    const std::string header = header_line();
    if (content.size() < header.size() && header.starts_with(content)) return create_points_file();
    if (!content.starts_with(header))
      throw ResultsError(
          fmt::format("{}: cannot resume: the header does not match this run's layers and boards", path.string()));
    const size_t complete = content.rfind('\n') + 1;
    if (complete < content.size()) {
      fs::resize_file(path, complete);
      dropped_partial_row = true;
    }
  }

  void open_points_for_append() {
    points_fd = ::open(points_path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (points_fd < 0)
      throw ResultsError(
          fmt::format("{}: cannot open for appending: {}", points_path().string(), std::strerror(errno)));
  }

  // One process per run directory: a second run (or resume) of the same run id
  // while the first is alive would interleave points.csv rows and race on
  // run.json. flock is released by the kernel when the process dies, so a run
  // killed with -9 leaves no stale lock behind.
  void lock_run_directory() {
    const fs::path path = dir / kLockFile;
    lock_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0)
      throw ResultsError(fmt::format("{}: cannot create the run lock: {}", path.string(), std::strerror(errno)));
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      const int lock_error = errno;
      if (lock_error == EWOULDBLOCK)
        throw ResultsError(fmt::format("{}: run '{}' is in use by another tinyskip process; wait for it to end",
                                       dir.string(), run_id));
      throw ResultsError(fmt::format("{}: cannot lock: {}", path.string(), std::strerror(lock_error)));
    }
  }

  // A process killed during an atomic write leaves its temporary beside the
  // intact old file. The lock says no live process owns them any more.
  void remove_stale_temporaries() const {
    for (const fs::path& folder : {dir, dir / kWinnersDir}) {
      std::error_code error;
      for (const fs::directory_entry& entry : fs::directory_iterator(folder, error))
        if (is_atomic_temp_name(entry.path().filename().string())) fs::remove(entry.path(), error);
    }
  }

  void write_run_json() const { write_file_atomically(dir / kRunJson, run_json.dump(2) + "\n"); }
};

RunSchema make_run_schema(const ExperimentConfig& config, const DesignSpace& space, const sim::Graph& graph) {
  RunSchema schema;
  for (const ApproximatedLayer& layer : space.layers)
    schema.layers.push_back(
        {layer.name, layer.op_index, sim::macs_of(graph, graph.ops.at(static_cast<size_t>(layer.op_index)))});
  for (const BoardRef& board : config.boards) schema.boards.push_back(board.name);
  schema.network_macs = sim::total_macs(graph);
  schema.score = config.score;
  return schema;
}

std::string default_run_id(uint64_t seed) { return fmt::format("{}-seed{}", local_time("%Y%m%d-%H%M%S"), seed); }

RunStore RunStore::open(const ExperimentConfig& config, const RunSchema& schema, const RunStoreOptions& options) {
  schema.validate();
  std::vector<std::string> board_names;
  for (const BoardRef& board : config.boards) board_names.push_back(board.name);
  if (schema.boards != board_names)
    throw std::invalid_argument("RunStore::open: schema boards differ from the config's boards");

  auto state = std::make_unique<State>();
  const fs::path experiment_dir = config.results_dir / config.name;
  state->run_id = !options.run_id.empty() ? options.run_id
                  : options.resume        ? latest_run_id(experiment_dir)
                                          : default_run_id(config.search.seed);
  if (!is_safe_name(state->run_id))
    throw ResultsError(fmt::format("run id '{}' must be letters, digits, '_', '.' and '-' only", state->run_id));
  state->dir = experiment_dir / state->run_id;
  state->schema = schema;
  state->resumed = options.resume;

  const fs::path run_json_path = state->dir / kRunJson;
  const ordered_json identity = identity_json(config, schema);
  std::error_code error;
  if (options.resume) {
    if (!fs::is_regular_file(run_json_path, error))
      throw ResultsError(fmt::format("{}: cannot resume: no such run", run_json_path.string()));
    try {
      state->run_json = ordered_json::parse(read_file(run_json_path));
    } catch (const nlohmann::json::exception& parse_error) {
      throw ResultsError(fmt::format("{}: cannot resume: {}", run_json_path.string(), parse_error.what()));
    }
    state->lock_run_directory();
    state->remove_stale_temporaries();
    check_same_identity(state->run_json, identity, run_json_path);
    state->run_json["resumed_at"].push_back(iso_now());
    state->repair_points_file();
  } else {
    fs::create_directories(experiment_dir, error);
    if (error) throw ResultsError(fmt::format("{}: cannot create: {}", experiment_dir.string(), error.message()));
    // create_directory reports whether this process made the directory, so of
    // two runs started at once with the same id only one goes on.
    const bool created = fs::create_directory(state->dir, error);
    if (error) throw ResultsError(fmt::format("{}: cannot create: {}", state->dir.string(), error.message()));
    if (!created)
      throw ResultsError(
          fmt::format("{}: run directory exists; resume it or choose another run id", state->dir.string()));
    state->lock_run_directory();
    state->run_json = {
        {"format", "tinyskip-run/1"}, {"tool", "tinyskip"},
        {"experiment", config.name},  {"run_id", state->run_id},
        {"started_at", iso_now()},    {"resumed_at", ordered_json::array()},
        {"seed", config.search.seed}, {"config_file", fs::absolute(config.source).lexically_normal().string()}};
    for (const auto& [key, value] : identity.items()) state->run_json[key] = value;
    state->run_json["primary_board"] = config.primary_board;
    state->run_json["config"] = ordered_json(to_json(config));
    state->run_json["timings"] = ordered_json::object();
    state->create_points_file();
  }
  // Per-session facts, refreshed on every (re)open.
  state->run_json["version"] = TINYSKIP_VERSION;
  state->run_json["status"] = "running";
  state->run_json["hostname"] = host_name();
  state->run_json["threads"] = options.threads;
  state->run_json.erase("finished_at");
  state->run_json.erase("session_wall_seconds");
  state->write_run_json();
  state->open_points_for_append();

  state->identity = {config.name, state->run_id, config.primary_board, config.model.string(),
                     state->run_json["model"]["fnv1a64"].get<std::string>()};
  return RunStore(std::move(state));
}

RunStore::RunStore(std::unique_ptr<State> state) : state_(std::move(state)) {}
RunStore::RunStore(RunStore&&) noexcept = default;
RunStore& RunStore::operator=(RunStore&&) noexcept = default;
RunStore::~RunStore() = default;

const fs::path& RunStore::dir() const { return state_->dir; }
const std::string& RunStore::run_id() const { return state_->run_id; }
const RunSchema& RunStore::schema() const { return state_->schema; }
bool RunStore::resumed() const { return state_->resumed; }
bool RunStore::dropped_partial_row() const { return state_->dropped_partial_row; }

void RunStore::append(const PointRecord& record) {
  // One write() of the whole row, then fsync: a crash loses at most this row,
  // and resume recognises its remains as a line without a newline.
  const std::string row = csv_row(record, state_->schema) + "\n";
  const std::lock_guard lock(state_->points_mutex);
  write_fully(state_->points_fd, row, state_->points_path());
  if (::fsync(state_->points_fd) != 0)
    throw ResultsError(fmt::format("{}: fsync failed: {}", state_->points_path().string(), std::strerror(errno)));
}

std::vector<PointRecord> RunStore::load_points() const {
  std::string content;
  {
    const std::lock_guard lock(state_->points_mutex);
    content = read_file(state_->points_path());
  }
  return parse_points_csv(content, state_->schema, state_->points_path());
}

std::vector<PointRecord> parse_points_csv(const std::string& content, const RunSchema& schema,
                                          const fs::path& file) {
  const std::string header = csv_header(schema) + "\n";
  if (!content.starts_with(header))
    throw ResultsError(fmt::format("{}: header does not match this run's layers and boards", file.string()));

  std::vector<PointRecord> records;
  std::map<std::string, size_t> position_of_key;
  size_t line_start = header.size();
  int line_number = 2;
  // Only lines that end in '\n' are complete; a trailing remainder is a row
  // whose write a crash interrupted, and is ignored.
  for (size_t newline; (newline = content.find('\n', line_start)) != std::string::npos;
       line_start = newline + 1, ++line_number) {
    const std::string line = content.substr(line_start, newline - line_start);
    PointRecord record;
    try {
      record = parse_csv_row(line, schema);
    } catch (const std::invalid_argument& bad) {
      throw ResultsError(fmt::format("{}:{}: {}", file.string(), line_number, bad.what()));
    }
    const auto [where, inserted] = position_of_key.emplace(record.key, records.size());
    if (inserted)
      records.push_back(std::move(record));
    else
      records[where->second] = std::move(record);
  }
  return records;
}

void RunStore::write_pareto(const ParetoSummary& summary) const {
  write_file_atomically(state_->dir / kParetoJson,
                        pareto_json(summary, state_->schema, state_->identity).dump(2) + "\n");
}

fs::path RunStore::write_winner(const WinnerRecord& winner) const {
  const fs::path path = state_->dir / kWinnersDir / winner_file_name(winner.budget);
  write_file_atomically(path, winner_json(winner, state_->schema, state_->identity).dump(2) + "\n");
  return path;
}

void RunStore::set_run_field(const std::string& key, nlohmann::ordered_json value) {
  state_->run_json[key] = std::move(value);
}

void RunStore::record_timing(const std::string& phase, double seconds) { state_->run_json["timings"][phase] = seconds; }

void RunStore::write_run_json() { state_->write_run_json(); }

void RunStore::finish() {
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - state_->session_start).count();
  state_->run_json["status"] = "finished";
  state_->run_json["finished_at"] = iso_now();
  state_->run_json["session_wall_seconds"] = wall;
  state_->write_run_json();
}

}  // namespace tinyskip::engine
