// Where a design point's cycles and flash come from, one strategy per source:
// the Cortex-M4 cost model (mcu_model/cycle_model.h, approximated layers
// priced as the kernels the generator emits), or the measured tables (the
// cross-compiler's flash, the timing engine's cycles) with the model for
// whichever of the two is not measured.
#pragma once

#include <memory>

#include "engine/explore/experiment.h"
#include "engine/explore/flash_table.h"
#include "engine/explore/latency_table.h"
#include "engine/explore/network_timer.h"
#include "engine/results/point_record.h"
#include "engine/search/design_space.h"
#include "sim/weight_mask.h"

namespace tinyskip::engine {

// What is measured rather than estimated; a null member falls back to the
// cost model. With `latency`, `timer` times whole winner programs.
struct MeasuredTables {
  const FlashTable* flash = nullptr;      // every board's flash: the cross-compiler's (one toolchain)
  const LatencyTable* latency = nullptr;  // cycles: the timing engine's, table-summed
  NetworkTimer* timer = nullptr;
};

class CostSource {
 public:
  virtual ~CostSource() = default;
  // The point's cost on board `board` (index into Experiment::boards); masks
  // are point_masks of it. Safe to call from several threads at once.
  virtual BoardCost point_cost(const DesignPoint& point, const sim::MaskSet& masks, int board) const = 0;
  // The exact model's (no approximation, the config's exact kernels).
  virtual BoardCost exact_cost(int board) const = 0;
  // The latency_source a record scored by this source carries (point_record.h).
  virtual const char* latency_source() const = 0;
};

// Everything from the cost model.
class ModelCosts final : public CostSource {
 public:
  explicit ModelCosts(const Experiment& experiment) : experiment_(experiment) {}
  BoardCost point_cost(const DesignPoint& point, const sim::MaskSet& masks, int board) const override;
  BoardCost exact_cost(int board) const override;
  const char* latency_source() const override { return kLatencyFromModel; }

 private:
  const Experiment& experiment_;
};

// The measured tables, over the model for what they do not hold.
class MeasuredCosts final : public CostSource {
 public:
  MeasuredCosts(const Experiment& experiment, const MeasuredTables& tables)
      : experiment_(experiment), tables_(tables), model_(experiment) {}
  BoardCost point_cost(const DesignPoint& point, const sim::MaskSet& masks, int board) const override;
  BoardCost exact_cost(int board) const override;
  const char* latency_source() const override { return tables_.latency ? kLatencyFromTable : kLatencyFromModel; }

 private:
  BoardCost measured(BoardCost cost, int board, int64_t flash_bytes, uint64_t cycles) const;

  const Experiment& experiment_;
  MeasuredTables tables_;
  ModelCosts model_;
};

// The source for a run: measured when any table is, else the model.
std::unique_ptr<CostSource> make_cost_source(const Experiment& experiment, const MeasuredTables& tables);

// A cost with the cycles of a timed program in place of the source's.
void set_measured_cycles(BoardCost& cost, uint64_t cycles, const mcu::BoardProfile& board);

}  // namespace tinyskip::engine
