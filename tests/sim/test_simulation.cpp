// Kernel semantics the models rely on: deterministic ordering of equal-time
// events, cancellation, horizons, process lifetime and exceptions, one-shot
// events, and the Resource's queue discipline and statistics.
//
// Each case pins one documented promise of sim/simulation.hpp or
// sim/resource.hpp; outputs are compared with hand-worked expectations, so any
// change of tie-breaking, bookkeeping or teardown shows up here first.
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/random.hpp"
#include "sim/resource.hpp"
#include "sim/simulation.hpp"

namespace {

using Log = std::vector<std::string>;

sim::Process wait_then_log(sim::Simulation& s, sim::Duration d, Log& log, std::string tag) {
  co_await s.timeout(d);
  log.push_back(tag + "@" + std::to_string(s.now()));
}

sim::Process until_then_log(sim::Simulation& s, sim::Time t, Log& log, std::string tag) {
  co_await s.until(t);
  log.push_back(tag + "@" + std::to_string(s.now()));
}

}  // namespace

TEST_CASE("equal-time events run in scheduling order, callbacks and processes mixed", "[kernel]") {
  sim::Simulation s;
  Log log;
  auto cb = [&](std::string tag) {
    return [&log, &s, tag] { log.push_back(tag + "@" + std::to_string(s.now())); };
  };
  // Everything below lands on t = 5; the order of scheduling is the only key.
  s.schedule(5, cb("A"));
  s.start(wait_then_log(s, 5, log, "P1"));
  s.schedule(5, cb("B"));
  s.start(until_then_log(s, 5, log, "P2"));
  s.schedule(5, cb("C"));
  s.start(wait_then_log(s, 5, log, "P3"));
  // An earlier event scheduled last still runs first: time dominates order.
  s.schedule(4, cb("early"));
  s.run();
  CHECK(log == Log{"early@4", "A@5", "P1@5", "B@5", "P2@5", "C@5", "P3@5"});
  CHECK(s.now() == 5);
  CHECK(s.events_processed() == 7);
  CHECK(s.pending_events() == 0);
  CHECK(s.live_processes() == 0);
}

namespace {
struct Fired {
  sim::Time time;
  std::uint64_t order;  // position in scheduling order
};

sim::Process fire_after(sim::Simulation& s, sim::Duration d, std::uint64_t order, std::vector<Fired>& fired) {
  co_await s.timeout(d);
  fired.push_back({s.now(), order});
}
}  // namespace

