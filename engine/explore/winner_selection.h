// The winner rule: for an accuracy-loss budget, the fastest candidate (on the
// primary board) that meets the config's constraints and whose loss on the
// held-out report split stays within the budget. With measured latency the
// rule goes by the candidates' own whole programs, not by the table sums the
// search used: every candidate within kProgramTimingWindow of the fastest sum
// is timed, and an untimed candidate that comes out fastest is timed in turn.
// Kept apart from the exploration so that it can be tested on hand-worked
// records (tests/engine/winner_selection_test.cc).
#pragma once

#include <vector>

#include "engine/report/score.h"
#include "engine/results/point_record.h"
#include "engine/search/design_space.h"

namespace tinyskip::engine {

// How close to the fastest table sum a candidate must come to have its own
// program timed before a winner is chosen: twice the 0.5 % the table is held
// to (additivity), so that no candidate outside the window can be faster as
// built than the one chosen inside it, and a larger budget never gets a
// slower winner.
inline constexpr double kProgramTimingWindow = 0.01;

// What the rule asks of the candidates.
class WinnerCandidates {
 public:
  virtual ~WinnerCandidates() = default;
  // The candidate's record with its report-split score (scored if needed).
  virtual const PointRecord& on_report_split(const DesignPoint& point) = 0;
  // Within the config's constraints (accuracy floor, flash, latency, board).
  virtual bool feasible(const PointRecord& record) const = 0;
  // Times the candidate's own program and makes its cycles the record's
  // (latency_source "program"); false when nothing can time it.
  virtual bool time_program(const DesignPoint& point) = 0;
};

// Null when no candidate qualifies. `measured_latency`: go by programs.
const DesignPoint* choose_winner(const std::vector<DesignPoint>& candidates, WinnerCandidates& source,
                                 const Score& exact_report, double budget, int primary_board, bool measured_latency);

}  // namespace tinyskip::engine
