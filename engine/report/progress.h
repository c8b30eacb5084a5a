// A progress line on stderr for long jobs. Silent for the first couple of
// seconds (short jobs print nothing) and when stderr is not a terminal,
// except for a final line in logs; safe to call from worker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace tinyskip::engine {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  // Reports the absolute amount done; cheap, callable from any thread.
  void update(int64_t done);
  void finish();

 private:
  void draw(int64_t done, bool final);

  std::string label_;
  int64_t total_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> last_draw_ms_{0};
  std::mutex draw_mutex_;
  bool interactive_;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace tinyskip::engine
