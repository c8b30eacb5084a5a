// Search quality against the exhaustive front. Reads a finished exhaustive
// grid run (its points.csv is the cached front: every point of a subspace,
// scored once), then replays each search against that table at equal
// budgets and seeds, and reports
//   - the hypervolume of its front as a share of the exhaustive front's,
//   - whether its zero-loss and 1 pp winners (fastest point within the loss
//     on the search split) are the exhaustive ones, and their cycles ratio.
// Searches: NSGA-II with and without the greedy start, uniform random search,
// the surrogate search (surrogate_search.h) and the greedy start alone. Objectives: the run's (error and
// cycles, or with flash for a subspace whose layers may stay on the library).
//
//   bench_search_quality RUN_DIR [budget fraction, default 0.05] [seeds, default 10]
// scripts/bench_search_quality.sh makes the runs and calls this on each.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/report/score.h"
#include "engine/search/greedy_start.h"
#include "engine/search/nsga2_search.h"
#include "engine/search/pareto.h"
#include "engine/search/random_search.h"
#include "engine/search/surrogate_search.h"

using namespace tinyskip::engine;

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  return fields;
}

// The exhaustive table: every grid point's objectives, answered by key.
class TableProblem final : public Problem {
 public:
  TableProblem(DesignSpace space, std::map<std::string, Objectives> table, std::vector<std::string> objectives,
               HypervolumeReference reference)
      : space_(std::move(space)), table_(std::move(table)), objectives_(std::move(objectives)), reference_(reference) {}
  const DesignSpace& space() const override { return space_; }
  std::vector<Objectives> evaluate(const std::vector<DesignPoint>& points) override {
    std::vector<Objectives> result;
    for (const DesignPoint& point : points) {
      const std::string key = point_key(point);
      seen_.insert(key);
      result.push_back(table_.at(key));
    }
    return result;
  }
  int64_t evaluations() const override { return static_cast<int64_t>(seen_.size()); }
  const std::map<std::string, Objectives>& table() const { return table_; }
  const std::vector<std::string>& objectives() const { return objectives_; }
  const HypervolumeReference& reference() const { return reference_; }

 private:
  DesignSpace space_;
  std::map<std::string, Objectives> table_;
  std::vector<std::string> objectives_;
  HypervolumeReference reference_;
  std::set<std::string> seen_;
};

// The run's hypervolume reference (pareto.json, normalised, per objective),
// so that the searches are measured in the box the run's search used.
HypervolumeReference reference_of(const std::string& dir, const std::vector<std::string>& objectives) {
  std::ifstream file(dir + "/pareto.json");
  if (!file) throw std::runtime_error(dir + ": no pareto.json");
  const nlohmann::json pareto = nlohmann::json::parse(file);
  HypervolumeReference reference;
  const auto values = pareto["hypervolume_reference"].get<std::vector<double>>();
  if (values.empty()) return reference;  // written by a tinyskip that did not record it: the defaults
  const std::vector<Objective> selected = parse_objectives(objectives);
  for (size_t i = 0; i < selected.size(); ++i) switch (selected[i]) {
      case Objective::kError: reference.error_points = values.at(i); break;
      case Objective::kCycles: reference.cycles_fraction = values.at(i); break;
      case Objective::kFlash: reference.flash_fraction = values.at(i); break;
    }
  return reference;
}

// The largest flash a feasible point may have under the run's constraints
// (fit_board_flash, flash_budget_bytes); infinity without either.
double flash_limit_of(const nlohmann::json& config) {
  double limit = INFINITY;
  const nlohmann::json& constraints = config["constraints"];
  if (constraints.value("fit_board_flash", false))
    for (const std::string& file : config["boards"].get<std::vector<std::string>>()) {
      if (std::filesystem::path(file).stem() != config["primary_board"].get<std::string>()) continue;
      std::ifstream board(file);
      if (!board) throw std::runtime_error(file + ": cannot read the primary board's profile");
      limit = std::min(limit, nlohmann::json::parse(board, nullptr, true, true)["flash_bytes"].get<double>());
    }
  if (constraints.contains("flash_budget_bytes") && !constraints["flash_budget_bytes"].is_null())
    limit = std::min(limit, constraints["flash_budget_bytes"].get<double>());
  return limit;
}

TableProblem load_run(const std::string& dir) {
  std::ifstream run_file(dir + "/run.json");
  if (!run_file) throw std::runtime_error(dir + ": no run.json");
  const nlohmann::json run = nlohmann::json::parse(run_file);
  const std::string board = run["config"]["primary_board"];
  std::ifstream csv(dir + "/points.csv");
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = split_csv(line);
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::runtime_error(dir + "/points.csv: no column " + name);
    return static_cast<size_t>(it - header.begin());
  };
  const size_t correct = column("search_correct"), total = column("search_total"),
               cycles = column(board + "_cycles"), flash = column(board + "_flash_bytes"),
               stopped = column("stopped_early");
  const double flash_limit = flash_limit_of(run["config"]);
  std::map<std::string, Objectives> table;
  DesignSpace space;
  while (std::getline(csv, line)) {
    const std::vector<std::string> f = split_csv(line);
    if (f.at(stopped) == "1") throw std::runtime_error(dir + ": a point stopped early; run the grid without it");
    Objectives o;
    o.error = error_objective(Score::count(ScoreKind::kTop1, std::stoi(f[correct]), std::stoi(f[total])));
    o.cycles = std::stod(f[cycles]);
    o.flash_bytes = std::stod(f[flash]);
    o.feasible = o.flash_bytes <= flash_limit;
    table[f[0]] = o;
    const DesignPoint point = parse_point_key(f[0]);
    space.layers.resize(point.size());
    for (size_t d = 0; d < point.size(); ++d)
      space.layers[d].thresholds.resize(std::max<size_t>(space.layers[d].thresholds.size(), point[d] + 1), 0.0);
  }
  if (static_cast<int64_t>(table.size()) != space.grid_size())
    throw std::runtime_error(dir + ": " + std::to_string(table.size()) + " points, the grid has " +
                             std::to_string(space.grid_size()) + ": not an exhaustive run");
  const auto objectives = run["config"]["objectives"].get<std::vector<std::string>>();
  return TableProblem(std::move(space), std::move(table), objectives, reference_of(dir, objectives));
}