TEST_CASE("(time, scheduling order) holds on a deep event queue", "[kernel]") {
  // Thousands of pending events with many ties, mixed callbacks and
  // processes, more scheduled while running and some cancelled: exercises the
  // heap below its first levels, which the small queueing models never reach.
  sim::Simulation s;
  sim::Stream rng(sim::derive_seed(1, 0, "deep-queue"));
  std::vector<Fired> fired;
  std::vector<sim::EventId> ids;
  std::uint64_t order = 0, cancelled = 0;
  auto schedule_some = [&](int n) {
    for (int i = 0; i < n; ++i) {
      const auto d = static_cast<sim::Duration>(rng.uniform_int(300));  // ties galore
      const std::uint64_t k = order++;
      if (rng.bernoulli(0.5))
        ids.push_back(s.schedule(d, [&fired, &s, k] { fired.push_back({s.now(), k}); }));
      else
        s.start(fire_after(s, d, k, fired));
    }
  };
  schedule_some(20'000);
  for (std::size_t i = 0; i < ids.size(); i += 7) cancelled += s.cancel(ids[i]) ? 1 : 0;
  // Each run_until drains a slice, then more events are added from the
  // current time, which all land at or after it.
  for (sim::Time t = 50; t <= 300; t += 50) {
    s.run_until(t);
    schedule_some(2'000);
  }
  s.run();
  REQUIRE(cancelled > 1000);
  CHECK(fired.size() == order - cancelled);
  CHECK(s.events_processed() == fired.size());
  bool sorted = true;
  for (std::size_t i = 1; i < fired.size(); ++i) {
    const Fired& a = fired[i - 1];
    const Fired& b = fired[i];
    if (!(a.time < b.time || (a.time == b.time && a.order < b.order))) sorted = false;
  }
  CHECK(sorted);
}

TEST_CASE("zero delays run after what is already scheduled for now", "[kernel]") {
  sim::Simulation s;
  Log log;
  s.schedule(10, [&] {
    // Scheduled while t = 10 is being processed: after the other t = 10 event.
    s.schedule(0, [&] { log.push_back("zero-delay"); });
    s.schedule(-3, [&] { log.push_back("negative-delay"); });  // clamped to now
    log.push_back("first");
  });
  s.schedule(10, [&] { log.push_back("second"); });
  s.run();
  CHECK(log == Log{"first", "second", "zero-delay", "negative-delay"});
  CHECK(s.now() == 10);
}

TEST_CASE("cancellation", "[kernel]") {
  sim::Simulation s;
  int ran_a = 0, ran_b = 0, ran_c = 0;

  SECTION("a cancelled callback never runs; cancel is true once, then false") {
    sim::EventId a = s.schedule(10, [&] { ++ran_a; });
    sim::EventId b = s.schedule(10, [&] { ++ran_b; });
    CHECK(s.cancel(a));
    CHECK_FALSE(s.cancel(a));
    s.run();
    CHECK(ran_a == 0);
    CHECK(ran_b == 1);
    CHECK(s.events_processed() == 1);  // the skipped entry is not an event
    CHECK_FALSE(s.cancel(b));          // already ran
    CHECK_FALSE(s.cancel(a));
  }

  SECTION("cancelling from inside an earlier event at the same time") {
    sim::EventId b;
    s.schedule(7, [&] {
      ++ran_a;
      CHECK(s.cancel(b));
    });
    b = s.schedule(7, [&] { ++ran_b; });
    s.run();
    CHECK(ran_a == 1);
    CHECK(ran_b == 0);
  }

  SECTION("a reused slot does not confuse an old EventId") {
    sim::EventId a = s.schedule(10, [&] { ++ran_a; });
    REQUIRE(s.cancel(a));
    s.run_until(10);  // pops a's dead entry, freeing its slot
    sim::EventId c = s.schedule(5, [&] { ++ran_c; });
    REQUIRE(c.slot == a.slot);  // the point of the test: the slot was reused
    CHECK_FALSE(s.cancel(a));   // stale handle: must not cancel c
    s.run();
    CHECK(ran_a == 0);
    CHECK(ran_c == 1);
    CHECK(s.now() == 15);

    // Same with a handle to an event that ran (not cancelled) before reuse.
    sim::EventId d = s.schedule(1, [&] { ++ran_b; });
    s.run();
    sim::EventId e = s.schedule(1, [&] { ++ran_c; });
    REQUIRE(e.slot == d.slot);
    CHECK_FALSE(s.cancel(d));
    s.run();
    CHECK(ran_b == 1);
    CHECK(ran_c == 2);
  }

  SECTION("invalid handles are rejected") {
    CHECK_FALSE(s.cancel(sim::EventId{}));
    CHECK_FALSE(s.cancel(sim::EventId{12345, 0}));
  }
}

TEST_CASE("run_until stops at the horizon and leaves later events pending", "[kernel]") {
  sim::Simulation s;
  std::vector<sim::Time> ran;
  for (sim::Time t : {10, 20, 30}) s.schedule(t, [&] { ran.push_back(s.now()); });

  s.run_until(20);  // inclusive: the event at exactly the horizon runs
  CHECK(ran == std::vector<sim::Time>{10, 20});
  CHECK(s.now() == 20);
  CHECK(s.pending_events() == 1);

  s.run_until(25);  // nothing in (20, 25]: the clock still advances
  CHECK(ran.size() == 2);
  CHECK(s.now() == 25);

  s.run();
  CHECK(ran == std::vector<sim::Time>{10, 20, 30});
  CHECK(s.now() == 30);  // run() does not jump to kTimeMax

  sim::Simulation empty;
  empty.run_until(100);
  CHECK(empty.now() == 100);
}

TEST_CASE("stop() ends the run after the current event", "[kernel]") {
  sim::Simulation s;
  int n = 0;
  s.schedule(1, [&] { ++n; });
  s.schedule(2, [&] {
    ++n;
    s.stop();
  });
  s.schedule(3, [&] { ++n; });
  s.run();
  CHECK(n == 2);
  CHECK(s.now() == 2);
  s.run();  // resumable
  CHECK(n == 3);
}

namespace {

/// Counts live instances; placed in a coroutine frame it tells whether the
/// frame's locals were destroyed.
struct LiveCounter {
  static inline int live = 0;
  LiveCounter() { ++live; }
  LiveCounter(const LiveCounter&) = delete;
  LiveCounter& operator=(const LiveCounter&) = delete;
  ~LiveCounter() { --live; }
};

sim::Process long_sleeper(sim::Simulation& s, sim::Duration d) {
  LiveCounter c;
  co_await s.timeout(d);
}

sim::Process event_waiter(sim::Event& ev) {
  LiveCounter c;
  co_await ev;
}

sim::Process resource_user(sim::Simulation& s, sim::Resource& r, sim::Duration hold) {
  LiveCounter c;
  co_await r.request();
  co_await s.timeout(hold);
  r.release();
}

}  // namespace

TEST_CASE("processes suspended at the end are destroyed with the Simulation", "[kernel]") {
  LiveCounter::live = 0;
  {
    sim::Simulation s;
    sim::Event never(s);
    sim::Resource desk(s, 1);
    for (int i = 0; i < 5; ++i) s.start(long_sleeper(s, 1000));
    s.start(long_sleeper(s, 10));  // finishes within the horizon
    for (int i = 0; i < 3; ++i) s.start(event_waiter(never));
    for (int i = 0; i < 4; ++i) s.start(resource_user(s, desk, 500));  // 1 holding, 3 queued
    CHECK(LiveCounter::live == 13);
    CHECK(s.live_processes() == 13);
    s.run_until(100);
    CHECK(LiveCounter::live == 12);
    CHECK(s.live_processes() == 12);
    // A process created but never started: ~Process frees the frame (its
    // body, and so its counter, never ran).
    { auto p = long_sleeper(s, 1); }
    CHECK(LiveCounter::live == 12);
  }
  CHECK(LiveCounter::live == 0);
}

namespace {
sim::Process thrower(sim::Simulation& s, sim::Duration d) {
  LiveCounter c;
  co_await s.timeout(d);
  throw std::runtime_error("boom at " + std::to_string(s.now()));
}

sim::Process throws_at_once() {
  throw std::invalid_argument("bad start");
  co_return;
}
}  // namespace

TEST_CASE("an exception inside a process propagates out of run()", "[kernel]") {
  LiveCounter::live = 0;
  {
    sim::Simulation s;
    int after = 0;
    s.start(thrower(s, 30));
    s.schedule(40, [&] { ++after; });
    CHECK_THROWS_WITH(s.run(), "boom at 30");
    CHECK(s.now() == 30);
    CHECK(after == 0);              // the run stopped at the failing event
    CHECK(LiveCounter::live == 0);  // the failed frame is gone
    CHECK(s.live_processes() == 0);
    s.run();  // the simulation remains usable
    CHECK(after == 1);

    // Before the first suspension the exception comes out of start().
    CHECK_THROWS_AS(s.start(throws_at_once()), std::invalid_argument);
    CHECK(s.live_processes() == 0);

    // From a callback, too.
    s.schedule(5, [] { throw std::logic_error("callback"); });
    CHECK_THROWS_AS(s.run(), std::logic_error);
  }
  CHECK(LiveCounter::live == 0);
}

namespace {
sim::Process wait_event(sim::Simulation& s, sim::Event& ev, Log& log, std::string tag) {
  log.push_back(tag + " waits@" + std::to_string(s.now()));
  co_await ev;
  log.push_back(tag + " wakes@" + std::to_string(s.now()));
}
}  // namespace

TEST_CASE("Event wakes every waiter in order; a triggered event does not suspend", "[kernel]") {
  sim::Simulation s;
  sim::Event ev(s);
  Log log;
  s.start(wait_event(s, ev, log, "a"));
  s.schedule(2, [&] { s.start(wait_event(s, ev, log, "b")); });
  s.start(wait_event(s, ev, log, "c"));
  s.schedule(5, [&] {
    log.push_back("trigger@5");
    ev.trigger();
    ev.trigger();  // idempotent: nobody wakes twice
  });
  s.schedule(5, [&] { log.push_back("same-time callback@5"); });
  s.run_until(6);
  CHECK(ev.triggered());
  // Waiters resume at the trigger time, after events already queued for it.
  CHECK(log == Log{"a waits@0", "c waits@0", "b waits@2", "trigger@5", "same-time callback@5", "a wakes@5",
                   "c wakes@5", "b wakes@5"});

  log.clear();
  const auto events_before = s.events_processed();
  s.start(wait_event(s, ev, log, "late"));
  // Both lines were written inside start(): no suspension, no event.
  CHECK(log == Log{"late waits@6", "late wakes@6"});
  CHECK(s.events_processed() == events_before);
  CHECK(s.pending_events() == 0);
  CHECK(s.live_processes() == 0);
}

namespace {
sim::Process hold(sim::Simulation& s, sim::Resource& r, sim::Duration d, int prio, Log& log, std::string tag) {
  co_await r.request(prio);
  log.push_back(tag + "@" + std::to_string(s.now()));
  co_await s.timeout(d);
  r.release();
}

sim::Process arrive_and_hold(sim::Simulation& s, sim::Resource& r, sim::Time at, sim::Duration d,
                             std::vector<sim::Duration>& waits) {
  co_await s.until(at);
  waits.push_back(co_await r.request());
  co_await s.timeout(d);
  r.release();
}
}  // namespace

TEST_CASE("Resource serves lower priority values first, FIFO within a priority", "[kernel]") {
  sim::Simulation s;
  sim::Resource r(s, 1, "desk");
  Log log;
  s.start(hold(s, r, 10, 0, log, "holder"));
  // Arrivals at t = 1..6 while the holder keeps the only unit until t = 10.
  struct Arrival {
    sim::Time at;
    int prio;
    const char* tag;
  };
  for (Arrival a : {Arrival{1, 5, "A"}, Arrival{2, 1, "B"}, Arrival{3, 5, "C"}, Arrival{4, 1, "D"},
                    Arrival{5, 3, "E"}, Arrival{6, 5, "F"}})
    s.schedule(a.at, [&, a] { s.start(hold(s, r, 1, a.prio, log, a.tag)); });
  s.run();
  CHECK(log == Log{"holder@0", "B@10", "D@11", "E@12", "A@13", "C@14", "F@15"});
  CHECK(r.in_use() == 0);
  CHECK(r.queue_length() == 0);
  CHECK(r.granted() == 7);
  CHECK(r.max_wait() == 12);  // A: 1 -> 13
}

TEST_CASE("Resource hands a released unit to the waiter, not to a same-time newcomer", "[kernel]") {
  sim::Simulation s;
  sim::Resource r(s, 1);
  Log log;
  s.start(hold(s, r, 5, 0, log, "first"));
  s.start(hold(s, r, 5, 0, log, "waiter"));
  // A request at t = 5, right after the release (first's timeout was
  // scheduled earlier) but before the waiter has resumed. The unit is already
  // the waiter's: the newcomer queues despite its better priority.
  s.schedule(5, [&] { s.start(hold(s, r, 5, -100, log, "newcomer")); });
  s.run();
  CHECK(log == Log{"first@0", "waiter@5", "newcomer@10"});
}

TEST_CASE("Resource statistics on a hand-computed scenario", "[kernel]") {
  // Capacity 2, horizon 20:
  //   job1 arrives 0, holds 10         -> busy [0,10)
  //   job2 arrives 0, holds 4          -> busy [0,4)
  //   job3 arrives 2, waits until 4, holds 6 -> busy [4,10), queued [2,4)
  //   job4 arrives 12, holds 3         -> busy [12,15)
  // Busy-unit area = 2*10 + 1*3 = 23 -> utilisation 23 / (2*20) = 0.575.
  // Queue area = 1*2 = 2 -> mean queue length 2/20 = 0.1.
  // Waits 0, 0, 2, 0 -> mean 0.5, max 2.
  sim::Simulation s;
  sim::Resource r(s, 2, "pair");
  std::vector<sim::Duration> waits;
  s.start(arrive_and_hold(s, r, 0, 10, waits));
  s.start(arrive_and_hold(s, r, 0, 4, waits));
  s.start(arrive_and_hold(s, r, 2, 6, waits));
  s.start(arrive_and_hold(s, r, 12, 3, waits));

  s.run_until(3);  // mid-wait: job3 queued, both units busy
  CHECK(r.in_use() == 2);
  CHECK(r.queue_length() == 1);
  CHECK(r.utilization() == Approx(1.0));
  CHECK(r.mean_queue_length() == Approx(1.0 / 3.0));

  s.run_until(20);
  CHECK(waits == std::vector<sim::Duration>{0, 0, 2, 0});
  CHECK(r.utilization() == Approx(0.575));
  CHECK(r.mean_queue_length() == Approx(0.1));
  CHECK(r.mean_wait() == Approx(0.5));
  CHECK(r.max_wait() == 2);
  CHECK(r.granted() == 4);
  CHECK(r.name() == "pair");
  CHECK(r.capacity() == 2);
}

TEST_CASE("Resource rejects misuse", "[kernel]") {
  sim::Simulation s;
  CHECK_THROWS_AS(sim::Resource(s, 0), std::invalid_argument);
  sim::Resource r(s, 3, "beds");
  CHECK_THROWS_AS(r.release(), std::logic_error);
  Log log;
  s.start(hold(s, r, 1, 0, log, "x"));
  s.run();
  CHECK(r.in_use() == 0);
  CHECK_THROWS_AS(r.release(), std::logic_error);  // one request, two releases
}
