// The winner rule on hand-worked records: each winner's loss on the
// held-out report split is within its budget, it is the fastest such
// feasible point, the report split (not the search split) decides, and with
// measured latency the candidates' own programs do.
#include <catch2/catch.hpp>

#include <map>

#include "engine/explore/winner_selection.h"

using namespace tinyskip::engine;

namespace {

struct Candidate {
  int report_correct;   // of 1000
  int search_correct;   // of 1000
  double table_cycles;  // what the search saw
  double program_cycles;
  bool feasible = true;
};

class HandCandidates final : public WinnerCandidates {
 public:
  explicit HandCandidates(std::map<std::string, Candidate> candidates) : candidates_(std::move(candidates)) {
    for (const auto& [key, c] : candidates_) {
      PointRecord& r = records_[key];
      r.key = key;
      r.search = Score::count(ScoreKind::kTop1, c.search_correct, 1000);
      r.report = Score::count(ScoreKind::kTop1, c.report_correct, 1000);
      r.boards = {{c.table_cycles, 0, 0}};
      r.latency_source = kLatencyFromTable;
    }
  }
  const PointRecord& on_report_split(const DesignPoint& point) override { return records_.at(point_key(point)); }
  bool feasible(const PointRecord& record) const override { return candidates_.at(record.key).feasible; }
  bool time_program(const DesignPoint& point) override {
    PointRecord& r = records_.at(point_key(point));
    r.boards[0].cycles = candidates_.at(r.key).program_cycles;
    r.latency_source = kLatencyFromProgram;
    timed.push_back(r.key);
    return true;
  }
  std::vector<std::string> timed;

 private:
  std::map<std::string, Candidate> candidates_;
  std::map<std::string, PointRecord> records_;
};

const Score kExact = Score::count(ScoreKind::kTop1, 700, 1000);  // 70.0 % on the report split

std::string winner(const std::vector<DesignPoint>& candidates, HandCandidates& source, double budget, bool measured) {
  const DesignPoint* point = choose_winner(candidates, source, kExact, budget, 0, measured);
  return point ? point_key(*point) : "none";
}

}  // namespace

TEST_CASE("winner selection: the fastest feasible point within the budget on the report split") {
  // Losses on the report split: 0-0 0, 1-0 0.4 pp, 2-0 0.9 pp (infeasible),
  // 2-1 1.5 pp, 3-3 6 pp. On the search split 2-1 lost nothing, and 1-0
  // lost 3 pp: the report split must decide, not the search split.
  HandCandidates source({{"0-0", {700, 710, 100, 100}},
                         {"1-0", {696, 680, 80, 80}},
                         {"2-0", {691, 705, 70, 70, false}},
                         {"2-1", {685, 710, 60, 60}},
                         {"3-3", {640, 700, 40, 40}}});
  // Not in speed order, so "first qualifying" would be wrong.
  const std::vector<DesignPoint> candidates = {{2, 1}, {0, 0}, {3, 3}, {1, 0}, {2, 0}};
  CHECK(winner(candidates, source, 0, false) == "0-0");
  CHECK(winner(candidates, source, 0.5, false) == "1-0");
  CHECK(winner(candidates, source, 1, false) == "1-0");  // 2-0 is faster and within 1 pp, but infeasible
  CHECK(winner(candidates, source, 1.5, false) == "2-1");
  CHECK(winner(candidates, source, 5, false) == "2-1");
  CHECK(winner(candidates, source, 6, false) == "3-3");
  // A budget nobody meets: the exact point excluded by a constraint.
  HandCandidates strict({{"0-0", {700, 700, 100, 100, false}}, {"1-0", {690, 700, 80, 80}}});
  CHECK(winner({{0, 0}, {1, 0}}, strict, 0.5, false) == "none");
  CHECK(source.timed.empty());  // modelled latency: no program is timed
}

TEST_CASE("winner selection with measured latency goes by the candidates' own programs") {
  // Within 2 pp: 1-1 (table 80, program 85), 2-2 (table 80.5, program 79),
  // 3-1 (table 81, program 79.5: outside the 1 % window of 80), 0-0 slow.
  HandCandidates source({{"0-0", {700, 700, 100, 100}},
                         {"1-1", {695, 695, 80, 85}},
                         {"2-2", {693, 693, 80.5, 79}},
                         {"3-1", {690, 690, 81, 79.5}}});
  const std::vector<DesignPoint> candidates = {{0, 0}, {1, 1}, {2, 2}, {3, 1}};
  CHECK(winner(candidates, source, 2, true) == "2-2");
  // 1-1 and 2-2 were in the window and timed; then 2-2 (79) was fastest and timed; 3-1 (81 by table) never
  // came out fastest untimed, so it was not timed.
  CHECK(source.timed == std::vector<std::string>{"1-1", "2-2"});

  // An untimed candidate that comes out fastest is timed in turn: 1-1's
  // program is slow (90), so 3-1 (table 80.9, outside the window of 80)
  // leads untimed, is timed (82) and loses to 2-2 (program 81).
  HandCandidates second({{"1-1", {695, 695, 80, 90}}, {"2-2", {693, 693, 80.7, 81}}, {"3-1", {690, 690, 80.9, 82}}});
  CHECK(winner({{1, 1}, {2, 2}, {3, 1}}, second, 2, true) == "2-2");
  CHECK(second.timed == std::vector<std::string>{"1-1", "2-2", "3-1"});
}
