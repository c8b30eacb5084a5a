// Cost of an UNPACKED kernel (the method's kernel unpacking): for one
// CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED layer, straight-line code
// that replaces the CMSIS-NN kernel. Each call computes all C output rows for
// the pixel columns of one call (2 for the convolutions, the 2x2 kernel's
// pixel pair; 1 for fully connected), rows taken in pairs (the last alone
// when C is odd). The reduction index k (conv: ky, kx, c_in, = the filter row
// layout; depthwise: the channel's taps ky, kx; FC: the input feature) is
// paired (2j, 2j+1) per row, and for every row and pair:
//   both weights emitted -> a 32-bit packed constant + one SMLAD per column,
//   one weight emitted   -> a 16-bit constant + one SMLABB/T per column,
//   none                 -> no instruction at all.
// A weight is emitted when it is non-zero and not skipped by the mask (the
// generator drops zero weights too). The q15 operand pair of index j is
// loaded (one word per column) for a row group when one of its rows keeps the
// full pair j, as engine/codegen/unpacked_parts.cc emits it, once per input
// channel for depthwise rows (the two rows of a pair read different channels
// unless the depth multiplier is even); a single weight reads its halfword
// operand itself.
// Each row adds a bias load and each output an inlined requantisation. The
// im2col driver (or, for fully connected, widening the input to q15) stays
// as in the baseline; an odd last conv pixel reuses the 2-column kernel with
// a dummy second column, so the filter need not be kept in flash.
//
// The code is shared by every call of the layer: code bytes are per layer,
// cycles scale with the calls, and code larger than the I-cache is streamed
// from flash on every call (mcu_model/memory_model.h).
//
// The cost is linear in three counts, so the search can evaluate a design
// point in O(1) from counts it maintains itself: see UnpackedCounts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mcu_model/board_profile.h"
#include "mcu_model/kernel_features.h"
#include "mcu_model/layer_estimate.h"
#include "mcu_model/layer_geometry.h"
#include "sim/graph.h"
#include "sim/weight_mask.h"

namespace tinyskip::mcu {

struct UnpackedCounts {
  int64_t full_pairs = 0;       // (row, pair): both weights emitted
  int64_t split_pairs = 0;      // (row, pair): one weight emitted (includes an odd last k)
  int64_t operand_pairs = 0;    // (row group, pair): some row of the group keeps the full pair
  int64_t emitted_weights = 0;  // weights that issue a multiply (for kept MACs)

  UnpackedCounts& operator+=(const UnpackedCounts& other);
  bool operator==(const UnpackedCounts&) const = default;
};

class UnpackedLayerCost {
 public:
  // EstimateError unless op is a CONV_2D, DEPTHWISE_CONV_2D or
  // FULLY_CONNECTED with a constant int8 filter. Copies what it needs; graph and board may go away.
  // `opt_level`: what the generated code is compiled at, which picks the
  // board calibration's coefficients (calibration.h).
  UnpackedLayerCost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board,
                    std::string opt_level = kDefaultOptLevel);

  int op_index() const { return base_.op_index; }
  int64_t rows() const { return rows_; }
  int64_t reduction() const { return reduction_; }
  int64_t row_groups() const { return (rows_ + 1) / 2; }
  int64_t columns_per_call() const { return columns_per_call_; }
  int64_t calls() const { return calls_; }

  // Walks the mask once (skip entries in the filter's stored layout; nullptr
  // = nothing skipped). EstimateError if its size is not the filter's.
  UnpackedCounts count(const sim::WeightMask* mask) const;
  // The counts of one row group (rows 2g and 2g+1); they sum to count().
  UnpackedCounts count_row_group(int64_t group, const sim::WeightMask* mask) const;

  // O(1) in the layer size. Cycles from the board's calibration of
  // "unpacked.<op kind>" when it has one
  // (kernel_features.h), else analytic.
  LayerEstimate evaluate(const UnpackedCounts& counts) const;
  LayerEstimate estimate(const sim::WeightMask* mask) const { return evaluate(count(mask)); }

 private:
  void check_mask(const sim::WeightMask* mask) const;
  bool emitted(int64_t row, int64_t k, const sim::WeightMask* mask) const;

  BoardProfile board_;
  std::string opt_level_;
  sim::OpType type_;
  std::optional<ConvGeometry> conv_;  // CONV_2D, DEPTHWISE_CONV_2D: what the calibrated model's features need
  int64_t depth_multiplier_ = 1;      // DEPTHWISE_CONV_2D: rows per input channel
  LayerEstimate base_;  // identity, nominal MACs, library
  int64_t rows_ = 0, reduction_ = 0;
  int64_t columns_per_call_ = 1;
  int64_t calls_ = 0;
  int64_t outputs_per_row_ = 1;  // output pixels x batches: MACs per emitted weight
  double driver_cycles_ = 0;     // everything outside the kernel calls, incl. the op overhead
  SequenceCost per_call_fixed_;  // call, row set-up and requantisation per call
  int64_t table_bytes_ = 0;      // bias + per-channel multiplier and shift tables
  std::vector<int8_t> weights_;
};

}  // namespace tinyskip::mcu
