// Pareto fronts and hypervolumes over the search's objective vectors.
//
// Which objectives take part is a parameter (e.g. {error, cycles} or
// {error, cycles, flash}); all are minimised. Infeasible points are never on a
// front. Everything here is pure and deterministic: the same input in the same
// order gives the same output on every platform.
//
// Hypervolume normalisation (what SearchResult::hypervolume reports): each
// objective is expressed relative to the baseline point (all levels 0, the
// exact model when every layer's thresholds[0] is 0):
//   error  -> scale * (error - baseline.error)    accuracy points lost (may be < 0);
//                                                 scale 100, or 1 for the fidelity scores
//                                                 (HypervolumeReference::error_scale)
//   cycles -> cycles / baseline.cycles            fraction of baseline latency
//   flash  -> flash_bytes / baseline.flash_bytes  fraction of baseline flash
// and the reference point is HypervolumeReference (default: 10 accuracy points
// lost, 1.0 x baseline cycles, 1.0 x baseline flash). So a 2-D value of 1.5
// means "the front dominates 1.5 point-fractions of the box between the ideal
// and (10 pp worse, no faster)"; the baseline itself contributes nothing, and
// points at or beyond the reference in any objective are ignored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/search/problem.h"
#include "engine/search/search_error.h"

namespace tinyskip::engine {

enum class Objective { kError, kCycles, kFlash };

// Names accepted by parse_objectives: "error", "cycles", "flash" (alias
// "flash_bytes"). Throws SearchError on an unknown or repeated name or an
// empty list.
std::vector<Objective> parse_objectives(const std::vector<std::string>& names);
std::string objective_name(Objective objective);
double objective_value(const Objectives& objectives, Objective objective);

// The selected objectives of one point, in the order given.
std::vector<double> objective_vector(const Objectives& objectives, const std::vector<Objective>& selected);

// Indices of the feasible, non-dominated points of `points` on the selected
// objectives. Point a dominates b when a <= b in every selected objective and
// a < b in at least one. Of several points with exactly equal selected
// objectives only the first (lowest index) is kept. The result is sorted by
// objective vector (lexicographically, first selected objective first), so it
// does not depend on input order except through which duplicate is kept.
// Throws SearchError if a selected objective of a feasible point is not finite.
std::vector<size_t> pareto_front(const std::vector<Objectives>& points, const std::vector<Objective>& selected);

// Exact hypervolume (minimisation) dominated by `points` and bounded by
// `reference`: the measure of the union of the boxes [p, reference]. Points
// that are not strictly below the reference in every coordinate add nothing
// and are ignored; dominated points are allowed. Supports 1, 2 and 3
// dimensions: 1-D and 2-D by an exact sort-and-sweep, 3-D by pagmo's exact
// hypervolume algorithm. Throws SearchError on mixed dimensions, other
// dimensions or non-finite values.
double hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference);

// Reference point of the normalised hypervolume (see the file comment).
struct HypervolumeReference {
  double error_points = 10.0;     // accuracy points lost w.r.t. the baseline
  // Error objective units per reference unit: 100 turns a lost accuracy
  // fraction into points; 1 for the fidelity scores, whose error is already
  // in their unit (MAE, or dB below the baseline's SNR).
  double error_scale = 100.0;
  double cycles_fraction = 1.0;   // of the baseline's cycles
  double flash_fraction = 1.0;    // of the baseline's flash bytes
};

// The selected objectives of `objectives` normalised against `baseline` as
// described in the file comment. Throws SearchError if a baseline cycles or
// flash value that is needed is not positive.
std::vector<double> normalised_objective_vector(const Objectives& objectives, const Objectives& baseline,
                                                const std::vector<Objective>& selected, double error_scale = 100.0);
std::vector<double> normalised_reference(const HypervolumeReference& reference, const std::vector<Objective>& selected);

// Hypervolume of the feasible front of `points`, normalised against `baseline`
// with `reference`. 2 or 3 selected objectives (1 also works).
double normalised_hypervolume(const std::vector<Objectives>& points, const Objectives& baseline,
                              const std::vector<Objective>& selected, const HypervolumeReference& reference = {});

}  // namespace tinyskip::engine
