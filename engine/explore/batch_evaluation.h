// How a batch of design points is scored, one strategy each: one point after
// the other, each simulated on every thread (its images split between them),
// or several points at once, one thread each. Either way the points finish in
// batch order, so points.csv is the same whichever runs; the second pays off
// when a split has too few images to keep every thread busy. The interface
// leaves room for points scored in other processes (MPI).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "engine/results/point_record.h"
#include "engine/search/design_space.h"

namespace tinyskip::engine {

class BatchEvaluation {
 public:
  // Scores one point with the given number of threads; must be safe to call
  // from several threads at once.
  using Score = std::function<PointRecord(const DesignPoint& point, int threads)>;
  // Receives each point's record, in batch order, on one thread at a time.
  using Finished = std::function<void(size_t index, PointRecord&& record)>;

  virtual ~BatchEvaluation() = default;
  virtual void run(const std::vector<DesignPoint>& points, const Score& score, const Finished& finished) = 0;
  virtual const char* name() const = 0;
};

// One point at a time on `threads` threads.
class SerialEvaluation final : public BatchEvaluation {
 public:
  explicit SerialEvaluation(int threads) : threads_(threads) {}
  void run(const std::vector<DesignPoint>& points, const Score& score, const Finished& finished) override;
  const char* name() const override { return "serial"; }

 private:
  int threads_;
};

// Up to `threads` points at once, one thread each.
class ThreadedEvaluation final : public BatchEvaluation {
 public:
  explicit ThreadedEvaluation(int threads) : threads_(threads) {}
  void run(const std::vector<DesignPoint>& points, const Score& score, const Finished& finished) override;
  const char* name() const override { return "threads"; }

 private:
  int threads_;
};

}  // namespace tinyskip::engine
