#include "engine/explore/early_stopping.h"

#include <algorithm>
#include <cmath>

#include "engine/search/nsga2_operators.h"

namespace tinyskip::engine {

std::vector<int> evaluation_order(int size, uint64_t seed) {
  std::vector<int> order(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i) order[static_cast<size_t>(i)] = i;
  SearchRandom random(seed);
  for (int i = size - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(random.below(static_cast<uint64_t>(i) + 1))]);
  return order;
}

StopRule::StopRule(const EarlyStoppingConfig& config, int split_images, const std::vector<std::string>& objectives,
                   const Score& exact_search, const Constraints& constraints)
    : enabled_(config.enabled && is_count_score(exact_search.kind) && config.block_images < split_images),
      block_images_(config.block_images),
      split_images_(split_images),
      log_inverse_delta_(0),
      objectives_(parse_objectives(objectives)),
      exact_search_(exact_search),
      constraints_(constraints) {
  if (enabled_ && config.confidence < 1.0) {
    const int checks = (split_images - 1) / config.block_images;  // after every block but the last
    log_inverse_delta_ = std::log(checks / (1.0 - config.confidence));
  }
}

int StopRule::min_errors(int errors, int seen) const {
  if (log_inverse_delta_ == 0 || seen <= 0) return errors;
  const double n = seen, total = split_images_;
  const double width = std::sqrt((1.0 - (n - 1.0) / total) * log_inverse_delta_ / (2.0 * n));
  // Errors are whole images: the bound on the rate, as a count, rounds up
  // (less a hair, so that rounding in the rate never adds an error).
  const double bound = std::ceil((errors / n - width) * total - 1e-9);
  return std::max(errors, static_cast<int>(std::clamp(bound, 0.0, total)));
}

Score StopRule::best_score(int errors, int seen) const {
  return Score::count(exact_search_.kind, split_images_ - min_errors(errors, seen), split_images_);
}

double StopRule::error_lower_bound(int errors, int seen) const { return error_objective(best_score(errors, seen)); }

bool StopRule::certainly_infeasible(int errors, int seen) const {
  return constraints_.max_accuracy_loss &&
         !within_budget(exact_search_, best_score(errors, seen), *constraints_.max_accuracy_loss);
}

bool StopRule::should_stop(int errors, int seen, const Objectives& costs, const std::vector<Objectives>& front) const {
  if (!enabled_ || seen >= split_images_) return false;
  if (certainly_infeasible(errors, seen)) return true;
  Objectives bound = costs;
  bound.error = error_lower_bound(errors, seen);
  const std::vector<double> point = objective_vector(bound, objectives_);
  for (const Objectives& other : front) {
    const std::vector<double> q = objective_vector(other, objectives_);
    bool no_worse = true, better = false;
    for (size_t i = 0; i < q.size(); ++i) {
      no_worse = no_worse && q[i] <= point[i];
      better = better || q[i] < point[i];
    }
    if (no_worse && better) return true;
  }
  return false;
}

}  // namespace tinyskip::engine
