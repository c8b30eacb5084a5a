// Work shared between design points on one image split. A point's masked
// layers, taken in op order, only change what comes after them: the
// activations before the first masked layer are the same for every point, and
// two points that agree on the masks of their first k masked layers (in op
// order) agree on every activation up to the (k+1)-th. The cache keeps such
// activations, within a memory budget, and runs each point from the deepest
// one it holds, checkpointing the later ones for the points that follow. The
// outputs are byte-identical to a run from the inputs (the simulator resumes
// exactly; tests/engine/activation_cache_test.cc checks it).
//
// Points reuse the most when consecutive points share long prefixes: grid
// order does, and the evaluator sorts every batch so (PrefixOrder).
// run() may be called from several threads at once; a state in use when it
// is evicted lives until its run ends, so the budget can be exceeded by the
// states of the runs in flight.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/search/design_space.h"
#include "sim/graph.h"
#include "sim/simulator.h"

namespace tinyskip::engine {

struct ActivationCacheStats {
  int64_t runs = 0;
  int64_t resumed_past_first = 0;  // runs that skipped at least one masked layer
  int64_t checkpoints_stored = 0, evictions = 0;
  // Multiply-accumulates, summed over runs and their images: what was
  // simulated, and what whole-network runs would have simulated.
  int64_t macs_simulated = 0, macs_unshared = 0;

  double mac_saving() const {
    return macs_unshared ? 1.0 - static_cast<double>(macs_simulated) / static_cast<double>(macs_unshared) : 0.0;
  }
};

// The order that maximises prefix reuse, as a comparator: lexicographic in
// the levels of the masked layers taken in op order. Built once per space.
class PrefixOrder {
 public:
  explicit PrefixOrder(const DesignSpace& space);
  bool operator()(const DesignPoint& a, const DesignPoint& b) const;
  // Space layer indices, ascending op index.
  const std::vector<int>& layers() const { return layers_; }

 private:
  std::vector<int> layers_;
};

class ActivationCache {
 public:
  // `inputs` must outlive the cache; budget_bytes 0 disables sharing (every
  // run starts from the inputs).
  ActivationCache(const sim::Graph& graph, const DesignSpace& space, const sim::ModelInputs& inputs,
                  int64_t budget_bytes);

  // The point's run on inputs [first, first +
  // count), or on every input. A state is held for a leading range of the
  // inputs, which runs over the next images extend: points evaluated in
  // blocks (early stopping) share them as far as any went.
  // `simulator` is prepared with the point's masks (point_masks of it).
  sim::RunOutput run(const sim::Simulator& simulator, const DesignPoint& point, int first, int count, int threads);
  sim::RunOutput run(const DesignPoint& point, const sim::MaskSet& masks, int threads) {
    return run(sim::Simulator(graph_, masks), point, 0, inputs_.size(), threads);
  }

  ActivationCacheStats stats() const;
  int64_t bytes_held() const;

 private:
  struct Entry {
    std::shared_ptr<sim::Activations> activations;  // sized for every input
    int filled = 0;          // inputs [0, filled) hold the state
    bool extending = false;  // a run is writing the inputs after `filled`
    std::list<std::string>::iterator lru;  // position in lru_, most recent first
  };
  std::string key(const DesignPoint& point, int depth) const;
  int64_t macs_from(int position) const;  // per image, ops [position, end)
  bool make_room(int64_t bytes, const std::vector<std::string>& keep);
  void touch(Entry& entry, const std::string& key);

  const sim::Graph& graph_;
  const sim::ModelInputs& inputs_;
  int64_t budget_bytes_;
  std::vector<int> layer_by_op_order_;  // space layer indices, ascending op index
  std::vector<int> positions_;          // their op indices
  std::vector<int64_t> state_bytes_;    // of the state before each, for every input
  mutable std::mutex lock_;             // guards everything below
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;
  int64_t bytes_held_ = 0;
  ActivationCacheStats stats_;
};

}  // namespace tinyskip::engine
