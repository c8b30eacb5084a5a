#include "engine/explore/batch_evaluation.h"

#include <mutex>
#include <optional>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace tinyskip::engine {

void SerialEvaluation::run(const std::vector<DesignPoint>& points, const Score& score, const Finished& finished) {
  for (size_t i = 0; i < points.size(); ++i) finished(i, score(points[i], threads_));
}

void ThreadedEvaluation::run(const std::vector<DesignPoint>& points, const Score& score, const Finished& finished) {
  // A point's record waits here until every earlier point has finished.
  std::vector<std::optional<PointRecord>> records(points.size());
  std::mutex lock;
  size_t next = 0;
  tbb::task_arena arena(threads_);
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, points.size(), [&](size_t i) {
      PointRecord record = score(points[i], 1);
      const std::lock_guard<std::mutex> guard(lock);
      records[i] = std::move(record);
      for (; next < records.size() && records[next]; ++next) finished(next, std::move(*records[next]));
    });
  });
}

}  // namespace tinyskip::engine
