#pragma once
/// A progress line on stderr for long runs: replications done and the
/// simulated date reached. Hidden when stderr is not a terminal or with --quiet.
#include <chrono>
#include <string>

#include "analysis/runner.hpp"
#include "sim/calendar.hpp"

namespace scsim_app {

class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string label, sim::Date epoch);
  ~ProgressBar();
  void update(const scsim::RunProgress& p);
  void done();
  bool enabled() const { return enabled_; }
  /// True if stderr is a terminal.
  static bool stderr_is_tty();

 private:
  bool enabled_;
  std::string label_;
  sim::Calendar cal_;
  std::chrono::steady_clock::time_point last_{}, start_;
  bool drawn_ = false;
};

}  // namespace scsim_app
