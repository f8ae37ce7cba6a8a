#pragma once
/// Future-event sets. The kernel orders events by (time, sequence number):
/// equal times run in the order they were scheduled (FIFO), never in pointer
/// or hash order. A queue satisfies the small `EventQueue` concept (push, top,
/// pop, empty, size), so another implementation can be swapped in through
/// `sim::DefaultEventQueue` (sim/simulation.hpp). The default, a calendar queue
/// with a 4-ary heap in front, lives in sim/detail/; the alternatives that lost
/// to it (binary, 8-ary and pairing heaps) live in bench/, where
/// bench/queue_hold compares them all.
#include <concepts>
#include <cstddef>
#include <cstdint>

#include "sim/time.hpp"

namespace sim {

/// One scheduled event. `target` is an opaque word the Simulation interprets
/// (a coroutine frame address or a tagged callback slot; sim/detail/event_target.hpp).
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

}  // namespace sim
