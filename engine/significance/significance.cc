#include "engine/significance/significance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

namespace tinyskip::engine {

// How the paper metric is computed. For one row r and one call with column x
// and denominator den = w_r . x, d(i) = |w_r[i]| * |x[i]| / |den|, so the sum
// of d over the calls of column p factors as
//     |w_r[i]| * sum_calls |x[i]| / |den_r|,
// i.e. one product of the matrix of inverse denominators (rows x calls) with
// the matrix of absolute columns (calls x depth). The denominators are the
// layer's accumulators, another matrix product (weights x columns^T). Both
// products are done in double: the denominators are exact (integers far
// below 2^53), the sums of positive terms are accurate to a few ulps times
// the number of calls. Calls are gathered into blocks of images so that the
// products are large enough to run at matrix-multiply speed.

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Target number of pixel columns per image block. It fixes the blocks and
// hence the reduction tree, so the scores depend on it (in the last bits)
// but never on the thread count.
constexpr int64_t kColumnsPerBlock = 1024;

// Partial sums over a set of image blocks.
struct Partial {
  // Paper metric, all indexed [p][row][k] or [p][row]:
  std::vector<double> weighted_sum;  // sum over calls with den != 0 of |x_p[k]| / |den|
  std::vector<int64_t> counted;      // calls with den != 0
  std::vector<uint8_t> unresolved;   // some call with den == 0 had x_p[k] != 0
  std::array<int64_t, 2> calls{};    // calls having column p
  // Magnitude metric, [group][k]: sum over all pixels of |x[k]| (exact integers).
  std::vector<double> abs_input_sum;

  void add(const Partial& other) {
    for (size_t i = 0; i < weighted_sum.size(); ++i) weighted_sum[i] += other.weighted_sum[i];
    for (size_t i = 0; i < counted.size(); ++i) counted[i] += other.counted[i];
    for (size_t i = 0; i < unresolved.size(); ++i) unresolved[i] |= other.unresolved[i];
    for (size_t p = 0; p < calls.size(); ++p) calls[p] += other.calls[p];
    for (size_t i = 0; i < abs_input_sum.size(); ++i) abs_input_sum[i] += other.abs_input_sum[i];
  }
};

// Per-thread buffers, reused across blocks; they never influence results.
struct Scratch {
  RowMatrix columns;      // calls x depth
  RowMatrix abs_columns;  // calls x depth
  RowMatrix denominators;  // rows of the group x calls
  RowMatrix inverse;       // rows of the group x calls
};

struct Context {
  const ReductionLayout& layout;
  std::span<const int8_t> inputs;
  SignificanceMetric metric;
  int64_t images = 0;
  int64_t images_per_block = 1;
  std::vector<RowMatrix> group_weights;  // per group: rows_per_group x depth

  int64_t blocks() const { return (images + images_per_block - 1) / images_per_block; }
  int64_t columns_per_image(int p) const {
    const int64_t pixels = layout.pixels_per_image();
    return (pixels - p + layout.pixels_per_call - 1) / layout.pixels_per_call;
  }

