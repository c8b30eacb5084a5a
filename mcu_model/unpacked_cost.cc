#include "mcu_model/unpacked_cost.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "mcu_model/errors.h"
#include "mcu_model/kernel_costs.h"
#include "mcu_model/kernel_features.h"
#include "mcu_model/layer_geometry.h"
#include "mcu_model/memory_model.h"

namespace tinyskip::mcu {

namespace {

// Bytes per output channel of the requantisation tables the unpacked code
// reads (int32 multiplier + int32 shift); TFLM keeps them in RAM for the
// baseline, the generated kernel needs them as constants.
constexpr int64_t kRequantTableBytesPerChannel = 8;

SequenceCost scaled(const SequenceCost& s, double n) {
  return {s.cycles * n, s.code_bytes * n, s.literal_bytes * n};
}
SequenceCost sum(const SequenceCost& a, const SequenceCost& b) {
  return {a.cycles + b.cycles, a.code_bytes + b.code_bytes, a.literal_bytes + b.literal_bytes};
}

[[noreturn]] void fail(const sim::Graph& graph, const sim::Op& op, const std::string& message) {
  throw EstimateError(graph.source + ": " + graph.describe(op) + ": " + message);
}

const sim::Tensor& int8_filter(const sim::Graph& graph, const sim::Op& op) {
  if (op.inputs.size() < 2 || op.inputs[1] < 0) fail(graph, op, "has no filter input");
  const sim::Tensor& filter = graph.tensor(op.inputs[1]);
  if (filter.type != sim::DataType::kInt8 || !filter.is_constant())
    fail(graph, op, "unpacking needs a constant int8 filter, '" + filter.name + "' is not");
  return filter;
}

int64_t bias_bytes(const sim::Graph& graph, const sim::Op& op) {
  if (op.inputs.size() < 3 || op.inputs[2] < 0) return 0;
  return static_cast<int64_t>(graph.tensor(op.inputs[2]).data.size());
}

}  // namespace

UnpackedCounts& UnpackedCounts::operator+=(const UnpackedCounts& other) {
  full_pairs += other.full_pairs;
  split_pairs += other.split_pairs;
  operand_pairs += other.operand_pairs;
  emitted_weights += other.emitted_weights;
  return *this;
}

UnpackedLayerCost::UnpackedLayerCost(const sim::Graph& graph, const sim::Op& op, const BoardProfile& board,
                                     std::string opt_level)
    : board_(board), opt_level_(std::move(opt_level)), type_(op.type) {
  const KernelSequences& seq = board.sequences();
  int batches = 1;
  if (op.type == sim::OpType::kConv2D) {
    const ConvGeometry g = conv_geometry(graph, op);
    conv_ = g;
    batches = g.batches;
    rows_ = g.out_channels;
    reduction_ = g.conv_reduction();
    columns_per_call_ = 2;
    calls_ = int64_t{g.batches} * ((g.pixels() + 1) / 2);
    outputs_per_row_ = int64_t{g.batches} * g.pixels();
    driver_cycles_ = static_cast<double>(g.batches) * conv_im2col_cycles(g, seq);
    base_ = start_estimate(graph, op, board, "unpacked", "unpacked", batches);
    base_.library = library::kConvolve;
  } else if (op.type == sim::OpType::kDepthwiseConv2D) {
    // Rows are output channels, the reduction their taps; the columns hold
    // every input channel's taps (engine/codegen/unpacked_depthwise_conv.h),
    // built by the same im2col loops as a conv's with Cin values per tap.
    const ConvGeometry g = conv_geometry(graph, op);
    conv_ = g;
    batches = g.batches;
    rows_ = g.out_channels;
    reduction_ = g.taps();
    depth_multiplier_ = g.depth_multiplier;
    columns_per_call_ = 2;
    calls_ = int64_t{g.batches} * ((g.pixels() + 1) / 2);
    outputs_per_row_ = int64_t{g.batches} * g.pixels();
    driver_cycles_ = static_cast<double>(g.batches) * conv_im2col_cycles(g, seq);
    base_ = start_estimate(graph, op, board, "unpacked", "unpacked", batches);
    base_.library = library::kDepthwiseOpt;
  } else if (op.type == sim::OpType::kFullyConnected) {
    const FullyConnectedGeometry g = fully_connected_geometry(graph, op);
    batches = g.batches;
    rows_ = g.out_features;
    reduction_ = g.in_features;
    columns_per_call_ = 1;
    calls_ = g.batches;
    outputs_per_row_ = g.batches;
    driver_cycles_ = static_cast<double>(g.batches) *
                     (seq.function_call.cycles + widen_to_q15_cycles(seq, g.in_features));
    base_ = start_estimate(graph, op, board, "unpacked", "unpacked", batches);
    base_.library = library::kUnpackedFcDriver;
  } else {
    fail(graph, op, "only CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED layers can be unpacked");
  }
  driver_cycles_ += base_.cycles;  // the per-op interpreter overhead start_estimate put there

  const sim::Tensor& filter = int8_filter(graph, op);
  if (filter.num_elements() != rows_ * reduction_)
    fail(graph, op, "filter '" + filter.name + "' size does not match the layer shape");
  const auto values = filter.values<int8_t>();
  weights_.assign(values.begin(), values.end());
  table_bytes_ = bias_bytes(graph, op) + rows_ * kRequantTableBytesPerChannel;

  const double rows = static_cast<double>(rows_), columns = static_cast<double>(columns_per_call_);
  per_call_fixed_ = sum(sum(seq.unpacked_call, scaled(seq.unpacked_row_setup, rows)),
                        scaled(seq.unpacked_requant_output, rows * columns));
}

void UnpackedLayerCost::check_mask(const sim::WeightMask* mask) const {
  if (mask != nullptr && static_cast<int64_t>(mask->skip.size()) != rows_ * reduction_)
    throw EstimateError("op " + std::to_string(base_.op_index) + " (" + base_.op_name + "): mask has " +
                        std::to_string(mask->skip.size()) + " entries, the filter has " +
                        std::to_string(rows_ * reduction_));
}

bool UnpackedLayerCost::emitted(int64_t row, int64_t k, const sim::WeightMask* mask) const {
  // Depthwise filters are stored 1HWC: tap-major, channel fastest.
  const size_t index = static_cast<size_t>(type_ == sim::OpType::kDepthwiseConv2D ? k * rows_ + row
                                                                                   : row * reduction_ + k);
  const bool skipped = mask != nullptr && mask->skip[index] != 0;
  return !skipped && weights_[index] != 0;
}

UnpackedCounts UnpackedLayerCost::count_row_group(int64_t group, const sim::WeightMask* mask) const {
  check_mask(mask);
  UnpackedCounts counts;
  const int64_t first_row = 2 * group;
  const int64_t end_row = std::min(first_row + 2, rows_);
  for (int64_t k = 0; k < reduction_; k += 2) {
    // Rows reading the same operands (every row of a conv or FC; the rows of
    // one input channel of a depthwise layer) share one load of pair k.
    int64_t loaded_group = -1;
    for (int64_t row = first_row; row < end_row; ++row) {
      const int emitted_here = (emitted(row, k, mask) ? 1 : 0) +
                               (k + 1 < reduction_ && emitted(row, k + 1, mask) ? 1 : 0);
      counts.full_pairs += emitted_here == 2 ? 1 : 0;
      counts.split_pairs += emitted_here == 1 ? 1 : 0;
      counts.emitted_weights += emitted_here;
      const int64_t operand_group = type_ == sim::OpType::kDepthwiseConv2D ? row / depth_multiplier_ : 0;
      if (emitted_here == 2 && operand_group != loaded_group) {
        counts.operand_pairs += 1;
        loaded_group = operand_group;
      }
    }
  }
  return counts;
}

UnpackedCounts UnpackedLayerCost::count(const sim::WeightMask* mask) const {
  check_mask(mask);
  UnpackedCounts counts;
  for (int64_t group = 0; group < row_groups(); ++group) counts += count_row_group(group, mask);
  return counts;
}

LayerEstimate UnpackedLayerCost::evaluate(const UnpackedCounts& counts) const {
  const KernelSequences& seq = board_.sequences();
  const double columns = static_cast<double>(columns_per_call_);
  SequenceCost call = per_call_fixed_;
  const double operand_loads = static_cast<double>(counts.operand_pairs) * columns;
  call = sum(call, scaled(seq.unpacked_operand_column_load, operand_loads));
  call = sum(call, scaled(sum(seq.unpacked_constant_pair, scaled(seq.unpacked_smlad, columns)),
                          static_cast<double>(counts.full_pairs)));
  call = sum(call, scaled(sum(seq.unpacked_constant_single, scaled(seq.unpacked_mla, columns)),
                          static_cast<double>(counts.split_pairs)));
  const StraightLineCost run =
      straight_line_cycles(board_, call.cycles, call.code_bytes + call.literal_bytes, calls_);

  LayerEstimate estimate = base_;
  estimate.cycles = driver_cycles_ + run.cycles;
  estimate.code_bytes = std::llround(call.code_bytes);
  estimate.const_bytes = std::llround(call.literal_bytes) + table_bytes_;
  estimate.kept_macs = counts.emitted_weights * outputs_per_row_;
  estimate.fetch_bound = run.fetch_bound;
  // The calibrated model where the board has one for this kernel type and
  // level; else (an uncalibrated board, or a level not fitted) the analytic
  // one.
  if (!board_.coefficients.calibration.empty()) {
    const KernelFeatures features = conv_ ? unpacked_conv_features(*conv_, counts, type_)
                                          : unpacked_fully_connected_features(rows_, reduction_, counts);
    if (const std::optional<double> cycles = board_.coefficients.calibration.cycles(features, opt_level_))
      estimate.cycles = *cycles;
  }
  return estimate;
}

}  // namespace tinyskip::mcu
