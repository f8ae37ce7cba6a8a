#pragma once
/// Future-event sets. The kernel orders events by (time, sequence number):
/// equal times run in the order they were scheduled (FIFO), never in pointer
/// or hash order. Every queue here satisfies the small `EventQueue` concept
/// (push, top, pop, empty, size) so another implementation can be swapped in
/// through `sim::DefaultEventQueue`; bench/queue_hold compares them.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>
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

namespace detail {
__extension__ using u128 = unsigned __int128;
/// (time, seq) as one unsigned 128-bit number with the same order: the sign
/// bit of time is flipped so negative times sort first. Comparing two of these
/// is a cmp/sbb pair with no branch, where the two-field test
/// (a.time < b.time || (a.time == b.time && a.seq < b.seq)) costs a
/// hard-to-predict branch per comparison inside the heaps.
inline u128 order_key(const EventEntry& e) noexcept {
  return (u128(static_cast<std::uint64_t>(e.time) ^ (std::uint64_t{1} << 63)) << 64) | e.seq;
}
}  // namespace detail

/// Strict (time, seq) order; seq is unique so no two entries compare equal.
inline bool earlier(const EventEntry& a, const EventEntry& b) noexcept {
  return detail::order_key(a) < detail::order_key(b);
}

template <class Q>
concept EventQueue = requires(Q q, const Q cq, EventEntry e) {
  { q.push(e) };
  { cq.top() } -> std::convertible_to<const EventEntry&>;
  { q.pop() };
  { cq.empty() } -> std::convertible_to<bool>;
  { cq.size() } -> std::convertible_to<std::size_t>;
};

