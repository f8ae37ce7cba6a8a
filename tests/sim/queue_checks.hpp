#pragma once
// Checks that a future-event set pops in strict (time, seq) order: equal
// times FIFO by sequence number. Each queue is compared with std::sort of the
// same entries, for random fills, for interleaved push/pop/replace_top (the
// way the Simulation drives it), with many ties, with negative and extreme
// times, and at sizes that make the calendar queue switch modes, re-tune its
// bucket width and use its overflow. Used for the kernel's queues
// (tests/sim/test_event_queue_impls.cpp) and for bench/'s (tests/bench/).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/random.hpp"

namespace queue_checks {

using sim::EventEntry;
using sim::Time;


inline bool by_key(const EventEntry& a, const EventEntry& b) {
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

// Pushes all entries, pops them all, and compares with the sorted entries.
template <class Q>
void check_fill_then_drain(std::vector<EventEntry> entries) {
  Q q;
  for (const auto& e : entries) q.push(e);
  REQUIRE(q.size() == entries.size());
  std::sort(entries.begin(), entries.end(), by_key);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    REQUIRE_FALSE(q.empty());
    const EventEntry& t = q.top();
    INFO("pop " << i << " of " << entries.size());
    REQUIRE(t.time == entries[i].time);
    REQUIRE(t.seq == entries[i].seq);
    REQUIRE(t.target == entries[i].target);
    q.pop();
  }
  REQUIRE(q.empty());
  REQUIRE(q.size() == 0);
}

// Random entries: `n` of them, times uniform in [lo, lo + span).
inline std::vector<EventEntry> random_entries(sim::Stream& rng, std::size_t n, Time lo, std::uint64_t span) {
  std::vector<EventEntry> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Time t = lo + static_cast<Time>(rng.uniform_int(span));
    v.push_back(EventEntry{t, i, static_cast<std::uintptr_t>(rng.uniform_int(1u << 30)) * 2});
  }
  // Pushed in random order (seq is not monotone in push order here).
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.uniform_int(i)]);
  return v;
}

// Drives the queue as a simulation does: pop the earliest (or replace it),
// push successors at time >= now (sometimes in the past), compare every pop
// with a reference ordered set.
template <class Q>
void check_interleaved(sim::Stream& rng, std::size_t initial, std::size_t steps, double mean_gap, bool ties) {
  Q q;
  std::set<std::pair<Time, std::uint64_t>> ref;
  std::uint64_t seq = 0;
  auto draw = [&](Time now) -> Time {
    double u = rng.uniform();
    if (u < 0.02) return now - static_cast<Time>(rng.uniform_int(100));  // into the past
    if (u < 0.10) return now;                                            // zero delay
    if (u < 0.13) return now + static_cast<Time>(rng.exponential(mean_gap * 1000.0));  // far
    Time d = static_cast<Time>(rng.exponential(mean_gap));
    return now + (ties ? d / 1000 : d);
  };
  auto push = [&](Time t) {
    EventEntry e{t, seq++, static_cast<std::uintptr_t>(seq * 2)};
    q.push(e);
    ref.emplace(e.time, e.seq);
  };
  for (std::size_t i = 0; i < initial; ++i) push(draw(0));
  Time now = 0;
  for (std::size_t i = 0; i < steps && !ref.empty(); ++i) {
    REQUIRE(q.size() == ref.size());
    const EventEntry top = q.top();
    const auto want = *ref.begin();
    INFO("step " << i);
    REQUIRE(top.time == want.first);
    REQUIRE(top.seq == want.second);
    ref.erase(ref.begin());
    now = std::max(now, top.time);
    const std::uint64_t r = rng.uniform_int(8);
    if constexpr (sim::ReplaceTopQueue<Q>) {
      if (r < 4) {  // replace_top: the next event of the same process
        EventEntry e{draw(now), seq++, top.target};
        q.replace_top(e);
        ref.emplace(e.time, e.seq);
        continue;
      }
    }
    q.pop();
    if (r < 6) push(draw(now));
    if (r == 6) {
      push(draw(now));
      push(draw(now));
    }
    // r == 7: the process ended, nothing scheduled
  }
  while (!ref.empty()) {
    REQUIRE(q.top().time == ref.begin()->first);
    REQUIRE(q.top().seq == ref.begin()->second);
    ref.erase(ref.begin());
    q.pop();
  }
  REQUIRE(q.empty());
}

/// Every check above, each in its own SECTION; call from a TEMPLATE_TEST_CASE.
template <class Q>
void check_queue_order() {
  sim::Stream rng(sim::derive_seed(42, 0, "queue-test"));

  SECTION("empty queue") {
    Q q;
    REQUIRE(q.empty());
    REQUIRE(q.size() == 0);
  }
  SECTION("small random fill") { check_fill_then_drain<Q>(random_entries(rng, 200, 0, 1000)); }
  SECTION("many ties: FIFO by seq") { check_fill_then_drain<Q>(random_entries(rng, 5000, 7, 3)); }
  SECTION("all at one time") { check_fill_then_drain<Q>(random_entries(rng, 20000, 0, 1)); }
  SECTION("large fill (calendar mode)") { check_fill_then_drain<Q>(random_entries(rng, 60000, 0, 1u << 30)); }
  SECTION("negative and extreme times") {
    auto v = random_entries(rng, 20000, -(Time{1} << 40), std::uint64_t{1} << 41);
    const Time extremes[] = {std::numeric_limits<Time>::max(), std::numeric_limits<Time>::max() - 1,
                             std::numeric_limits<Time>::min(), std::numeric_limits<Time>::min() + 1, 0, -1};
    std::uint64_t seq = v.size();
    for (Time t : extremes) v.push_back(EventEntry{t, seq++, 0});
    check_fill_then_drain<Q>(std::move(v));
  }
  SECTION("skewed: a dense front and a sparse far tail") {
    auto v = random_entries(rng, 30000, 0, 1000);
    auto far = random_entries(rng, 30000, 1 << 20, std::uint64_t{1} << 40);
    for (auto& e : far) e.seq += v.size();
    v.insert(v.end(), far.begin(), far.end());
    check_fill_then_drain<Q>(std::move(v));
  }
  SECTION("interleaved, small") { check_interleaved<Q>(rng, 100, 20000, 50.0, false); }
  SECTION("interleaved, large with ties") { check_interleaved<Q>(rng, 20000, 60000, 1e4, true); }
  SECTION("interleaved, grows then drains") { check_interleaved<Q>(rng, 30000, 200000, 1e6, false); }
}

}  // namespace queue_checks
