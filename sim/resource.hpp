#pragma once
/// Capacity-limited servers (LESC analysts, jail beds, transport seats).
///
///     co_await analysts.request();          // FIFO
///     co_await analysts.request(priority);  // lower value served first, FIFO within a priority
///     ... work ...
///     analysts.release();
///
/// Release hands the unit straight to the next waiter, which resumes at the
/// current time. The resource keeps time-weighted integrals of busy units and
/// queue length, and the waiting times of granted requests.
#include <coroutine>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/simulation.hpp"

namespace sim {

class Resource {
 public:
  Resource(Simulation& sim, int capacity, std::string name = {});

  class Request {
   public:
    bool await_ready() noexcept {
      requested_ = res_->sim_->now();
      if (res_->in_use_ < res_->capacity_ && res_->waiting_.empty()) {
        res_->account();
        ++res_->in_use_;
        res_->grant(requested_);
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h);
    /// Returns the time spent waiting.
    Duration await_resume() const noexcept { return res_->sim_->now() - requested_; }

   private:
    friend class Resource;
    Request(Resource* r, int prio) : res_(r), priority_(prio) {}
    Resource* res_;
    int priority_;
    Time requested_ = 0;
  };

  Request request(int priority = 0) { return Request(this, priority); }
  /// Gives one unit back; throws std::logic_error if none is in use.
  void release() {
    if (in_use_ <= 0) [[unlikely]]
      release_error();
    account();
    if (waiting_.empty()) {
      --in_use_;
      return;
    }
    hand_over();
  }

  const std::string& name() const noexcept { return name_; }
  int capacity() const noexcept { return capacity_; }
  int in_use() const noexcept { return in_use_; }
  std::size_t queue_length() const noexcept { return waiting_.size(); }

  /// Time-average of in_use()/capacity() since creation, up to now.
  double utilization() const;
  /// Time-average number waiting since creation, up to now.
  double mean_queue_length() const;
  std::uint64_t granted() const noexcept { return granted_; }
  /// Mean wait of granted requests, in seconds.
  double mean_wait() const noexcept { return granted_ ? double(total_wait_) / double(granted_) : 0.0; }
  Duration max_wait() const noexcept { return max_wait_; }

 private:
  struct Waiter {
    int priority;
    std::uint64_t seq;
    std::coroutine_handle<> h;
    Time requested;
  };
  static bool before(const Waiter& a, const Waiter& b) noexcept {
    return a.priority < b.priority || (a.priority == b.priority && a.seq < b.seq);
  }
  // The request/release fast paths are inline (they run for every unit
  // granted); queueing and the statistics queries are in resource.cpp.
  // The areas are integers (unit-seconds): exact, and cheaper than the
  // int->double conversions on this path; they are converted when queried.
  void account() noexcept {
    const Time t = sim_->now();
    const Duration dt = t - last_change_;
    busy_area_ += dt * in_use_;
    queue_area_ += dt * static_cast<std::int64_t>(waiting_.size());
    last_change_ = t;
  }
  void grant(Time requested) noexcept {
    const Duration w = sim_->now() - requested;
    ++granted_;
    total_wait_ += w;
    max_wait_ = w > max_wait_ ? w : max_wait_;
  }
  [[noreturn]] void release_error() const;
  void hand_over();  // the unit goes straight to the first waiter

  Simulation* sim_;
  int capacity_;
  int in_use_ = 0;
  std::string name_;
  std::vector<Waiter> waiting_;  // binary heap ordered by `before`
  std::uint64_t next_seq_ = 0;
  Time created_;
  Time last_change_;
  std::int64_t busy_area_ = 0, queue_area_ = 0;  // integrals of in_use() and queue_length() dt
  std::uint64_t granted_ = 0;
  Duration total_wait_ = 0, max_wait_ = 0;
};

}  // namespace sim
