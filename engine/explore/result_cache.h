// The records of a run's points, by key: a point scored once is answered from
// here, and every new or updated record reaches points.csv (RunStore::append)
// before it is kept, so finished work survives a crash. A resumed run
// preloads the records of its earlier sessions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/results/point_record.h"
#include "engine/results/run_store.h"

namespace tinyskip::engine {

class ResultCache {
 public:
  explicit ResultCache(RunStore& store) : store_(store) {}

  void preload(const std::vector<PointRecord>& records);
  // Null when the point has no record yet.
  const PointRecord* find(const std::string& key) const;
  // Appends the record to points.csv, then keeps it (replacing the key's
  // earlier record: the later row for a key wins on load, too).
  const PointRecord& put(PointRecord record);

 private:
  RunStore& store_;
  std::map<std::string, PointRecord> records_;
};

}  // namespace tinyskip::engine
