// The design space of an exploration, separate from how it is searched
// (engine/search/problem.h and the algorithms beside it) and how a point is
// scored (engine/explore/evaluator.h). A
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
  // When the config gives the levels as skip fractions: those, from which the
  // thresholds are derived once the layer's significance is measured.
  std::vector<double> skip_fractions;
  // Level 0 keeps the layer on its exact library kernel, not unpacked
  // (config approximate.not_unpacked_level): the search then decides which
  // layers are worth their flash. thresholds[0] is 0 for it (nothing
  // skipped) and the unpacked levels follow from 1.
  bool not_unpacked_level = false;

  bool unpacked_at(int level) const { return !(not_unpacked_level && level == 0); }
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

}  // namespace tinyskip::engine
