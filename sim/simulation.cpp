#include "sim/simulation.hpp"

#include <utility>
#include <vector>

#include "sim/cancel.hpp"

namespace sim {

// ------------------------------------------------------------------ process
void Process::promise_type::unhandled_exception() noexcept {
  if (sim && !sim->failure_) sim->failure_ = std::current_exception();
}

Process::promise_type::~promise_type() {
  if (sim) sim->unlink(*this);
}

// --------------------------------------------------------------- simulation
Simulation::Simulation() = default;

Simulation::~Simulation() {
  // Processes still suspended at the end of a run (people in the system at the
  // horizon) are destroyed here; their frames go back to the pool.
  tearing_down_ = true;
  if (live_count_ == 0) return;
  // Every pooled frame is a Process frame; those whose promise names this
  // Simulation are its suspended processes. The list is taken first, so the
  // destructions (which free frames) do not disturb the walk.
  std::pair<Simulation*, std::vector<void*>> mine{this, {}};
  detail::for_each_live_frame(
      [](void* frame, void* ctx) {
        auto* m = static_cast<std::pair<Simulation*, std::vector<void*>>*>(ctx);
        auto h = std::coroutine_handle<Process::promise_type>::from_address(frame);
        if (h.promise().sim == m->first) m->second.push_back(frame);
      },
      &mine);
  for (auto it = mine.second.rbegin(); it != mine.second.rend(); ++it)
    std::coroutine_handle<Process::promise_type>::from_address(*it).destroy();  // the promise's destructor unlinks it
}

void Simulation::start(Process p) {
  auto h = std::exchange(p.h_, {});
  link(h.promise());
  h.resume();
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

EventId Simulation::schedule(Duration delay, std::function<void()> fn) {
  const Time t = delay > 0 ? add_time(now_, delay, "Simulation::schedule") : now_;  // before any state changes
  std::uint32_t slot;
  if (free_slot_ != 0xffffffffu) {
    slot = free_slot_;
    free_slot_ = slots_[slot].next_free;
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  std::uint64_t seq = next_seq_++;
  slots_[slot].fn = std::move(fn);
  slots_[slot].seq = seq;
  enqueue(EventEntry{t, seq, detail::slot_target(slot)});
  return EventId{slot, seq};
}

bool Simulation::cancel(EventId id) noexcept {
  if (!id.valid() || id.slot >= slots_.size()) return false;
  Slot& s = slots_[id.slot];
  if (s.seq != id.seq || !s.fn) return false;
  s.fn = nullptr;  // the queue entry stays; it is skipped when it comes up
  return true;
}

void Simulation::run_callback(std::uint32_t slot) {
  std::function<void()> fn = std::move(slots_[slot].fn);
  slots_[slot].fn = nullptr;
  slots_[slot].seq = ~std::uint64_t{0};
  slots_[slot].next_free = free_slot_;
  free_slot_ = slot;
  if (fn) {
    ++events_;
    fn();
  }
}

void Simulation::run_until(Time end) {
  stop_ = false;
  const std::atomic<bool>* const cancel = detail::t_cancel;  // sim/cancel.hpp
  while (!queue_.empty()) {
    const EventEntry& e = queue_.top();
    if (e.time > end) break;
    now_ = e.time;
    const std::uintptr_t target = e.target;
    // The entry stays in the queue while its event runs; the first entry the
    // event schedules replaces it (see enqueue), otherwise it is popped after.
    if constexpr (ReplaceTopQueue<DefaultEventQueue>)
      top_spent_ = true;
    else
      queue_.pop();
    if (digest_) [[unlikely]]
      digest_->add(now_, target & 1u);
    try {
      if (detail::is_slot_target(target)) {
        run_callback(detail::target_slot(target));
      } else {
        ++events_;
        std::coroutine_handle<>::from_address(detail::target_frame(target)).resume();
      }
    } catch (...) {  // a callback threw: leave the queue consistent
      if (top_spent_) queue_.pop();
      top_spent_ = false;
      throw;
    }
    if (top_spent_) {
      top_spent_ = false;
      queue_.pop();
    }
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    if (stop_) return;
    if (cancel && events_ % kCancelPollEvents == 0 && cancel->load(std::memory_order_relaxed)) throw Cancelled();
  }
  if (end != kTimeMax && now_ < end) now_ = end;
}

// -------------------------------------------------------------------- event
void Event::trigger() {
  if (triggered_) return;
  triggered_ = true;
  for (auto h : waiters_) sim_->resume_at(sim_->now(), h);
  waiters_.clear();
  waiters_.shrink_to_fit();
}

}  // namespace sim
