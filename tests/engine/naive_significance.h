// A deliberately naive significance reference, written straight from the
// formulas in engine/significance/significance.h and sharing no code with it:
// explicit loops over images, kernel calls (pixel pairs), columns, rows and
// reduction indices, with im2col and padding computed on the fly here.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tests/engine/significance_graphs.h"

namespace tinyskip::test {

struct NaiveScores {
  int rows = 0, depth = 0;
  std::vector<double> column_mean;  // [p][row][k], paper metric only
  std::vector<double> score;        // [row][k]
  int64_t calls[2] = {0, 0};
};

// TFLite window rule, independently: SAME -> ceil(in / stride) outputs, pad
// half of the missing extent before; VALID -> no padding.
inline void naive_window(sim::Padding padding, int in, int filter, int stride, int dilation, int* out, int* pad) {
  const int extent = (filter - 1) * dilation + 1;
  if (padding == sim::Padding::kSame) {
    *out = (in + stride - 1) / stride;
    *pad = std::max(0, (*out - 1) * stride + extent - in) / 2;
  } else {
    *out = (in - extent) / stride + 1;
    *pad = 0;
  }
}

inline int naive_rows(const LayerSpec& spec) { return spec.out_c; }
inline int naive_depth(const LayerSpec& spec) {
  if (spec.type == sim::OpType::kConv2D) return spec.filter_h * spec.filter_w * spec.in_c;
  if (spec.type == sim::OpType::kDepthwiseConv2D) return spec.filter_h * spec.filter_w;
  return static_cast<int>(spec.input_elements());
}
inline int naive_pixels(const LayerSpec& spec) {
  if (spec.type == sim::OpType::kFullyConnected) return 1;
  int out_h = 0, out_w = 0, pad = 0;
  naive_window(spec.padding, spec.in_h, spec.filter_h, spec.stride_h, spec.dilation_h, &out_h, &pad);
  naive_window(spec.padding, spec.in_w, spec.filter_w, spec.stride_w, spec.dilation_w, &out_w, &pad);
  return out_h * out_w;
}

inline int naive_weight(const LayerSpec& spec, int row, int k) {
  if (spec.type == sim::OpType::kDepthwiseConv2D) return spec.filter[static_cast<size_t>(k * spec.out_c + row)];
  return spec.filter[static_cast<size_t>(row * naive_depth(spec) + k)];
}

// Input value (+ offset) seen by reduction index k of `row` at output pixel
// `pixel`; 0 in the padding.
inline int naive_input(const LayerSpec& spec, const int8_t* image, int row, int pixel, int k) {
  const int offset = -spec.input_zero_point;
  if (spec.type == sim::OpType::kFullyConnected) return image[k] + offset;
  int out_h = 0, out_w = 0, pad_h = 0, pad_w = 0;
  naive_window(spec.padding, spec.in_h, spec.filter_h, spec.stride_h, spec.dilation_h, &out_h, &pad_h);
  naive_window(spec.padding, spec.in_w, spec.filter_w, spec.stride_w, spec.dilation_w, &out_w, &pad_w);
  const int oy = pixel / out_w, ox = pixel % out_w;
  int ky = 0, kx = 0, c = 0;
  if (spec.type == sim::OpType::kConv2D) {
    ky = k / (spec.filter_w * spec.in_c);
    kx = (k / spec.in_c) % spec.filter_w;
    c = k % spec.in_c;
  } else {
    ky = k / spec.filter_w;
    kx = k % spec.filter_w;
    c = row / spec.depth_multiplier();
  }
  const int y = oy * spec.stride_h - pad_h + ky * spec.dilation_h;
  const int x = ox * spec.stride_w - pad_w + kx * spec.dilation_w;
  if (y < 0 || y >= spec.in_h || x < 0 || x >= spec.in_w) return 0;
  return image[(y * spec.in_w + x) * spec.in_c + c] + offset;
}

inline NaiveScores naive_paper_significance(const LayerSpec& spec, const std::vector<int8_t>& inputs) {
  NaiveScores result;
  result.rows = naive_rows(spec);
  result.depth = naive_depth(spec);
  const int rows = result.rows, depth = result.depth, pixels = naive_pixels(spec);
  const int per_call = spec.type == sim::OpType::kFullyConnected ? 1 : 2;
  const auto images = static_cast<int>(inputs.size() / static_cast<size_t>(spec.input_elements()));
  std::vector<double> sum(static_cast<size_t>(2 * rows * depth), 0.0);
  std::vector<int> counted(static_cast<size_t>(2 * rows), 0);
  std::vector<bool> nonzero_in_skipped_call(static_cast<size_t>(2 * rows * depth), false);
  for (int n = 0; n < images; ++n) {
    const int8_t* image = inputs.data() + n * spec.input_elements();
    for (int call = 0; call * per_call < pixels; ++call) {
      for (int p = 0; p < per_call; ++p) {
        const int pixel = call * per_call + p;
        if (pixel >= pixels) continue;  // trailing odd pixel: column 0 only
        ++result.calls[p];
        for (int r = 0; r < rows; ++r) {
          int64_t denominator = 0;
          for (int k = 0; k < depth; ++k)
            denominator += naive_weight(spec, r, k) * naive_input(spec, image, r, pixel, k);
          for (int k = 0; k < depth; ++k) {
            const int64_t numerator = naive_weight(spec, r, k) * naive_input(spec, image, r, pixel, k);
            const size_t at = static_cast<size_t>((p * rows + r) * depth + k);
            if (denominator == 0) {
              if (numerator != 0) nonzero_in_skipped_call[at] = true;
            } else {
              sum[at] += std::fabs(static_cast<double>(numerator) / static_cast<double>(denominator));
            }
          }
          if (denominator != 0) ++counted[static_cast<size_t>(p * rows + r)];
        }
      }
    }
  }
  result.column_mean.assign(sum.size(), 0.0);
  result.score.assign(static_cast<size_t>(rows * depth), 0.0);
  for (int p = 0; p < 2; ++p) {
    if (result.calls[p] == 0) continue;
    for (int r = 0; r < rows; ++r) {
      for (int k = 0; k < depth; ++k) {
        const size_t at = static_cast<size_t>((p * rows + r) * depth + k);
        const int count = counted[static_cast<size_t>(p * rows + r)];
        double mean = 0.0;
        if (count > 0) mean = sum[at] / count;
        else if (nonzero_in_skipped_call[at]) mean = std::numeric_limits<double>::infinity();
        result.column_mean[at] = mean;
        double& score = result.score[static_cast<size_t>(r * depth + k)];
        score = std::max(score, mean);
      }
    }
  }
  return result;
}

// Magnitude metric: mean |w x_k| over all pixels divided by the mean of the
// row's sum_k |w x_k| over the same pixels.
inline NaiveScores naive_magnitude_significance(const LayerSpec& spec, const std::vector<int8_t>& inputs) {
  NaiveScores result;
  result.rows = naive_rows(spec);
  result.depth = naive_depth(spec);
  const int rows = result.rows, depth = result.depth, pixels = naive_pixels(spec);
  const auto images = static_cast<int>(inputs.size() / static_cast<size_t>(spec.input_elements()));
  result.score.assign(static_cast<size_t>(rows * depth), 0.0);
  for (int r = 0; r < rows; ++r) {
    std::vector<double> numerator(static_cast<size_t>(depth), 0.0);
    double denominator = 0.0;
    for (int n = 0; n < images; ++n) {
      const int8_t* image = inputs.data() + n * spec.input_elements();
      for (int pixel = 0; pixel < pixels; ++pixel) {
        for (int k = 0; k < depth; ++k) {
          const double product = std::fabs(double(naive_weight(spec, r, k)) * naive_input(spec, image, r, pixel, k));
          numerator[static_cast<size_t>(k)] += product;
          denominator += product;
        }
      }
    }
    for (int k = 0; k < depth; ++k) {
      const double share = denominator > 0 ? numerator[static_cast<size_t>(k)] / denominator : 0.0;
      result.score[static_cast<size_t>(r * depth + k)] = share;
    }
  }
  return result;
}

}  // namespace tinyskip::test
