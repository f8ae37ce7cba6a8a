#include "sim/resource.hpp"

#include <algorithm>

namespace sim {

Resource::Resource(Simulation& sim, int capacity, std::string name)
    : sim_(&sim), capacity_(capacity), name_(std::move(name)), created_(sim.now()), last_change_(sim.now()) {
  if (capacity < 1) throw std::invalid_argument("resource '" + name_ + "': capacity must be at least 1");
}

void Resource::Request::await_suspend(std::coroutine_handle<> h) {
  res_->account();
  res_->waiting_.push_back(Waiter{priority_, res_->next_seq_++, h, requested_});
  // std::push_heap builds a max-heap; invert `before` for a min-heap.
  std::push_heap(res_->waiting_.begin(), res_->waiting_.end(),
                 [](const Waiter& a, const Waiter& b) { return before(b, a); });
}

void Resource::release_error() const {
  throw std::logic_error("resource '" + name_ + "': release without a unit in use");
}

void Resource::hand_over() {
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
  double area = double(busy_area_ + (t - last_change_) * in_use_);
  return area / (span * capacity_);
}

double Resource::mean_queue_length() const {
  Time t = sim_->now();
  double span = double(t - created_);
  if (span <= 0) return 0.0;
  return double(queue_area_ + (t - last_change_) * static_cast<std::int64_t>(waiting_.size())) / span;
}

}  // namespace sim
