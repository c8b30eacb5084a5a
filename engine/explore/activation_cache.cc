#include "engine/explore/activation_cache.h"

#include <algorithm>
#include <numeric>

namespace tinyskip::engine {
namespace {

// Space layer indices sorted by the op they mask.
std::vector<int> layers_in_op_order(const DesignSpace& space) {
  std::vector<int> order(static_cast<size_t>(space.dimensions()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return space.layers[static_cast<size_t>(a)].op_index < space.layers[static_cast<size_t>(b)].op_index;
  });
  return order;
}

}  // namespace

bool prefix_order_less(const DesignSpace& space, const DesignPoint& a, const DesignPoint& b) {
  for (int layer : layers_in_op_order(space)) {
    const int la = a.at(static_cast<size_t>(layer)), lb = b.at(static_cast<size_t>(layer));
    if (la != lb) return la < lb;
  }
  return false;
}

ActivationCache::ActivationCache(const sim::Graph& graph, const DesignSpace& space, const sim::ModelInputs& inputs,
                                 int64_t budget_bytes)
    : graph_(graph), inputs_(inputs), budget_bytes_(budget_bytes), layer_by_op_order_(layers_in_op_order(space)) {
  for (int layer : layer_by_op_order_) positions_.push_back(space.layers[static_cast<size_t>(layer)].op_index);
}

// "2:3-0": the state before the third masked layer (op order) of points whose
// first two masked layers are at levels 3 and 0.
std::string ActivationCache::key(const DesignPoint& point, int depth) const {
  std::string text = std::to_string(depth) + ":";
  for (int d = 0; d < depth; ++d) {
    if (d) text += '-';
    text += std::to_string(point.at(static_cast<size_t>(layer_by_op_order_[static_cast<size_t>(d)])));
  }
  return text;
}

int64_t ActivationCache::macs_from(int position) const {
  int64_t macs = 0;
  for (size_t o = static_cast<size_t>(position); o < graph_.ops.size(); ++o) macs += sim::macs_of(graph_, graph_.ops[o]);
  return macs;
}

void ActivationCache::touch(Entry& entry, const std::string& key) {
  lru_.erase(entry.lru);
  lru_.push_front(key);
  entry.lru = lru_.begin();
}

// Evicts least recently used entries, never those in `keep`, until `bytes`
// more fit the budget; false when they cannot.
bool ActivationCache::make_room(int64_t bytes, const std::vector<std::string>& keep) {
  if (bytes > budget_bytes_) return false;
  auto victim = lru_.end();
  while (bytes_held_ + bytes > budget_bytes_) {
    if (victim == lru_.begin()) return false;
    --victim;
    if (std::find(keep.begin(), keep.end(), *victim) != keep.end()) continue;
    const auto entry = entries_.find(*victim);
    bytes_held_ -= static_cast<int64_t>(entry->second.activations.bytes());
    entries_.erase(entry);
    victim = lru_.erase(victim);
    ++stats_.evictions;
  }
  return true;
}

sim::RunOutput ActivationCache::run(const DesignPoint& point, const sim::MaskSet& masks, int threads) {
  const sim::Simulator simulator(graph_, masks);
  sim::RunOptions options;
  options.threads = threads;
  const int depths = static_cast<int>(positions_.size());

  // Resume from the deepest state held; checkpoint every later one that fits.
  int start = -1;
  for (int d = depths - 1; d >= 0 && budget_bytes_ > 0 && start < 0; --d)
    if (entries_.count(key(point, d))) start = d;
  std::vector<std::string> keep;
  if (start >= 0) {
    keep.push_back(key(point, start));
    Entry& entry = entries_.at(keep.back());
    touch(entry, keep.back());
    options.start = &entry.activations;
  }
  std::vector<std::pair<std::string, sim::Activations>> fresh;
  fresh.reserve(static_cast<size_t>(depths));
  for (int d = start + 1; d < depths && budget_bytes_ > 0; ++d) {
    sim::Activations buffers = simulator.activations(positions_[static_cast<size_t>(d)], 0, inputs_.size());
    const auto bytes = static_cast<int64_t>(buffers.bytes());
    if (!make_room(bytes, keep)) break;  // deeper states would not be reached from here without this one
    bytes_held_ += bytes;
    keep.push_back(key(point, d));
    fresh.emplace_back(keep.back(), std::move(buffers));
  }
  for (auto& [name, buffers] : fresh) options.checkpoints.push_back(&buffers);

  sim::RunOutput output = simulator.run(inputs_, options);

  for (auto& [name, buffers] : fresh) {
    lru_.push_front(name);
    entries_.emplace(name, Entry{std::move(buffers), lru_.begin()});
    ++stats_.checkpoints_stored;
  }
  ++stats_.runs;
  stats_.resumed_past_first += start > 0;
  stats_.macs_unshared += macs_from(0);
  stats_.macs_simulated += macs_from(start >= 0 ? positions_[static_cast<size_t>(start)] : 0);
  return output;
}

}  // namespace tinyskip::engine