  Partial make_partial() const {
    Partial partial;
    const auto row_entries = static_cast<size_t>(2 * layout.weight_count());
    if (metric == SignificanceMetric::kPaper) {
      partial.weighted_sum.assign(row_entries, 0.0);
      partial.counted.assign(static_cast<size_t>(2 * layout.rows), 0);
      partial.unresolved.assign(row_entries, 0);
    } else {
      partial.abs_input_sum.assign(static_cast<size_t>(int64_t{layout.groups} * layout.depth), 0.0);
    }
    return partial;
  }
};

// Fills scratch.columns / abs_columns with column p of every call of the
// block's images for one group; returns the number of calls.
int64_t gather_columns(const Context& ctx, int64_t block, int group, int p, Scratch& scratch) {
  const ReductionLayout& layout = ctx.layout;
  const int64_t first = block * ctx.images_per_block;
  const int64_t last = std::min(ctx.images, first + ctx.images_per_block);
  const int64_t calls = (last - first) * ctx.columns_per_image(p);
  scratch.columns.resize(calls, layout.depth);
  int64_t row = 0;
  for (int64_t image = first; image < last; ++image) {
    const int8_t* input = ctx.inputs.data() + image * layout.input_elements_per_image();
    for (int64_t pixel = p; pixel < layout.pixels_per_image(); pixel += layout.pixels_per_call)
      build_column(layout, input, group, pixel, scratch.columns.row(row++).data());
  }
  scratch.abs_columns = scratch.columns.cwiseAbs();
  return calls;
}

// Fills scratch.inverse with 1 / |denominator| of one group's rows, 0 where
// the denominator is 0, and records those left-out calls: counted calls per
// row, and which reduction indices had a non-zero input in a left-out call.
void invert_denominators(const Context& ctx, int group, int p, int64_t calls, Scratch& scratch,
                         Partial& partial) {
  const ReductionLayout& layout = ctx.layout;
  scratch.inverse.resize(layout.rows_per_group, calls);
  for (int local = 0; local < layout.rows_per_group; ++local) {
    const int row = group * layout.rows_per_group + local;
    uint8_t* unresolved = partial.unresolved.data() + (int64_t{p} * layout.rows + row) * layout.depth;
    int64_t counted = 0;
    for (int64_t call = 0; call < calls; ++call) {
      const double denominator = scratch.denominators(local, call);
      if (denominator != 0.0) {
        scratch.inverse(local, call) = 1.0 / std::abs(denominator);
        ++counted;
        continue;
      }
      scratch.inverse(local, call) = 0.0;
      const double* column = scratch.columns.row(call).data();
      for (int k = 0; k < layout.depth; ++k) unresolved[k] |= static_cast<uint8_t>(column[k] != 0.0);
    }
    partial.counted[static_cast<size_t>(p * layout.rows + row)] += counted;
  }
}

void accumulate_paper_block(const Context& ctx, int64_t block, Scratch& scratch, Partial& partial) {
  const ReductionLayout& layout = ctx.layout;
  for (int group = 0; group < layout.groups; ++group) {
    const RowMatrix& weights = ctx.group_weights[static_cast<size_t>(group)];
    for (int p = 0; p < layout.pixels_per_call; ++p) {
      const int64_t calls = gather_columns(ctx, block, group, p, scratch);
      if (calls == 0) continue;
      if (group == 0) partial.calls[static_cast<size_t>(p)] += calls;
      scratch.denominators.noalias() = weights * scratch.columns.transpose();
      invert_denominators(ctx, group, p, calls, scratch, partial);
      const int64_t first_row = int64_t{group} * layout.rows_per_group;
      Eigen::Map<RowMatrix> sums(partial.weighted_sum.data() + (p * layout.rows + first_row) * layout.depth,
                                 layout.rows_per_group, layout.depth);
      sums.noalias() += scratch.inverse * scratch.abs_columns;
    }
  }
}

void accumulate_magnitude_block(const Context& ctx, int64_t block, Scratch& scratch, Partial& partial) {
  const ReductionLayout& layout = ctx.layout;
  for (int group = 0; group < layout.groups; ++group) {
    Eigen::Map<Eigen::RowVectorXd> sums(partial.abs_input_sum.data() + int64_t{group} * layout.depth,
                                        layout.depth);
    for (int p = 0; p < layout.pixels_per_call; ++p) {
      if (gather_columns(ctx, block, group, p, scratch) == 0) continue;
      sums += scratch.abs_columns.colwise().sum();
    }
  }
}

// tbb::parallel_deterministic_reduce body: the split/join tree depends only
// on the number of blocks, so every sum is formed in the same order.
class BlockReducer {
 public:
  BlockReducer(const Context& ctx, tbb::enumerable_thread_specific<Scratch>& scratch)
      : ctx_(ctx), scratch_(scratch), partial_(ctx.make_partial()) {}
  BlockReducer(BlockReducer& other, tbb::split)
      : ctx_(other.ctx_), scratch_(other.scratch_), partial_(other.ctx_.make_partial()) {}

  void operator()(const tbb::blocked_range<int64_t>& range) {
    Scratch& scratch = scratch_.local();
    for (int64_t block = range.begin(); block != range.end(); ++block) {
      if (ctx_.metric == SignificanceMetric::kPaper)
        accumulate_paper_block(ctx_, block, scratch, partial_);
      else
        accumulate_magnitude_block(ctx_, block, scratch, partial_);
    }
  }
  void join(BlockReducer& right) { partial_.add(right.partial_); }
  const Partial& partial() const { return partial_; }

