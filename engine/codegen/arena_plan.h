// Static memory plan of a generated network: every activation tensor gets a
// fixed offset in one arena, and two tensors share bytes only when their
// lifetimes (from the op that writes them to the last op that reads them)
// do not overlap. The graph input and output are the caller's buffers and
// take no arena space. Greedy by size, first fit: not optimal, but
// deterministic and close to the peak of live bytes for chain-like CNNs.
#pragma once

#include <cstdint>
#include <map>

#include "sim/graph.h"

namespace tinyskip::engine {

struct ArenaPlan {
  int64_t size_bytes = 0;          // arena length, a multiple of kArenaAlignment
  std::map<int, int64_t> offset;   // tensor index -> byte offset
};

// Every offset is a multiple of this, so float and int32 views are aligned.
inline constexpr int64_t kArenaAlignment = 8;

// Throws CodegenError when a tensor is read before any op writes it.
ArenaPlan plan_arena(const sim::Graph& graph);

}  // namespace tinyskip::engine
