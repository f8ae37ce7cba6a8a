// The kernel's future-event sets (sim/detail/: the calendar queue, with and
// without frame prefetching, and the 4-ary heap in front of it) pop in strict
// (time, seq) order (tests/sim/queue_checks.hpp); the calendar queue re-tunes;
// the Simulation's replace-the-running-top bookkeeping holds. The queues the
// kernel does not use are checked the same way in tests/bench/.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "queue_checks.hpp"
#include "sim/detail/calendar_queue.hpp"
#include "sim/detail/dary_heap.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

using sim::EventEntry;
using sim::Time;

TEMPLATE_TEST_CASE("event queues pop in (time, seq) order like std::sort", "[queue]", sim::detail::DaryHeap<4>,
                   sim::detail::CalendarQueue, sim::detail::FramePrefetchCalendarQueue) {
  queue_checks::check_queue_order<TestType>();
}


TEST_CASE("calendar queue re-tunes its bucket width as density changes", "[queue]") {
  // Dense (width shrinks), then the same count spread 2^20 times wider
  // (width grows), with the order still checked on every pop.
  sim::Stream rng(sim::derive_seed(7, 0, "queue-retune"));
  sim::detail::CalendarQueue q;
  std::set<std::pair<Time, std::uint64_t>> ref;
  std::uint64_t seq = 0;
  Time now = 0;
  auto push = [&](Time t) {
    q.push(EventEntry{t, seq, 0});
    ref.emplace(t, seq++);
  };
  for (int i = 0; i < 50000; ++i) push(static_cast<Time>(rng.exponential(1e4)));
  REQUIRE_FALSE(q.heap_mode());
  for (int phase = 0; phase < 2; ++phase) {
    const double mean = phase == 0 ? 1e4 : 1e10;
    for (int i = 0; i < 300000; ++i) {
      REQUIRE(q.top().time == ref.begin()->first);
      REQUIRE(q.top().seq == ref.begin()->second);
      now = q.top().time;
      ref.erase(ref.begin());
      q.pop();
      push(now + static_cast<Time>(rng.exponential(mean)));
    }
  }
  const unsigned wide = q.bucket_shift();
  CHECK(wide > 20);
  while (!ref.empty()) {
    REQUIRE(q.top().seq == ref.begin()->second);
    ref.erase(ref.begin());
    q.pop();
  }
  REQUIRE(q.empty());
}

// The Simulation leaves the running event's entry at the top of the queue and
// lets the first entry the event schedules replace it (one sift instead of a
// pop and a push). These check the bookkeeping around that.

TEST_CASE("Simulation: the running event is not counted as pending, and a throw leaves the queue consistent",
          "[queue]") {
  sim::Simulation s;
  std::vector<int> order;
  std::size_t pending_inside = 99;
  s.schedule(1, [&] {
    pending_inside = s.pending_events();  // itself excluded; the two below included
    order.push_back(1);
  });
  s.schedule(2, [&] {
    order.push_back(2);
    throw std::runtime_error("boom");
  });
  s.schedule(3, [&] { order.push_back(3); });
  REQUIRE(s.pending_events() == 3);
  REQUIRE_THROWS_AS(s.run(), std::runtime_error);
  CHECK(pending_inside == 2);
  CHECK(s.pending_events() == 1);
  CHECK(s.now() == 2);
  s.run();
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(s.pending_events() == 0);
}

namespace {
sim::Process chain(sim::Simulation& s, std::vector<std::pair<sim::Time, int>>& log, int id, int hops) {
  for (int i = 0; i < hops; ++i) {
    log.emplace_back(s.now(), id);
    co_await s.timeout((id * 7 + i * 13) % 5);  // zero and short delays: many ties
  }
}
}  // namespace

TEST_CASE("Simulation: many processes through the calendar keep (time, FIFO) order", "[queue]") {
  // Enough pending events that the default (calendar) queue leaves heap mode.
  sim::Simulation s;
  std::vector<std::pair<sim::Time, int>> log;
  for (int id = 0; id < 20000; ++id) s.start(chain(s, log, id, 6));
  s.run();
  REQUIRE(log.size() == 20000u * 6u);
  // Time never goes backwards, and each process logged its hops in order.
  REQUIRE(std::is_sorted(log.begin(), log.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; }));
  CHECK(s.live_processes() == 0);
  CHECK(s.events_processed() == 20000u * 6u);
}
