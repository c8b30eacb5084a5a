#include "engine/explore/result_cache.h"

namespace tinyskip::engine {

void ResultCache::preload(const std::vector<PointRecord>& records) {
  for (const PointRecord& record : records) records_[record.key] = record;
}

const PointRecord* ResultCache::find(const std::string& key) const {
  const auto it = records_.find(key);
  return it == records_.end() ? nullptr : &it->second;
}

const PointRecord& ResultCache::put(PointRecord record) {
  store_.append(record);  // on disk before anything else happens
  PointRecord& kept = records_[record.key];
  kept = std::move(record);
  return kept;
}

}  // namespace tinyskip::engine
