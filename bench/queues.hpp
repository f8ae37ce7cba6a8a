#pragma once
/// Future-event sets the kernel does not use, kept to be measured against its
/// default (sim::DefaultEventQueue, a calendar queue; sim/detail/) by
/// bench/queue_hold, and checked for (time, seq) order by tests/bench/.
/// The d-ary heaps are the kernel's own sim::detail::DaryHeap at other
/// arities (the calendar queue keeps a 4-ary one in front of its buckets).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/detail/dary_heap.hpp"
#include "sim/event_queue.hpp"

namespace bench {

using sim::EventEntry;

using BinaryHeapQueue = sim::detail::DaryHeap<2>;
using QuaternaryHeapQueue = sim::detail::DaryHeap<4>;
using OctonaryHeapQueue = sim::detail::DaryHeap<8>;

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
    if (sim::earlier(nodes_[b].e, nodes_[a].e)) std::swap(a, b);
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

static_assert(sim::EventQueue<BinaryHeapQueue>);
static_assert(sim::EventQueue<OctonaryHeapQueue>);
static_assert(sim::EventQueue<PairingHeapQueue>);

}  // namespace bench
