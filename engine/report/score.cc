#include "engine/report/score.h"

#include <fmt/format.h>

namespace tinyskip::engine {

const char* score_name(ScoreKind kind) {
  switch (kind) {
    case ScoreKind::kTop1: return "top1";
    case ScoreKind::kAgreement: return "agreement";
    case ScoreKind::kOutputMae: return "output_mae";
    case ScoreKind::kOutputSnr: return "output_snr";
  }
  return "top1";
}

bool is_count_score(ScoreKind kind) { return kind == ScoreKind::kTop1 || kind == ScoreKind::kAgreement; }

const char* score_column(ScoreKind kind) {
  return is_count_score(kind) ? "accuracy_pct" : kind == ScoreKind::kOutputMae ? "mae" : "snr_db";
}

const char* score_label(ScoreKind kind) {
  switch (kind) {
    case ScoreKind::kTop1: return "top-1 accuracy (%)";
    case ScoreKind::kAgreement: return "top-1 agreement with the exact model (%)";
    case ScoreKind::kOutputMae: return "output MAE vs the exact model (real units)";
    case ScoreKind::kOutputSnr: return "output SNR vs the exact model (dB)";
  }
  return "";
}

Score Score::count(ScoreKind kind, int matches, int samples) {
  const Accuracy accuracy{matches, samples};
  Score score;
  score.kind = kind;
  score.value = 100 * accuracy.value();
  score.ci_low = 100 * accuracy.ci_low();
  score.ci_high = 100 * accuracy.ci_high();
  score.samples = samples;
  score.matches = matches;
  return score;
}

Score Score::fidelity(ScoreKind kind, double value, double ci_low, double ci_high, int samples) {
  Score score;
  score.kind = kind;
  score.value = value;
  score.ci_low = ci_low;
  score.ci_high = ci_high;
  score.samples = samples;
  return score;
}

std::string Score::to_string() const {
  if (is_count_score(kind))
    return fmt::format("{:.2f} % [{:.2f}, {:.2f}] ({}/{})", value, ci_low, ci_high, matches, samples);
  if (kind == ScoreKind::kOutputMae)
    return fmt::format("MAE {:.6g} [{:.6g}, {:.6g}] ({} samples)", value, ci_low, ci_high, samples);
  return fmt::format("SNR {:.2f} dB [{:.2f}, {:.2f}] ({} samples)", value, ci_low, ci_high, samples);
}

double error_objective(const Score& score) {
  if (is_count_score(score.kind)) return 1.0 - static_cast<double>(score.matches) / score.samples;
  return score.kind == ScoreKind::kOutputMae ? score.value : -score.value;
}

double budget_measure(const Score& exact, const Score& point) {
  return is_count_score(point.kind) ? exact.value - point.value : point.value;
}

bool within_budget(const Score& exact, const Score& point, double budget) {
  constexpr double kSlack = 1e-9;  // budgets are written in decimals; the measure is computed
  const double measure = budget_measure(exact, point);
  return point.kind == ScoreKind::kOutputSnr ? measure >= budget - kSlack : measure <= budget + kSlack;
}

bool stricter_budget(ScoreKind kind, double a, double b) { return kind == ScoreKind::kOutputSnr ? a > b : a < b; }

std::string budget_text(ScoreKind kind, double budget) {
  if (is_count_score(kind)) return fmt::format("{:g} pp {} loss", budget, kind == ScoreKind::kTop1 ? "accuracy" : "agreement");
  return kind == ScoreKind::kOutputMae ? fmt::format("MAE <= {:g}", budget) : fmt::format("SNR >= {:g} dB", budget);
}

const char* budget_key(ScoreKind kind) {
  return is_count_score(kind) ? "accuracy_loss_budget_pp" : kind == ScoreKind::kOutputMae ? "mae_budget" : "snr_db_budget";
}

const char* budget_measure_key(ScoreKind kind) {
  return is_count_score(kind) ? "accuracy_loss_pp" : kind == ScoreKind::kOutputMae ? "mae" : "snr_db";
}

}  // namespace tinyskip::engine
