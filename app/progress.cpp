#include "app/progress.hpp"

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <cstdio>

namespace scsim_app {

bool ProgressBar::stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(bool enabled, std::string label, sim::Date epoch)
    : enabled_(enabled), label_(std::move(label)), cal_(epoch), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { done(); }

void ProgressBar::update(const scsim::RunProgress& p) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && p.finished < p.total) return;
  last_ = now;
  constexpr int kWidth = 30;
  double frac = p.total ? (double(p.finished) + (p.horizon > 0 && p.finished < p.total ? double(p.simulated) / double(p.horizon) : 0.0) * 0.999) / double(p.total) : 1.0;
  if (frac > 1) frac = 1;
  int filled = int(frac * kWidth);
  std::string bar(std::size_t(filled), '#');
  bar.append(std::size_t(kWidth - filled), '.');
  double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%s [%s] %zu/%zu replications, simulated to %s, %.0fs ", label_.c_str(), bar.c_str(),
               p.finished, p.total, sim::format_date(cal_.date_of(p.simulated)).c_str(), secs);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::done() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  drawn_ = false;
}

}  // namespace scsim_app
