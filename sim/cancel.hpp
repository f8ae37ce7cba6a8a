#pragma once
/// Cooperative cancellation of runs (Ctrl-C on the command line,
/// KeyboardInterrupt in Python). A CancelScope names, for the thread it lives
/// on, a flag that Simulation::run()/run_until() on that thread reads every
/// kCancelPollEvents events; once the flag is set, the run throws
/// sim::Cancelled between two events, and the Simulation is destroyed as
/// after any failed run. The flag is only read: a run that is not cancelled
/// processes exactly the same events in the same order, with or without a
/// scope. Threads do not inherit a scope: whoever starts worker threads passes
/// cancel_flag() on (as sim::run_replications' callers do).
#include <atomic>
#include <cstdint>
#include <exception>

namespace sim {

/// Thrown by a run whose thread's cancel flag was set.
struct Cancelled : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

/// About a millisecond of a national run between two looks at the flag.
inline constexpr std::uint64_t kCancelPollEvents = 4096;

namespace detail {
inline thread_local constinit const std::atomic<bool>* t_cancel = nullptr;
}

/// While alive, runs on this thread watch `flag` (nullptr: none).
class CancelScope {
 public:
  explicit CancelScope(const std::atomic<bool>* flag) noexcept : previous_(detail::t_cancel) {
    detail::t_cancel = flag;
  }
  ~CancelScope() { detail::t_cancel = previous_; }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

/// The flag this thread's runs watch, or nullptr.
inline const std::atomic<bool>* cancel_flag() noexcept { return detail::t_cancel; }
/// Has this thread's run been asked to stop?
inline bool cancel_requested() noexcept {
  const auto* f = detail::t_cancel;
  return f && f->load(std::memory_order_relaxed);
}
/// For long loops outside the event loop (writers, fits): throws Cancelled if asked to stop.
inline void throw_if_cancelled() {
  if (cancel_requested()) throw Cancelled();
}

}  // namespace sim
