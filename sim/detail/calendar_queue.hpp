#pragma once
/// The kernel's default future-event set (sim::DefaultEventQueue): a calendar
/// queue with a small 4-ary heap in front. Hidden from models: they see only
/// sim::Simulation. bench/queue_hold and bench/kernel_model measure it against
/// the heaps in bench/ (see bench/README.md).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/detail/dary_heap.hpp"
#include "sim/detail/event_target.hpp"
#include "sim/event_queue.hpp"

namespace sim::detail {

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
    if (!is_slot_target(e.target)) {
      const char* p = static_cast<const char*>(target_frame(e.target));
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
      EntryList& b = coarse_[cc_ & cmask_];
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
        EntryList& b = fine_[cur_ & (kFine - 1)];
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
  std::vector<EntryList> fine_, coarse_;
  EntryList far_;
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

static_assert(ReplaceTopQueue<CalendarQueue>);
static_assert(ReplaceTopQueue<FramePrefetchCalendarQueue>);

}  // namespace sim::detail
