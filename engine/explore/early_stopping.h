// Early stopping: a design point's evaluation on the search split ends as
// soon as the images seen so far make it certain, at the configured
// confidence, that the point can neither enter the Pareto front nor meet the
// max_accuracy_loss constraint. Only count scores (top-1, agreement) stop.
//
// The bound. The search split of N images is evaluated in a seeded random
// order, in blocks; after n images with k errors, the point's error rate over
// all N images, e, is bounded below by
//   - certainly: k / N (every remaining image could be right), and
//   - with probability >= 1 - d: k / n - sqrt((1 - (n - 1) / N) ln(1/d) / (2n)),
//     Serfling's inequality for sampling without replacement (the first n
//     images of a uniformly random order are a simple random sample of the N).
// d is (1 - confidence) divided by the number of checks a point can have, so
// over all its checks a point is stopped wrongly with probability at most
// 1 - confidence. With confidence 1 only the certain bound is used.
//
// The decision. A point (never the exact one) is stopped when its lower
// bound, with its cycles and flash (known before it is simulated), is
// strictly dominated on the config's objectives by a fully evaluated,
// feasible point finished before the batch started; or when the accuracy the
// bound allows still loses more than max_accuracy_loss. A stopped point is
// handed to the search at its lower bound: dominated, so it can neither be on
// the front nor push a point off it.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/config/experiment_config.h"
#include "engine/report/score.h"
#include "engine/search/pareto.h"
#include "engine/search/problem.h"

namespace tinyskip::engine {

// A seeded uniformly random order of `size` images (Fisher-Yates on
// SearchRandom, so the same on every platform).
std::vector<int> evaluation_order(int size, uint64_t seed);

class StopRule {
 public:
  StopRule(const EarlyStoppingConfig& config, int split_images, const std::vector<std::string>& objectives,
           const Score& exact_search, const Constraints& constraints);

  bool enabled() const { return enabled_; }
  int block_images() const { return block_images_; }
  // The lowest error objective (error_objective of a whole-split score) that
  // `errors` in `seen` images leave possible, at the confidence.
  double error_lower_bound(int errors, int seen) const;
  // True when the accuracy the bound allows still breaks max_accuracy_loss.
  bool certainly_infeasible(int errors, int seen) const;
  // True when the point should stop: `costs` holds its cycles and flash,
  // `front` the fully evaluated feasible points to compare with.
  bool should_stop(int errors, int seen, const Objectives& costs, const std::vector<Objectives>& front) const;

 private:
  int min_errors(int errors, int seen) const;  // over the whole split
  Score best_score(int errors, int seen) const;  // the whole split's, at min_errors

  bool enabled_;
  int block_images_, split_images_;
  double log_inverse_delta_;  // ln(1/d) per check; 0 with confidence 1
  std::vector<Objective> objectives_;
  Score exact_search_;
  Constraints constraints_;
};

}  // namespace tinyskip::engine
