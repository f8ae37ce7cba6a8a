#pragma once
/// Future-event sets. The kernel orders events by (time, sequence number):
/// equal times run in the order they were scheduled (FIFO), never in pointer
/// or hash order. Every queue here satisfies the small `EventQueue` concept
/// (push, top, pop, empty, size) so another implementation can be swapped in
/// through `sim::DefaultEventQueue`; bench/queue_hold compares them.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace sim {

/// One scheduled event. `target` is an opaque word the Simulation interprets
/// (a coroutine frame address or a tagged callback slot).
struct EventEntry {
  Time time;
  std::uint64_t seq;
  std::uintptr_t target;
};

/// Strict (time, seq) order; seq is unique so no two entries compare equal.
inline bool earlier(const EventEntry& a, const EventEntry& b) noexcept {
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

template <class Q>
concept EventQueue = requires(Q q, const Q cq, EventEntry e) {
  { q.push(e) };
  { cq.top() } -> std::convertible_to<const EventEntry&>;
  { q.pop() };
  { cq.empty() } -> std::convertible_to<bool>;
  { cq.size() } -> std::convertible_to<std::size_t>;
};

/// Implicit d-ary min-heap. d = 4 halves the depth of a binary heap and keeps
/// the four children of a node within one or two cache lines, which is what
/// matters once the heap outgrows L2 (a national run has ~10^5–10^6 pending
/// events).
template <unsigned D>
class DaryHeap {
  static_assert(D >= 2);

 public:
  void reserve(std::size_t n) { heap_.reserve(n); }
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  const EventEntry& top() const noexcept { return heap_.front(); }

  void push(const EventEntry& e) {
    heap_.push_back(e);
    sift_up(heap_.size() - 1);
  }

  void pop() {
    EventEntry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
  }

 private:
  void sift_up(std::size_t i) {
    EventEntry e = heap_[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / D;
      if (!earlier(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // Floyd-style: move the hole from the root down along the smallest child,
  // placing `e` where it belongs.
  void sift_down(const EventEntry& e) {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      std::size_t first = i * D + 1;
      if (first >= n) break;
      std::size_t best = first;
      std::size_t last = first + D < n ? first + D : n;
      for (std::size_t c = first + 1; c < last; ++c)
        if (earlier(heap_[c], heap_[best])) best = c;
      if (!earlier(heap_[best], e)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }

  std::vector<EventEntry> heap_;
};

using BinaryHeapQueue = DaryHeap<2>;
using QuaternaryHeapQueue = DaryHeap<4>;

/// Pairing heap (amortised O(1) insert, O(log n) delete-min), kept for the
/// benchmark: nodes live in a pooled vector, so no allocation per event once
/// warmed up.
class PairingHeapQueue {
 public:
  bool empty() const noexcept { return root_ == kNil; }
  std::size_t size() const noexcept { return size_; }
  const EventEntry& top() const noexcept { return nodes_[root_].e; }
  void reserve(std::size_t n) { nodes_.reserve(n); }

  void push(const EventEntry& e) {
    std::uint32_t n = alloc(e);
    root_ = root_ == kNil ? n : meld(root_, n);
    ++size_;
  }

  void pop() {
    std::uint32_t old = root_;
    root_ = merge_pairs(nodes_[old].child);
    free_.push_back(old);
    --size_;
  }

 private:
  static constexpr std::uint32_t kNil = 0xffffffffu;
  struct Node {
    EventEntry e;
    std::uint32_t child = kNil, sibling = kNil;
  };

  std::uint32_t alloc(const EventEntry& e) {
    if (!free_.empty()) {
      std::uint32_t n = free_.back();
      free_.pop_back();
      nodes_[n] = Node{e, kNil, kNil};
      return n;
    }
    nodes_.push_back(Node{e, kNil, kNil});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::uint32_t meld(std::uint32_t a, std::uint32_t b) {
    if (earlier(nodes_[b].e, nodes_[a].e)) std::swap(a, b);
    nodes_[b].sibling = nodes_[a].child;
    nodes_[a].child = b;
    return a;
  }

  // Two-pass pairing, iteratively (no recursion on long sibling lists).
  std::uint32_t merge_pairs(std::uint32_t first) {
    if (first == kNil) return kNil;
    scratch_.clear();
    while (first != kNil) {
      std::uint32_t a = first, b = nodes_[a].sibling;
      if (b == kNil) {
        nodes_[a].sibling = kNil;
        scratch_.push_back(a);
        break;
      }
      first = nodes_[b].sibling;
      nodes_[a].sibling = nodes_[b].sibling = kNil;
      scratch_.push_back(meld(a, b));
    }
    std::uint32_t r = scratch_.back();
    for (std::size_t i = scratch_.size() - 1; i-- > 0;) r = meld(scratch_[i], r);
    return r;
  }

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_, scratch_;
  std::uint32_t root_ = kNil;
  std::size_t size_ = 0;
};

static_assert(EventQueue<BinaryHeapQueue>);
static_assert(EventQueue<QuaternaryHeapQueue>);
static_assert(EventQueue<PairingHeapQueue>);

/// The queue the Simulation uses; chosen by bench/queue_hold (see bench/README.md).
using DefaultEventQueue = QuaternaryHeapQueue;

}  // namespace sim
