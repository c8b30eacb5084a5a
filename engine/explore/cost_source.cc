#include "engine/explore/cost_source.h"

namespace tinyskip::engine {
namespace {

BoardCost from_estimate(const mcu::NetworkEstimate& estimate) {
  return {estimate.total_cycles, estimate.milliseconds, estimate.flash_bytes};
}

}  // namespace

void set_measured_cycles(BoardCost& cost, uint64_t cycles, const mcu::BoardProfile& board) {
  cost.cycles = static_cast<double>(cycles);
  cost.ms = board.milliseconds(cost.cycles);
}

BoardCost ModelCosts::point_cost(const DesignPoint& point, const sim::MaskSet& masks, int board) const {
  return from_estimate(model_estimate(experiment_, masks, unpacked_ops_of(experiment_, point), experiment_.boards.at(static_cast<size_t>(board))));
}

BoardCost ModelCosts::exact_cost(int board) const {
  return from_estimate(model_estimate(experiment_, {}, {}, experiment_.boards.at(static_cast<size_t>(board))));
}

BoardCost MeasuredCosts::measured(BoardCost cost, int board, int64_t flash_bytes, uint64_t cycles) const {
  if (tables_.flash) cost.flash_bytes = flash_bytes;
  if (tables_.latency) set_measured_cycles(cost, cycles, experiment_.boards.at(static_cast<size_t>(board)));
  return cost;
}

BoardCost MeasuredCosts::point_cost(const DesignPoint& point, const sim::MaskSet& masks, int board) const {
  return measured(model_.point_cost(point, masks, board), board, tables_.flash ? tables_.flash->point_bytes(point) : 0,
                  tables_.latency ? tables_.latency->point_cycles(board, point) : 0);
}

BoardCost MeasuredCosts::exact_cost(int board) const {
  return measured(model_.exact_cost(board), board, tables_.flash ? tables_.flash->exact_bytes() : 0,
                  tables_.latency ? tables_.latency->exact_cycles(board) : 0);
}

std::unique_ptr<CostSource> make_cost_source(const Experiment& experiment, const MeasuredTables& tables) {
  if (tables.flash || tables.latency) return std::make_unique<MeasuredCosts>(experiment, tables);
  return std::make_unique<ModelCosts>(experiment);
}

}  // namespace tinyskip::engine
