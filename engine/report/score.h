// What a design point's quality is measured in (the config's "score") and
// every rule that depends on it, in one place: the unit, how a score becomes
// the search's error objective, and what a winner budget means.
//
// - top1: top-1 accuracy against the labels, percent;
// - agreement: top-1 agreement with the exact model on the same inputs
//   (label-free), percent; the exact model scores 100 %;
// - output_mae: mean absolute error of the output tensor against the exact
//   model's, in real (dequantised) output units, per element;
// - output_snr: signal-to-noise ratio of the output against the exact
//   model's, in dB: 10 log10(sum exact^2 / sum (exact - output)^2) over the
//   split. Identical outputs score kMaxSnrDb.
// Count scores carry a 95 % Wilson interval, MAE a 95 % normal interval over
// the per-sample errors, SNR the interval that the per-sample noise powers'
// mean interval maps to.
#pragma once

#include <string>

#include "engine/report/statistics.h"

namespace tinyskip::engine {

enum class ScoreKind { kTop1, kAgreement, kOutputMae, kOutputSnr };
inline constexpr ScoreKind kAllScoreKinds[] = {ScoreKind::kTop1, ScoreKind::kAgreement, ScoreKind::kOutputMae,
                                               ScoreKind::kOutputSnr};

// Identical outputs have no noise; they score this, far above what a
// difference of one int8 step in one output element gives.
inline constexpr double kMaxSnrDb = 120.0;

const char* score_name(ScoreKind kind);  // "top1", "agreement", "output_mae", "output_snr"
bool is_count_score(ScoreKind kind);     // top1, agreement
// The points.csv column of the value: "accuracy_pct" (count scores), "mae", "snr_db".
const char* score_column(ScoreKind kind);
// For people: "top-1 accuracy (%)", "agreement with the exact model (%)", ...
const char* score_label(ScoreKind kind);

// A design point's score on one split.
struct Score {
  ScoreKind kind = ScoreKind::kTop1;
  double value = 0;                // percent, real output units or dB (see score_label)
  double ci_low = 0, ci_high = 0;  // 95 % interval, same unit
  int samples = 0;
  int matches = 0;  // count scores: the samples whose top-1 matched; value derives from it

  static Score count(ScoreKind kind, int matches, int samples);
  static Score fidelity(ScoreKind kind, double value, double ci_low, double ci_high, int samples);
  // "71.23 % [70.34, 72.10] (7123/10000)", "MAE 0.0123 [0.0119, 0.0127] (1000 samples)"
  std::string to_string() const;
};

// The search minimises this: 1 - accuracy fraction, the MAE, or -SNR.
double error_objective(const Score& score);

// What a winner budget (or the max_accuracy_loss constraint) bounds, given
// the exact model's score: percentage points lost (count scores), the MAE,
// or the SNR in dB, which must stay at or above the budget.
double budget_measure(const Score& exact, const Score& point);
bool within_budget(const Score& exact, const Score& point, double budget);
// Budgets listed from the strictest: ascending, except SNR (descending).
bool stricter_budget(ScoreKind kind, double a, double b);
// The winners' JSON keys of the budget and of budget_measure:
// accuracy_loss_budget_pp / accuracy_loss_pp, mae_budget / mae,
// snr_db_budget / snr_db.
const char* budget_key(ScoreKind kind);
// For messages: "1 pp accuracy loss", "MAE <= 0.05", "SNR >= 30 dB".
std::string budget_text(ScoreKind kind, double budget);
const char* budget_measure_key(ScoreKind kind);

}  // namespace tinyskip::engine
