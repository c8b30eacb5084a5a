#include "engine/report/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tinyskip::engine {
namespace {
constexpr int64_t kQuietMs = 2000;   // jobs shorter than this print nothing
constexpr int64_t kRedrawMs = 250;   // at most four redraws a second
}  // namespace

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), start_(std::chrono::steady_clock::now()),
      interactive_(isatty(fileno(stderr)) != 0) {}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done) {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start_).count();
  if (!interactive_ || ms < kQuietMs) return;
  int64_t last = last_draw_ms_.load(std::memory_order_relaxed);
  if (ms - last < kRedrawMs) return;
  if (!last_draw_ms_.compare_exchange_strong(last, ms)) return;  // another thread draws
  draw(done, false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (drawn_) draw(total_, true);
}

void Progress::draw(int64_t done, bool final) {
  std::lock_guard lock(draw_mutex_);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
  std::fprintf(stderr, "\r%s: %lld/%lld (%3.0f%%) %.1fs elapsed, %.1fs left%s", label_.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), 100 * fraction, seconds,
               final ? 0.0 : eta, final ? "\n" : "   ");
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace tinyskip::engine
