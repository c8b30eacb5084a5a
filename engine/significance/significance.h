// Offline significance of every weight of one MAC layer, measured over
// calibration images (method.md, "Significance"). A weight with a low score
// contributes little to its output channel's accumulator on typical inputs,
// so skipping it (treating it as 0) is the cheapest approximation.
//
// Metric "paper" (Armeniakos et al.), for CONV_2D: each image's output pixels,
// in raster order, are processed two at a time as one kernel call (pixel pair
// 2m, 2m+1; a trailing odd pixel is a call with column p = 0 only), as the
// CMSIS-NN 2x2 matrix kernel does. With x_p the column (reduction_layout.h)
// of the call's pixel p and w_r the weights of row r:
//     d_{r,p}(i) = | w_r[i] * x_p[i] / sum_k w_r[k] * x_p[k] |
// (integer products, ratio in double) and D_{r,p}(i) is the mean of d over all
// calls of all images. The score is s(r, i) = max_p D_{r,p}(i): operand i of
// row r is skipped at threshold T when D_{r,p}(i) < T for both columns, i.e.
// exactly when s(r, i) < T.
//   Zero denominators: a call whose sum_k w_r[k] * x_p[k] is 0 has no defined
// ratio and is left out of row r's column-p mean (the mean is over the
// remaining calls). If no call of column p remains for row r, D_{r,p}(i) is 0
// when w_r[i] * x_p[i] was 0 in every one of those calls, and +infinity
// otherwise, so that a weight whose effect was never measurable is never
// skipped.
//   DEPTHWISE_CONV_2D: each output channel is a row whose reduction runs over
// (ky, kx) of its own input channel; pixels pair up exactly as for CONV_2D (an
// unpacked depthwise kernel would also compute two pixels per call).
//   FULLY_CONNECTED: every input vector is one call with column p = 0 only
// (one vector per image for the usual batch-1 model).
//   A column p that no call has at all (p = 1 for FULLY_CONNECTED, or for a
// layer with a single output pixel) does not take part in the max.
//
// Metric "magnitude": per-channel normalised mean magnitude,
//     s(r, i) = mean |w_r[i] * x[i]| / mean sum_k |w_r[k] * x[k]|,
// both means over every output pixel (both columns) of every image, so the
// scores of a row sum to 1 (or are all 0 when every product is 0).
//
// Under both metrics a weight that is already 0 scores exactly 0: skipping it
// changes nothing.
//
// Computation: the sums are two matrix products per group of pixels (see
// significance.cc), run in parallel over fixed blocks of images with a
// deterministic reduction tree, so the scores are bit-identical for any
// thread count.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/significance/reduction_layout.h"
#include "engine/significance/significance_error.h"
#include "sim/graph.h"

namespace tinyskip::engine {

enum class SignificanceMetric { kPaper, kMagnitude };

// "paper" or "magnitude"; anything else throws SignificanceError listing the
// valid names.
SignificanceMetric parse_significance_metric(std::string_view name);
const char* significance_metric_name(SignificanceMetric metric);

struct SignificanceOptions {
  SignificanceMetric metric = SignificanceMetric::kPaper;
  int threads = 0;  // 0: all hardware threads
};

struct LayerScores {
  ReductionLayout layout;
  SignificanceMetric metric = SignificanceMetric::kPaper;
  int64_t images = 0;
  std::vector<int8_t> weights;  // (row, k) order: element row * depth + k
  std::vector<double> score;    // s(row, k), same order
  // Paper metric only (empty for magnitude): D_{r,p}(k) at
  // (p * rows + r) * depth + k, and the number of kernel calls that had a
  // column p, summed over all images (0 for a column no call has).
  std::vector<double> column_mean;
  std::array<int64_t, 2> column_calls{};

  double score_at(int row, int k) const { return score[static_cast<size_t>(int64_t{row} * layout.depth + k)]; }
  int8_t weight_at(int row, int k) const { return weights[static_cast<size_t>(int64_t{row} * layout.depth + k)]; }
  double column_mean_at(int p, int row, int k) const {
    return column_mean[static_cast<size_t>((int64_t{p} * layout.rows + row) * layout.depth + k)];
  }
};

// Scores of every weight of op `op_index` (CONV_2D, DEPTHWISE_CONV_2D or
// FULLY_CONNECTED). `inputs` holds the op's int8 input tensor for N >= 1
// calibration images back to back, as sim::RunOutput::captured gives it for
// the op's input tensor (graph.ops[op_index].inputs[0]). Throws
// SignificanceError when the op is not a MAC layer or inputs is empty or not a
// whole number of input tensors, sim::ModelError when the op itself is
// malformed.
LayerScores compute_significance(const sim::Graph& graph, int op_index, std::span<const int8_t> inputs,
                                 const SignificanceOptions& options = {});

}  // namespace tinyskip::engine
