#include "engine/explore/activation_cache.h"

#include <algorithm>
#include <numeric>

namespace tinyskip::engine {

PrefixOrder::PrefixOrder(const DesignSpace& space) : layers_(static_cast<size_t>(space.dimensions())) {
  std::iota(layers_.begin(), layers_.end(), 0);
  std::stable_sort(layers_.begin(), layers_.end(), [&](int a, int b) {
    return space.layers[static_cast<size_t>(a)].op_index < space.layers[static_cast<size_t>(b)].op_index;
  });
}

bool PrefixOrder::operator()(const DesignPoint& a, const DesignPoint& b) const {
  for (int layer : layers_) {
    const int la = a.at(static_cast<size_t>(layer)), lb = b.at(static_cast<size_t>(layer));
    if (la != lb) return la < lb;
  }
  return false;
}

ActivationCache::ActivationCache(const sim::Graph& graph, const DesignSpace& space, const sim::ModelInputs& inputs,
                                 int64_t budget_bytes)
    : graph_(graph), inputs_(inputs), budget_bytes_(budget_bytes), layer_by_op_order_(PrefixOrder(space).layers()) {
  const sim::Simulator exact(graph);
  for (int layer : layer_by_op_order_) {
    positions_.push_back(space.layers[static_cast<size_t>(layer)].op_index);
    int64_t bytes = 0;
    for (int t : exact.live_tensors(positions_.back())) bytes += graph.tensor(t).num_bytes();
    state_bytes_.push_back(bytes * inputs.size());
  }
}

ActivationCacheStats ActivationCache::stats() const {
  const std::lock_guard<std::mutex> guard(lock_);
  return stats_;
}

int64_t ActivationCache::bytes_held() const {
  const std::lock_guard<std::mutex> guard(lock_);
  return bytes_held_;
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
    if (entry->second.extending) continue;  // another run is writing it
    bytes_held_ -= static_cast<int64_t>(entry->second.activations->bytes());
    entries_.erase(entry);
    victim = lru_.erase(victim);
    ++stats_.evictions;
  }
  return true;
}

sim::RunOutput ActivationCache::run(const sim::Simulator& simulator, const DesignPoint& point, int first, int count,
                                    int threads) {
  sim::RunOptions options;
  options.threads = threads;
  options.first_image = first;
  options.images = count;
  const int depths = static_cast<int>(positions_.size());
  const int end = first + count;

  // Resume from the deepest state held for these images; extend or start
  // every later one that can be (a state grows from input 0 without gaps).
  int start = -1;
  std::shared_ptr<const sim::Activations> start_state;
  std::vector<std::string> keep;  // not to evict: the start and the states written
  struct Written {
    int depth;
    std::shared_ptr<sim::Activations> state;  // null: a new state, allocated below
    bool fresh;                               // new, its bytes reserved in bytes_held_
  };
  std::vector<Written> written;
  {
    const std::lock_guard<std::mutex> guard(lock_);
    for (int d = depths - 1; d >= 0 && budget_bytes_ > 0 && start < 0; --d) {
      const auto it = entries_.find(key(point, d));
      if (it != entries_.end() && it->second.filled >= end) start = d;
    }
    if (start >= 0) {
      keep.push_back(key(point, start));
      Entry& entry = entries_.at(keep.back());
      touch(entry, keep.back());
      start_state = entry.activations;
    }
    for (int d = start + 1; d < depths && budget_bytes_ > 0; ++d) {
      const std::string name = key(point, d);
      const auto it = entries_.find(name);
      if (it != entries_.end()) {
        if (it->second.extending || it->second.filled != first) break;  // a gap, or another run's
        it->second.extending = true;
        touch(it->second, name);
        keep.push_back(name);
        written.push_back({d, it->second.activations, false});
        continue;
      }
      const int64_t bytes = state_bytes_[static_cast<size_t>(d)];
      if (first != 0 || !make_room(bytes, keep)) break;  // deeper states would not be reached without this one
      bytes_held_ += bytes;
      keep.push_back(name);
      written.push_back({d, nullptr, true});
    }
  }
  options.start = start_state.get();
  for (Written& w : written) {
    if (!w.state)
      w.state = std::make_shared<sim::Activations>(
          simulator.activations(positions_[static_cast<size_t>(w.depth)], 0, inputs_.size()));
    options.checkpoints.push_back(w.state.get());
  }

  sim::RunOutput output = simulator.run(inputs_, options);

  const std::lock_guard<std::mutex> guard(lock_);
  for (Written& w : written) {
    const std::string name = key(point, w.depth);
    const auto it = entries_.find(name);
    if (it != entries_.end() && it->second.activations == w.state) {  // extended
      it->second.filled = end;
      it->second.extending = false;
    } else if (it != entries_.end()) {  // another thread's run stored it meanwhile
      if (w.fresh) bytes_held_ -= static_cast<int64_t>(w.state->bytes());
    } else if (w.fresh) {
      lru_.push_front(name);
      entries_.emplace(name, Entry{std::move(w.state), end, false, lru_.begin()});
      ++stats_.checkpoints_stored;
    }
  }
  ++stats_.runs;
  stats_.resumed_past_first += start > 0;
  stats_.macs_unshared += macs_from(0) * count;
  stats_.macs_simulated += macs_from(start >= 0 ? positions_[static_cast<size_t>(start)] : 0) * count;
  return output;
}

}  // namespace tinyskip::engine