/// Optional: pop() followed by push(e) in one step (the Simulation uses it
/// when the event it is running schedules the next one, the common case).
template <class Q>
concept ReplaceTopQueue = EventQueue<Q> && requires(Q q, EventEntry e) {
  { q.replace_top(e) };
};

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
    const detail::u128 k = detail::order_key(e);
    while (i > 0) {
      std::size_t parent = (i - 1) / D;
      if (!(k < detail::order_key(h[parent]))) break;
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
    const detail::u128 k = detail::order_key(e);
    for (;;) {
      const std::size_t first = i * D + 1;
      std::size_t best = first;
      detail::u128 bk;
      if (first + D <= n) {  // a full family: branch-free minimum
        bk = detail::order_key(h[first]);
        for (unsigned c = 1; c < D; ++c) {
          const detail::u128 ck = detail::order_key(h[first + c]);
          const bool lt = ck < bk;
          best = lt ? first + c : best;
          bk = lt ? ck : bk;
        }
      } else {
        if (first >= n) break;
        bk = detail::order_key(h[first]);
        for (std::size_t c = first + 1; c < n; ++c) {
          const detail::u128 ck = detail::order_key(h[c]);
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

using BinaryHeapQueue = DaryHeap<2>;
using QuaternaryHeapQueue = DaryHeap<4>;
using OctonaryHeapQueue = DaryHeap<8>;

namespace detail {
/// A growable array of entries for the calendar's buckets. Unlike
/// std::vector::push_back (which GCC keeps out of line, so the entry goes
/// through memory and a store-forwarding stall on every append), append() is
/// inline and copies the entry straight from registers. Capacity is kept
/// when cleared, so a warmed-up calendar does not allocate.
class EntryList {
 public:
  EntryList() = default;
  EntryList(EntryList&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
  EntryList& operator=(EntryList&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
    return *this;
  }
  EntryList(const EntryList&) = delete;
  EntryList& operator=(const EntryList&) = delete;
  ~EntryList() { std::free(data_); }

  [[gnu::always_inline]] void append(const EventEntry e) {
    if (size_ == cap_) [[unlikely]]
      grow();
    data_[size_++] = e;
  }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  const EventEntry* begin() const noexcept { return data_; }
  const EventEntry* end() const noexcept { return data_ + size_; }
  EventEntry& operator[](std::size_t i) noexcept { return data_[i]; }
  void clear() noexcept { size_ = 0; }
  void truncate(std::size_t n) noexcept { size_ = n; }
  void release() noexcept {
    std::free(std::exchange(data_, nullptr));
    size_ = cap_ = 0;
  }

 private:
  [[gnu::noinline]] void grow() {
    const std::size_t cap = cap_ ? 2 * cap_ : 16;
    void* p = std::realloc(data_, cap * sizeof(EventEntry));
    if (!p) throw std::bad_alloc();
    data_ = static_cast<EventEntry*>(p);
    cap_ = cap;
  }
  EventEntry* data_ = nullptr;
  std::size_t size_ = 0, cap_ = 0;
};
static_assert(std::is_trivially_copyable_v<EventEntry>);
}  // namespace detail

/// Hook a CalendarQueue calls on every entry it moves into its near heap,
/// i.e. shortly before the entry comes up. The default does nothing.
struct NoPrefetch {
  static void on_load(const EventEntry&) noexcept {}
};

/// Hook for the Simulation's queue: an even target is a coroutine frame
/// address (see EventEntry), which the event will touch first thing when it
/// runs. Prefetching the frame when its entry enters the near heap, a few
/// dozen events ahead, hides most of that cache miss (the frames of ~10^5
/// suspended processes do not fit in any cache). Prefetches never fault.
struct PrefetchFrames {
  static void on_load(const EventEntry& e) noexcept {
    if (!(e.target & 1u)) {
      const char* p = reinterpret_cast<const char*>(e.target);
      __builtin_prefetch(p);
      __builtin_prefetch(p + 64);
    }
  }
};

/// A calendar queue in the manner of a two-level timing wheel, with a small
/// d-ary heap in front:
///
///  * near:   a heap of every entry whose time lies before the current fine
///            bucket boundary; top() and pop() only ever look here;
///  * fine:   kFine buckets of width 2^shift covering the current coarse slot;
///  * coarse: a ring of buckets of width kFine * 2^shift;
///  * far:    an unsorted overflow list for entries beyond the coarse ring.
///
/// A push is an append to one bucket (or a push onto the small near heap if
/// its time is already close); when the near heap runs dry the next non-empty
/// fine bucket is heapified into it, and when the fine level runs dry the
/// next coarse bucket is scattered over it. Each entry is thus moved a few
/// times through short, cache-resident lists instead of sifting through a
/// heap that spills out of L2, and the write positions stay few (hot).
///
/// Order is exactly (time, seq): buckets partition by time only and every
/// comparison happens in the near heap on the full key, so equal times stay
/// FIFO. An entry before the current boundary (even in the past) simply goes
/// to the near heap.
///
/// Self-tuning: below kToCalendar entries it is a plain heap. Above, the fine
/// width is estimated from the spread of the earliest entries and re-tuned
/// every kWindow bucket loads from the mean number of entries per loaded
/// bucket (a rebuild re-buckets everything, O(n), and happens only when that
/// mean is off by 4x or more from kTarget, or the population has changed
/// enough to resize the coarse ring). Empty coarse stretches are skipped by
/// jumping to the overflow's earliest bucket when the ring runs empty.
/// Memory is proportional to the peak number of pending entries.
template <class Hook = NoPrefetch>
class BasicCalendarQueue {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  const EventEntry& top() const noexcept { return near_.top(); }
  void reserve(std::size_t n) { near_.reserve(n < kToCalendar ? n : kToCalendar); }

  [[gnu::always_inline]] void push(const EventEntry e) {
    ++size_;
    if (heap_only_) {
      near_.push(e);
      if (near_.size() > kToCalendar) rebuild(initial_shift());
      return;
    }
    const std::uint64_t k = bucket_of(e.time);
    if (k < cur_) {
      near_.push(e);
      return;
    }
    place(e, k);
    if (near_.empty()) refill();
  }

  void pop() {
    near_.pop();
    if (--size_ != 0 && near_.empty()) refill();
  }

  [[gnu::always_inline]] void replace_top(const EventEntry e) {
    if (heap_only_) {
      near_.replace_top(e);
      return;
    }
    const std::uint64_t k = bucket_of(e.time);
    if (k < cur_) {
      near_.replace_top(e);
      return;
    }
    near_.pop();
    place(e, k);
    if (near_.empty()) refill();
  }

  /// Fine bucket width (log2, in time units) now in use; for tests and tuning.
  unsigned bucket_shift() const noexcept { return shift_; }
  bool heap_mode() const noexcept { return heap_only_; }

 private:
  static constexpr std::size_t kToCalendar = 8192;  // heap -> calendar above this many
  static constexpr std::size_t kToHeap = 2048;      // calendar -> heap below this many
  static constexpr std::size_t kTarget = 32;        // wanted entries per loaded fine bucket
  static constexpr std::uint64_t kWindow = 512;     // fine loads between re-tunings
  static constexpr unsigned kFineBits = 6;
  static constexpr std::uint64_t kFine = std::uint64_t{1} << kFineBits;
  static constexpr std::size_t kMinCoarse = 64, kMaxCoarse = 4096;
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  static constexpr std::uint64_t kLastCoarse = kNone >> kFineBits;

  // Order-preserving map of time >> shift onto unsigned fine-bucket numbers.
  std::uint64_t bucket_of(Time t) const noexcept {
    return static_cast<std::uint64_t>(t >> shift_) ^ (std::uint64_t{1} << 63);
  }

  // Precondition: k >= cur_.
  [[gnu::always_inline]] void place(const EventEntry e, std::uint64_t k) {
    const std::uint64_t kc = k >> kFineBits;
    if (kc == cc_) {
      fine_[k & (kFine - 1)].append(e);
    } else if (kc - cc_ < ncoarse_) {
      coarse_[kc & cmask_].append(e);
      ++coarse_count_;
    } else {
      far_.append(e);
      if (kc < far_min_) far_min_ = kc;
    }
  }

  // Moves overflow entries that now fall within the coarse ring into it.
  void spill_far() {
    std::uint64_t m = kNone;
    std::size_t j = 0;
    for (std::size_t i = 0; i < far_.size(); ++i) {
      const std::uint64_t kc = bucket_of(far_[i].time) >> kFineBits;
      if (kc - cc_ < ncoarse_) {
        coarse_[kc & cmask_].append(far_[i]);
        ++coarse_count_;
      } else {
        far_[j++] = far_[i];
        if (kc < m) m = kc;
      }
    }
    far_.truncate(j);
    far_min_ = m;
  }

  // Makes the next non-empty coarse bucket the fine level. Precondition: the
  // fine level is empty and some entry is in the coarse ring or far.
  void next_coarse() {
    ++cc_;
    for (;;) {
      if (coarse_count_ == 0) {
        cc_ = far_min_;
        spill_far();
      } else if (cc_ >= far_min_) {
        spill_far();
      }
      detail::EntryList& b = coarse_[cc_ & cmask_];
      if (!b.empty()) {
        coarse_count_ -= b.size();
        for (const EventEntry& e : b) fine_[bucket_of(e.time) & (kFine - 1)].append(e);
        b.clear();
        cur_ = cc_ << kFineBits;
        return;
      }
      ++cc_;
    }
  }

  // Precondition: near_ empty, size_ > 0, calendar mode.
  void refill() {
    for (;;) {
      while ((cur_ >> kFineBits) == cc_) {
        detail::EntryList& b = fine_[cur_ & (kFine - 1)];
        ++cur_;
        if (b.empty()) continue;
        near_.assign(b.begin(), b.end());
        for (const EventEntry& e : b) Hook::on_load(e);
        loaded_ += b.size();
        b.clear();
        if (++loads_ >= kWindow) retune();
        return;
      }
      if (cc_ == kLastCoarse) {  // no representable successor
        to_heap();
        return;
      }
      next_coarse();
    }
  }

  void retune() {
    const double avg = double(loaded_) / double(loads_);
    loads_ = loaded_ = 0;
    if (size_ < kToHeap) {
      to_heap();
      return;
    }
    int delta = 0;  // change of shift
    if (avg > 4.0 * kTarget && shift_ > 0) {
      delta = -static_cast<int>(std::log2(avg / kTarget) + 0.5);
      if (-delta > static_cast<int>(shift_)) delta = -static_cast<int>(shift_);
    } else if (avg < kTarget / 4.0) {
      delta = static_cast<int>(std::log2(kTarget / avg) + 0.5);
      if (shift_ + delta > 56) delta = 56 - static_cast<int>(shift_);
    }
    const std::size_t nc = coarse_for(size_);
    if (delta != 0 || nc > 2 * ncoarse_ || 4 * nc < ncoarse_) rebuild(static_cast<unsigned>(int(shift_) + delta));
  }

  static std::size_t coarse_for(std::size_t n) {
    std::size_t nc = kMinCoarse;
    while (nc < kMaxCoarse && nc * kFine * kTarget < n) nc *= 2;
    return nc;
  }

  // Width from the spread of the earliest entries: about kTarget of them per bucket.
  unsigned initial_shift() {
    scratch_.assign(near_.entries().begin(), near_.entries().end());
    const std::size_t k = std::min<std::size_t>(scratch_.size() - 1, 16 * kTarget);
    auto by_time = [](const EventEntry& a, const EventEntry& b) { return a.time < b.time; };
    std::nth_element(scratch_.begin(), scratch_.begin() + k, scratch_.end(), by_time);
    const Time tk = scratch_[k].time;
    const Time t0 = std::min_element(scratch_.begin(), scratch_.begin() + k + 1, by_time)->time;
    const double width = double(static_cast<std::uint64_t>(tk - t0)) * double(kTarget) / double(k);
    unsigned s = 0;
    while (s < 56 && double(std::uint64_t{2} << s) <= width) ++s;
    return s;
  }

  void collect() {
    scratch_.assign(near_.entries().begin(), near_.entries().end());
    near_.clear();
    for (auto& b : fine_) {
      scratch_.insert(scratch_.end(), b.begin(), b.end());
      b.clear();
    }
    for (auto& b : coarse_) {
      scratch_.insert(scratch_.end(), b.begin(), b.end());
      b.clear();
    }
    scratch_.insert(scratch_.end(), far_.begin(), far_.end());
    far_.clear();
    coarse_count_ = 0;
    far_min_ = kNone;
  }

  void to_heap() {
    collect();
    heap_only_ = true;
    near_.assign(scratch_.data(), scratch_.data() + scratch_.size());
    scratch_.clear();
    scratch_.shrink_to_fit();
    loads_ = loaded_ = 0;
  }

  void rebuild(unsigned shift) {
    collect();
    heap_only_ = false;
    shift_ = shift;
    ncoarse_ = coarse_for(size_);
    cmask_ = ncoarse_ - 1;
    coarse_.resize(ncoarse_);
    fine_.resize(kFine);
    Time tmin = scratch_.front().time;
    for (const EventEntry& e : scratch_) tmin = e.time < tmin ? e.time : tmin;
    cur_ = bucket_of(tmin);
    cc_ = cur_ >> kFineBits;
    for (const EventEntry& e : scratch_) place(e, bucket_of(e.time));
    scratch_.clear();
    loads_ = loaded_ = 0;
    refill();
  }

  DaryHeap<4> near_;
  std::vector<detail::EntryList> fine_, coarse_;
  detail::EntryList far_;
  std::vector<EventEntry> scratch_;
  std::size_t size_ = 0, coarse_count_ = 0;
  std::size_t ncoarse_ = 0, cmask_ = 0;
  std::uint64_t cur_ = 0;          // fine-bucket number of the next fine bucket to load
  std::uint64_t cc_ = 0;           // coarse-bucket number of the fine level
  std::uint64_t far_min_ = kNone;  // smallest coarse-bucket number in far_
  unsigned shift_ = 0;
  bool heap_only_ = true;
  std::uint64_t loads_ = 0, loaded_ = 0;
};

using CalendarQueue = BasicCalendarQueue<>;
using FramePrefetchCalendarQueue = BasicCalendarQueue<PrefetchFrames>;

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
static_assert(ReplaceTopQueue<QuaternaryHeapQueue>);
static_assert(ReplaceTopQueue<CalendarQueue>);

/// The queue the Simulation uses, chosen with bench/queue_hold and
/// bench/kernel_model (see bench/README.md): the calendar queue is 2.5x (10^5
/// pending) to 5x (10^6) faster per hold than the 4-ary heap and no slower
/// below, where it is a 4-ary heap; prefetching frames adds ~20% in the model.
using DefaultEventQueue = FramePrefetchCalendarQueue;

}  // namespace sim