 private:
  const Context& ctx_;
  tbb::enumerable_thread_specific<Scratch>& scratch_;
  Partial partial_;
};

// D_{r,p}(k) from the sums (see the header for the zero-denominator rule).
double column_mean(const Partial& sums, const ReductionLayout& layout, int p, int row, int k, int8_t weight) {
  if (weight == 0) return 0.0;
  const int64_t index = (int64_t{p} * layout.rows + row) * layout.depth + k;
  const int64_t counted = sums.counted[static_cast<size_t>(p * layout.rows + row)];
  if (counted > 0)
    return std::abs(static_cast<double>(weight)) * sums.weighted_sum[static_cast<size_t>(index)] /
           static_cast<double>(counted);
  return sums.unresolved[static_cast<size_t>(index)] ? std::numeric_limits<double>::infinity() : 0.0;
}

void finish_paper(const Partial& sums, LayerScores& scores) {
  const ReductionLayout& layout = scores.layout;
  scores.column_calls = sums.calls;
  scores.column_mean.assign(static_cast<size_t>(2 * layout.weight_count()), 0.0);
  for (int row = 0; row < layout.rows; ++row) {
    for (int k = 0; k < layout.depth; ++k) {
      const int8_t weight = scores.weight_at(row, k);
      double best = 0.0;
      for (int p = 0; p < 2; ++p) {
        if (sums.calls[static_cast<size_t>(p)] == 0) continue;
        const double mean = column_mean(sums, layout, p, row, k, weight);
        scores.column_mean[static_cast<size_t>((int64_t{p} * layout.rows + row) * layout.depth + k)] = mean;
        best = std::max(best, mean);
      }
      scores.score[static_cast<size_t>(int64_t{row} * layout.depth + k)] = best;
    }
  }
}

void finish_magnitude(const Partial& sums, LayerScores& scores) {
  const ReductionLayout& layout = scores.layout;
  for (int row = 0; row < layout.rows; ++row) {
    const double* input_sum = sums.abs_input_sum.data() + int64_t{layout.group_of_row(row)} * layout.depth;
    const auto magnitude_of = [&](int k) {
      return std::abs(static_cast<double>(scores.weight_at(row, k))) * input_sum[k];
    };
    double row_total = 0.0;
    for (int k = 0; k < layout.depth; ++k) row_total += magnitude_of(k);
    for (int k = 0; k < layout.depth; ++k) {
      const double magnitude = magnitude_of(k);
      scores.score[static_cast<size_t>(int64_t{row} * layout.depth + k)] =
          row_total > 0.0 ? magnitude / row_total : 0.0;
    }
  }
}

int64_t count_images(const sim::Graph& graph, const ReductionLayout& layout, std::span<const int8_t> inputs) {
  const sim::Op& op = graph.ops[static_cast<size_t>(layout.op_index)];
  const int64_t per_image = layout.input_elements_per_image();
  if (inputs.empty() || static_cast<int64_t>(inputs.size()) % per_image != 0)
    throw SignificanceError(fmt::format(
        "{}: {}: calibration inputs hold {} values, expected a positive multiple of the input tensor's {}",
        graph.source, graph.describe(op), inputs.size(), per_image));
  return static_cast<int64_t>(inputs.size()) / per_image;
}

}  // namespace

SignificanceMetric parse_significance_metric(std::string_view name) {
  if (name == "paper") return SignificanceMetric::kPaper;
  if (name == "magnitude") return SignificanceMetric::kMagnitude;
  throw SignificanceError(fmt::format("unknown significance metric '{}' (valid: paper, magnitude)", name));
}

const char* significance_metric_name(SignificanceMetric metric) {
  return metric == SignificanceMetric::kPaper ? "paper" : "magnitude";
}

LayerScores compute_significance(const sim::Graph& graph, int op_index, std::span<const int8_t> inputs,
                                 const SignificanceOptions& options) {
  LayerScores scores;
  scores.layout = reduction_layout(graph, op_index);
  scores.metric = options.metric;
  scores.images = count_images(graph, scores.layout, inputs);
  scores.weights = row_major_weights(graph, scores.layout);
  scores.score.assign(scores.weights.size(), 0.0);
  const ReductionLayout& layout = scores.layout;

  Context ctx{layout, inputs, options.metric, scores.images,
              std::max<int64_t>(1, kColumnsPerBlock / layout.pixels_per_image()), {}};
  for (int group = 0; group < layout.groups; ++group) {
    RowMatrix weights(layout.rows_per_group, layout.depth);
    for (int local = 0; local < layout.rows_per_group; ++local)
      for (int k = 0; k < layout.depth; ++k)
        weights(local, k) = scores.weight_at(group * layout.rows_per_group + local, k);
    ctx.group_weights.push_back(std::move(weights));
  }

  tbb::enumerable_thread_specific<Scratch> scratch;
  BlockReducer reducer(ctx, scratch);
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_deterministic_reduce(tbb::blocked_range<int64_t>(0, ctx.blocks(), 1), reducer);
  });

  if (options.metric == SignificanceMetric::kPaper)
    finish_paper(reducer.partial(), scores);
  else
    finish_magnitude(reducer.partial(), scores);
  return scores;
}

}  // namespace tinyskip::engine
