#pragma once
/// The discrete-event kernel: a clock, a future-event set and processes written
/// as C++20 coroutines (in the manner of SimCpp20):
///
///     sim::Process customer(sim::Simulation& s, sim::Resource& desk) {
///       co_await desk.request();
///       co_await s.timeout(5 * sim::kMinute);
///       desk.release();
///     }
///     s.start(customer(s, desk));
///
/// There is no global simulator: a `Simulation` is passed by reference to
/// whoever needs it, so several run side by side (one per replication thread).
/// Coroutine frames come from a per-thread pool, so a process costs no heap
/// allocation once the pool is warm; a process's locals live in its frame.
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <new>
#include <utility>
#include <vector>

#include "sim/detail/calendar_queue.hpp"
#include "sim/detail/event_target.hpp"
#include "sim/detail/frame_pool.hpp"
#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace sim {

inline constexpr Time kTimeMax = std::numeric_limits<Time>::max();

/// The queue the Simulation uses, chosen with bench/queue_hold and
/// bench/kernel_model (see bench/README.md): the calendar queue is 2.5x (10^5
/// pending) to 5x (10^6) faster per hold than the 4-ary heap and no slower
/// below, where it is a 4-ary heap; prefetching frames adds ~20% in the model.
using DefaultEventQueue = detail::FramePrefetchCalendarQueue;

class Simulation;

/// A running fingerprint of the event sequence a simulation processed: the
/// time and kind (process resume or callback) of every event, in order.
/// Opt-in (`Simulation::record_events`), for golden tests of reproducibility.
struct EventDigest {
  std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a offset basis
  std::uint64_t events = 0;
  void add(Time t, bool callback) noexcept {
    auto mix = [this](std::uint64_t v) {
      for (int i = 0; i < 8; ++i) {
        hash ^= (v >> (8 * i)) & 0xffu;
        hash *= 0x100000001b3ull;  // FNV-1a prime
      }
    };
    mix(static_cast<std::uint64_t>(t));
    mix(callback ? 1u : 0u);
    ++events;
  }
};

/// Value handle to a scheduled callback, for cancellation (as ns-3's EventId).
struct EventId {
  std::uint32_t slot = 0xffffffffu;
  std::uint64_t seq = 0;
  bool valid() const noexcept { return slot != 0xffffffffu; }
};

/// The return type of a process coroutine. A Process does nothing until handed
/// to `Simulation::start`; from then on the simulation owns its frame, which is
/// freed when the coroutine finishes (or when the Simulation is destroyed, for
/// processes still suspended at the end of a run).
class Process {
 public:
  struct promise_type {
    Simulation* sim = nullptr;

    Process get_return_object() noexcept {
      return Process(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() noexcept;
    ~promise_type();

    static void* operator new(std::size_t n) { return detail::frame_alloc(n); }
    static void operator delete(void* p, std::size_t n) noexcept { detail::frame_free(p, n); }
  };

  Process(Process&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  ~Process() {
    if (h_) h_.destroy();  // never started
  }

 private:
  friend class Simulation;
  explicit Process(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

class Simulation {
 public:
  Simulation();
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Time now() const noexcept { return now_; }

  /// Starts a process: it runs at once, up to its first suspension.
  void start(Process p);

  /// `co_await sim.timeout(d)`: resume after d (d <= 0 resumes at the current
  /// time, after the events already scheduled for it). Throws TimeOverflow if
  /// now() + d does not fit the clock.
  auto timeout(Duration d) { return Wake{this, d > 0 ? add_time(now_, d, "Simulation::timeout") : now_}; }
  /// `co_await sim.until(t)`: resume at absolute time t (or now, if t is past).
  auto until(Time t) noexcept { return Wake{this, t > now_ ? t : now_}; }

  /// Schedules a callback after `delay`; returns a handle for `cancel`.
  /// Throws TimeOverflow if now() + delay does not fit the clock.
  EventId schedule(Duration delay, std::function<void()> fn);
  /// Cancels a pending callback; false if it already ran or was cancelled.
  bool cancel(EventId id) noexcept;

  /// Low-level: resume a suspended coroutine at time t (used by awaitables).
  void resume_at(Time t, std::coroutine_handle<> h) {
    enqueue(EventEntry{t, next_seq_++, detail::frame_target(h.address())});
  }

  /// Runs until no event is left.
  void run() { run_until(kTimeMax); }
  /// Runs every event with time <= end; afterwards now() == end (if finite).
  /// Throws sim::Cancelled, between events, once the thread's cancel flag is
  /// set (sim/cancel.hpp).
  void run_until(Time end);
  /// Makes run()/run_until() return after the current event.
  void stop() noexcept { stop_ = true; }

  std::uint64_t events_processed() const noexcept { return events_; }
  /// Folds every event processed from now on into *d (nullptr: stop recording).
  void record_events(EventDigest* d) noexcept { digest_ = d; }
  std::size_t pending_events() const noexcept { return queue_.size() - (top_spent_ ? 1 : 0); }
  /// Processes started and not yet finished.
  std::size_t live_processes() const noexcept { return live_count_; }

  struct Wake {
    Simulation* sim;
    Time t;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const { sim->resume_at(t, h); }
    void await_resume() const noexcept {}
  };

 private:
  friend struct Process::promise_type;
  struct Slot {
    std::function<void()> fn;
    std::uint64_t seq = 0;
    std::uint32_t next_free = 0xffffffffu;
  };

  /// Adds an entry to the future-event set. While an event runs, its own
  /// entry is still the queue's top (`top_spent_`): the first entry the event
  /// schedules takes its place in one sift (replace_top) instead of a pop and
  /// a push; if it schedules none, run_until pops it afterwards.
  [[gnu::always_inline]] void enqueue(const EventEntry e) {
    if constexpr (ReplaceTopQueue<DefaultEventQueue>) {
      if (top_spent_) {
        top_spent_ = false;
        queue_.replace_top(e);
        return;
      }
    }
    queue_.push(e);
  }

  void link(Process::promise_type& p) noexcept {
    p.sim = this;
    ++live_count_;
  }
  void unlink(Process::promise_type&) noexcept { --live_count_; }
  void run_callback(std::uint32_t slot);

  DefaultEventQueue queue_;
  Time now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_ = 0;
  bool stop_ = false;
  bool top_spent_ = false;  // the queue's top is the event now running
  bool tearing_down_ = false;
  std::vector<Slot> slots_;
  std::uint32_t free_slot_ = 0xffffffffu;
  // Processes started and not finished; the processes themselves are found
  // through the frame pool's live bitmaps when the Simulation is destroyed.
  std::size_t live_count_ = 0;
  std::exception_ptr failure_;
  EventDigest* digest_ = nullptr;
};

/// A one-shot signal processes can wait for (`co_await ev`). Triggering wakes
/// every waiter at the current time, in the order they began to wait; waiting
/// on an already-triggered event does not suspend.
class Event {
 public:
  explicit Event(Simulation& sim) : sim_(&sim) {}
  void trigger();
  bool triggered() const noexcept { return triggered_; }

  auto operator co_await() noexcept {
    struct Awaiter {
      Event* ev;
      bool await_ready() const noexcept { return ev->triggered_; }
      void await_suspend(std::coroutine_handle<> h) { ev->waiters_.push_back(h); }
      void await_resume() const noexcept {}
    };
    return Awaiter{this};
  }

 private:
  Simulation* sim_;
  bool triggered_ = false;
  std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace sim
