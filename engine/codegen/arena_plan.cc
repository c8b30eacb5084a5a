#include "engine/codegen/arena_plan.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "engine/codegen/codegen_error.h"

namespace tinyskip::engine {
namespace {

struct Lifetime {
  int tensor = -1;
  int first_op = 0, last_op = 0;
  int64_t bytes = 0;
};

int64_t align_up(int64_t value) { return (value + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }

std::vector<Lifetime> arena_tensors(const sim::Graph& graph) {
  std::map<int, Lifetime> live;
  for (const sim::Op& op : graph.ops) {
    for (int t : op.inputs) {
      if (t < 0 || t == graph.input || graph.tensor(t).is_constant()) continue;
      const auto it = live.find(t);
      if (it == live.end())
        throw CodegenError(fmt::format("{}: {} reads tensor {} before any op writes it", graph.source,
                                       graph.describe(op), t));
      it->second.last_op = op.index;
    }
    for (int t : op.outputs) {
      if (t == graph.output) continue;
      live[t] = Lifetime{t, op.index, op.index, align_up(graph.tensor(t).num_bytes())};
    }
  }
  std::vector<Lifetime> tensors;
  for (const auto& [index, lifetime] : live) tensors.push_back(lifetime);
  return tensors;
}

bool overlap_in_time(const Lifetime& a, const Lifetime& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}

}  // namespace

ArenaPlan plan_arena(const sim::Graph& graph) {
  std::vector<Lifetime> tensors = arena_tensors(graph);
  // Largest first; ties by tensor index so the plan is deterministic.
  std::sort(tensors.begin(), tensors.end(), [](const Lifetime& a, const Lifetime& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.tensor < b.tensor;
  });
  ArenaPlan plan;
  std::vector<std::pair<const Lifetime*, int64_t>> placed;
  for (const Lifetime& t : tensors) {
    // Candidate offsets: 0 and the end of every placed tensor alive at the
    // same time; take the lowest one that collides with none of them.
    std::vector<int64_t> candidates = {0};
    for (const auto& [other, offset] : placed)
      if (overlap_in_time(t, *other)) candidates.push_back(offset + other->bytes);
    std::sort(candidates.begin(), candidates.end());
    for (int64_t offset : candidates) {
      const bool collides = std::any_of(placed.begin(), placed.end(), [&](const auto& entry) {
        const auto& [other, other_offset] = entry;
        return overlap_in_time(t, *other) && offset < other_offset + other->bytes && other_offset < offset + t.bytes;
      });
      if (collides) continue;
      placed.emplace_back(&t, offset);
      plan.offset[t.tensor] = offset;
      plan.size_bytes = std::max(plan.size_bytes, offset + t.bytes);
      break;
    }
  }
  return plan;
}

}  // namespace tinyskip::engine
