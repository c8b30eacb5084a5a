#include "engine/explore/winner_selection.h"

namespace tinyskip::engine {

const DesignPoint* choose_winner(const std::vector<DesignPoint>& candidates, WinnerCandidates& source,
                                 const Score& exact_report, double budget, int primary_board, bool measured_latency) {
  const auto primary = static_cast<size_t>(primary_board);
  const auto qualifies = [&](const DesignPoint& point) {
    const PointRecord& record = source.on_report_split(point);
    return source.feasible(record) && within_budget(exact_report, *record.report, budget);
  };
  const auto cycles = [&](const DesignPoint& point) { return source.on_report_split(point).boards.at(primary).cycles; };
  const auto fastest = [&]() {
    const DesignPoint* best = nullptr;
    for (const DesignPoint& point : candidates)
      if (qualifies(point) && (!best || cycles(point) < cycles(*best))) best = &point;
    return best;
  };
  const DesignPoint* best = fastest();
  if (!best || !measured_latency) return best;
  const double window = cycles(*best) * (1.0 + kProgramTimingWindow);
  for (const DesignPoint& point : candidates)
    if (qualifies(point) && cycles(point) <= window) source.time_program(point);
  // The timed ones now go by their programs (a latency budget may rule one
  // out); should an untimed point come out fastest, it is timed in turn.
  const auto timed = [&](const DesignPoint* point) {
    return source.on_report_split(*point).latency_source == kLatencyFromProgram;
  };
  while ((best = fastest()) && !timed(best))
    if (!source.time_program(*best)) break;  // nothing to time it with
  return best;
}

}  // namespace tinyskip::engine
