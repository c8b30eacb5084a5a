// The search's view of an exploration: a design space, and a batch
// evaluation that answers objectives. Algorithms (grid, NSGA-II, the greedy
// start) see nothing else; engine/explore/evaluator.h implements it for real
// experiments and tests/engine/search_synthetic_problem.h for synthetic ones.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/search/design_space.h"

namespace tinyskip::engine {

// What the search optimises, for one point: all to be minimised, so accuracy
// enters as error. Filled by the evaluator; the search never sees the rest.
struct Objectives {
  double error = 0;       // 1 - top-1 accuracy on the search split
  double cycles = 0;      // primary board, whole network
  double flash_bytes = 0;  // primary board, whole network
  bool feasible = true;   // within the config's constraints
};

// The search's view of the problem (pagmo-style: problem, algorithm and
// population are separate). evaluate() takes a batch so that the evaluator can
// order and cache work; results come back in the same order. Evaluating a
// point twice returns the cached result and does not count against a budget.
class Problem {
 public:
  virtual ~Problem() = default;
  virtual const DesignSpace& space() const = 0;
  virtual std::vector<Objectives> evaluate(const std::vector<DesignPoint>& points) = 0;
  // Distinct points evaluated so far (the budget counter).
  virtual int64_t evaluations() const = 0;
};

}  // namespace tinyskip::engine
