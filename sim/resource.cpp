#include "sim/resource.hpp"

#include <algorithm>

namespace sim {

Resource::Resource(Simulation& sim, int capacity, std::string name)
    : sim_(&sim), capacity_(capacity), name_(std::move(name)), created_(sim.now()), last_change_(sim.now()) {
  if (capacity < 1) throw std::invalid_argument("resource '" + name_ + "': capacity must be at least 1");
}

void Resource::account() noexcept {
  Time t = sim_->now();
  double dt = double(t - last_change_);
  busy_area_ += dt * in_use_;
  queue_area_ += dt * double(waiting_.size());
  last_change_ = t;
}

void Resource::grant(Time requested) noexcept {
  Duration w = sim_->now() - requested;
  ++granted_;
  total_wait_ += w;
  max_wait_ = std::max(max_wait_, w);
}

bool Resource::Request::await_ready() noexcept {
  requested_ = res_->sim_->now();
  if (res_->in_use_ < res_->capacity_ && res_->waiting_.empty()) {
    res_->account();
    ++res_->in_use_;
    res_->grant(requested_);
    return true;
  }
  return false;
}

void Resource::Request::await_suspend(std::coroutine_handle<> h) {
  res_->account();
  res_->waiting_.push_back(Waiter{priority_, res_->next_seq_++, h, requested_});
  // std::push_heap builds a max-heap; invert `before` for a min-heap.
  std::push_heap(res_->waiting_.begin(), res_->waiting_.end(),
                 [](const Waiter& a, const Waiter& b) { return before(b, a); });
}

void Resource::release() {
  if (in_use_ <= 0) throw std::logic_error("resource '" + name_ + "': release without a unit in use");
  account();
  if (waiting_.empty()) {
    --in_use_;
    return;
  }
  std::pop_heap(waiting_.begin(), waiting_.end(), [](const Waiter& a, const Waiter& b) { return before(b, a); });
  Waiter w = waiting_.back();
  waiting_.pop_back();
  grant(w.requested);  // the unit passes straight to the waiter
  sim_->resume_at(sim_->now(), w.h);
}

double Resource::utilization() const {
  Time t = sim_->now();
  double span = double(t - created_);
  if (span <= 0) return 0.0;
  double area = busy_area_ + double(t - last_change_) * in_use_;
  return area / (span * capacity_);
}

double Resource::mean_queue_length() const {
  Time t = sim_->now();
  double span = double(t - created_);
  if (span <= 0) return 0.0;
  return (queue_area_ + double(t - last_change_) * double(waiting_.size())) / span;
}

}  // namespace sim
