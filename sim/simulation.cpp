#include "sim/simulation.hpp"

#include <array>
#include <cassert>
#include <memory>
#include <new>

namespace sim {

// ---------------------------------------------------------------- frame pool
namespace detail {
namespace {
constexpr std::size_t kGrain = 64;          // size classes of 64 bytes
constexpr std::size_t kClasses = 32;        // pooled up to 2 KiB
constexpr std::size_t kChunkBytes = 1 << 18;

struct FreeNode {
  FreeNode* next;
};

/// Free lists per size class, carved from large chunks. Memory is reused, not
/// returned, so a run's footprint is its peak number of live frames.
class FramePool {
 public:
  ~FramePool() {
    for (void* c : chunks_) ::operator delete(c);
  }
  void* alloc(std::size_t bytes) {
    std::size_t cls = (bytes + kGrain - 1) / kGrain;
    if (cls >= kClasses) return ::operator new(bytes);
    if (FreeNode* n = free_[cls]) {
      free_[cls] = n->next;
      return n;
    }
    std::size_t sz = cls * kGrain;
    if (cursor_ + sz > end_) {
      char* c = static_cast<char*>(::operator new(kChunkBytes));
      chunks_.push_back(c);
      cursor_ = c;
      end_ = c + kChunkBytes;
    }
    void* p = cursor_;
    cursor_ += sz;
    return p;
  }
  void free(void* p, std::size_t bytes) noexcept {
    std::size_t cls = (bytes + kGrain - 1) / kGrain;
    if (cls >= kClasses) {
      ::operator delete(p);
      return;
    }
    auto* n = static_cast<FreeNode*>(p);
    n->next = free_[cls];
    free_[cls] = n;
  }

 private:
  std::array<FreeNode*, kClasses> free_{};
  std::vector<void*> chunks_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
};

FramePool& pool() {
  thread_local FramePool p;
  return p;
}
}  // namespace

void* frame_alloc(std::size_t bytes) { return pool().alloc(bytes); }
void frame_free(void* p, std::size_t bytes) noexcept { pool().free(p, bytes); }
}  // namespace detail

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
  while (live_head_) {
    auto h = std::coroutine_handle<Process::promise_type>::from_promise(*live_head_);
    h.destroy();  // the promise's destructor unlinks it
  }
}

void Simulation::link(Process::promise_type& p) noexcept {
  p.sim = this;
  p.prev = nullptr;
  p.next = live_head_;
  if (live_head_) live_head_->prev = &p;
  live_head_ = &p;
  ++live_count_;
}

void Simulation::unlink(Process::promise_type& p) noexcept {
  if (p.prev)
    p.prev->next = p.next;
  else
    live_head_ = p.next;
  if (p.next) p.next->prev = p.prev;
  --live_count_;
}

void Simulation::start(Process p) {
  auto h = std::exchange(p.h_, {});
  link(h.promise());
  h.resume();
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

EventId Simulation::schedule(Duration delay, std::function<void()> fn) {
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
  queue_.push(EventEntry{delay > 0 ? now_ + delay : now_, seq,
                         (static_cast<std::uintptr_t>(slot) << 1) | 1u});
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
  while (!queue_.empty()) {
    const EventEntry& e = queue_.top();
    if (e.time > end) break;
    now_ = e.time;
    std::uintptr_t target = e.target;
    queue_.pop();
    if (target & 1u) {
      run_callback(static_cast<std::uint32_t>(target >> 1));
    } else {
      ++events_;
      std::coroutine_handle<>::from_address(reinterpret_cast<void*>(target)).resume();
    }
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    if (stop_) return;
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
