#pragma once
/// The implicit d-ary heap the calendar queue keeps in front of its buckets
/// (sim/detail/calendar_queue.hpp uses DaryHeap<4>). bench/ instantiates it
/// with other arities to compare them.
#include <cstddef>
#include <vector>

#include "sim/event_queue.hpp"

namespace sim::detail {

/// Implicit d-ary min-heap. d = 4 halves the depth of a binary heap and keeps
/// the four children of a node within one or two cache lines, which is what
/// matters once the heap outgrows L2 (a national run has ~10^5–10^6 pending
/// events). Keys are compared as 128-bit numbers and the smallest child of a
/// full family is found without branches.
template <unsigned D>
class DaryHeap {
  static_assert(D >= 2);

 public:
  void reserve(std::size_t n) { heap_.reserve(n); }
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  const EventEntry& top() const noexcept { return heap_.front(); }
  void clear() noexcept { heap_.clear(); }

  [[gnu::always_inline]] void push(const EventEntry e) {
    heap_.emplace_back();  // the hole; sift_up writes e where it belongs
    sift_up(heap_.size() - 1, e);
  }

  void pop() {
    EventEntry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0, last);
  }

  /// pop() then push(e), with a single sift from the root.
  [[gnu::always_inline]] void replace_top(const EventEntry e) { sift_down(0, e); }

  /// Replaces the contents with [first, last) and heapifies them (O(n)).
  void assign(const EventEntry* first, const EventEntry* last) {
    heap_.assign(first, last);
    const std::size_t n = heap_.size();
    if (n < 2) return;
    for (std::size_t i = (n - 2) / D + 1; i-- > 0;) sift_down(i, heap_[i]);
  }

  /// The entries in heap (not sorted) order.
  const std::vector<EventEntry>& entries() const noexcept { return heap_; }

 private:
  [[gnu::always_inline]] void sift_up(std::size_t i, const EventEntry e) {
    EventEntry* h = heap_.data();
    const u128 k = order_key(e);
    while (i > 0) {
      std::size_t parent = (i - 1) / D;
      if (!(k < order_key(h[parent]))) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  // Floyd-style: move the hole from node i down along the smallest child,
  // placing `e` where it belongs.
  [[gnu::always_inline]] void sift_down(std::size_t i, const EventEntry e) {
    const std::size_t n = heap_.size();
    EventEntry* h = heap_.data();
    const u128 k = order_key(e);
    for (;;) {
      const std::size_t first = i * D + 1;
      std::size_t best = first;
      u128 bk;
      if (first + D <= n) {  // a full family: branch-free minimum
        bk = order_key(h[first]);
        for (unsigned c = 1; c < D; ++c) {
          const u128 ck = order_key(h[first + c]);
          const bool lt = ck < bk;
          best = lt ? first + c : best;
          bk = lt ? ck : bk;
        }
      } else {
        if (first >= n) break;
        bk = order_key(h[first]);
        for (std::size_t c = first + 1; c < n; ++c) {
          const u128 ck = order_key(h[c]);
          if (ck < bk) best = c, bk = ck;
        }
      }
      if (!(bk < k)) break;
      h[i] = h[best];
      i = best;
    }
    h[i] = e;
  }

  std::vector<EventEntry> heap_;
};

static_assert(ReplaceTopQueue<DaryHeap<4>>);

}  // namespace sim::detail