// The fastest feasible point within `loss` accuracy points of the baseline's error.
const Objectives* winner(const std::vector<Objectives>& points, const Objectives& baseline, double loss) {
  const Objectives* best = nullptr;
  for (const Objectives& o : points)
    if (o.feasible && o.error <= baseline.error + loss / 100.0 + 1e-12 && (!best || o.cycles < best->cycles)) best = &o;
  return best;
}

struct Outcome {
  double hypervolume_ratio = 0;
  int64_t evaluations = 0;
  bool same_winner[2] = {false, false};
  double winner_cycles_ratio[2] = {0, 0};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_search_quality RUN_DIR [budget fraction] [seeds]\n");
    return 2;
  }
  try {
    const TableProblem exhaustive = load_run(argv[1]);
    const double fraction = argc > 2 ? std::stod(argv[2]) : 0.05;
    const int seeds = argc > 3 ? std::stoi(argv[3]) : 10;
    const std::vector<Objective> selected = parse_objectives(exhaustive.objectives());
    std::vector<Objectives> all;
    for (const auto& [key, o] : exhaustive.table()) all.push_back(o);
    const Objectives baseline = exhaustive.table().at(point_key(DesignPoint(exhaustive.space().layers.size(), 0)));
    const double full_hv = normalised_hypervolume(all, baseline, selected, exhaustive.reference());
    const double losses[2] = {0.0, 1.0};
    const Objectives* best[2] = {winner(all, baseline, 0.0), winner(all, baseline, 1.0)};
    const auto budget = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(all.size())));
    std::printf("%s: %zu points, objectives %s, exhaustive hypervolume %.4f; budget %lld evaluations (%.1f %%), %d "
                "seeds\n",
                argv[1], all.size(), nlohmann::json(exhaustive.objectives()).dump().c_str(), full_hv, static_cast<long long>(budget), 100.0 * fraction, seeds);

    using Search = std::function<SearchResult(Problem&, const SearchOptions&)>;
    const std::vector<std::pair<std::string, Search>> searches = {
        {"nsga2 + greedy start", [](Problem& p, const SearchOptions& o) { return nsga2_search(p, o); }},
        {"nsga2", [](Problem& p, SearchOptions o) { o.greedy_start = false; return nsga2_search(p, o); }},
        {"random", [](Problem& p, const SearchOptions& o) { return random_search(p, o); }},
        {"surrogate", [](Problem& p, const SearchOptions& o) { return surrogate_search(p, o); }},
        {"greedy start alone",
         [](Problem& p, const SearchOptions& o) {
           EvaluationLog log(p, o, o.budget, o.budget);
           greedy_start(log, o.greedy_max_error_increase);
           return log.make_result(parse_objectives(o.objectives), o.hypervolume_reference);
         }},
    };
    std::printf("| search | hypervolume ratio (mean / min) | evaluations | zero-loss winner found | 1 pp winner found |"
                " winner cycles vs exhaustive (0 / 1 pp) |\n|---|---|---|---|---|---|\n");
    for (const auto& [name, search] : searches) {
      std::vector<Outcome> outcomes;
      for (int seed = 1; seed <= seeds; ++seed) {
        TableProblem problem = exhaustive;
        SearchOptions options;
        options.budget = budget;
        options.seed = static_cast<uint64_t>(seed);
        options.population = 24;
        options.batch = 8;
        options.greedy_start = true;
        options.objectives = exhaustive.objectives();
        options.hypervolume_reference = exhaustive.reference();
        const SearchResult result = search(problem, options);
        Outcome outcome;
        outcome.hypervolume_ratio =
            normalised_hypervolume(result.evaluated_objectives, baseline, selected, exhaustive.reference()) / full_hv;
        outcome.evaluations = result.evaluations;
        for (int w = 0; w < 2; ++w) {
          const Objectives* found = winner(result.evaluated_objectives, baseline, losses[w]);
          outcome.same_winner[w] = found && found->cycles == best[w]->cycles;
          outcome.winner_cycles_ratio[w] = found ? found->cycles / best[w]->cycles : NAN;
        }
        outcomes.push_back(outcome);
      }
      double mean = 0, low = 1e9, cycles[2] = {0, 0};
      int64_t evaluations = 0;
      int same[2] = {0, 0};
      for (const Outcome& o : outcomes) {
        mean += o.hypervolume_ratio / seeds;
        low = std::min(low, o.hypervolume_ratio);
        evaluations = std::max(evaluations, o.evaluations);
        for (int w = 0; w < 2; ++w) same[w] += o.same_winner[w], cycles[w] += o.winner_cycles_ratio[w] / seeds;
      }
      std::printf("| %s | %.2f %% / %.2f %% | <= %lld | %d / %d | %d / %d | %.4f / %.4f |\n", name.c_str(),
                  100.0 * mean, 100.0 * low, static_cast<long long>(evaluations), same[0], seeds, same[1], seeds,
                  cycles[0], cycles[1]);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_search_quality: %s\n", error.what());
    return 1;
  }
  return 0;
}
