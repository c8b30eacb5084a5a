// The design space of an exploration, separate from how it is searched
// (engine/search) and how a point is scored (engine/explore/evaluator). A
// design point picks, for every approximated layer, one threshold from that
// layer's candidate list; points are integer level vectors so they hash,
// compare and reproduce exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyskip::engine {

struct ApproximatedLayer {
  int op_index = -1;            // index into sim::Graph::ops
  std::string name;             // user-facing name, e.g. "conv2"
  std::vector<double> thresholds;  // candidate T_l, ascending; thresholds[0] is normally 0 (exact)
};

struct DesignSpace {
  std::vector<ApproximatedLayer> layers;

  int dimensions() const { return static_cast<int>(layers.size()); }
  int levels(int dimension) const { return static_cast<int>(layers[static_cast<size_t>(dimension)].thresholds.size()); }
  // Number of grid points, saturating at INT64_MAX.
  int64_t grid_size() const;
};

// One threshold level per approximated layer (same order as DesignSpace::layers).
using DesignPoint = std::vector<int>;

// "3-0-7": compact, stable text key of a point (used in CSV files and for resume).
std::string point_key(const DesignPoint& point);
DesignPoint parse_point_key(const std::string& key);

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
