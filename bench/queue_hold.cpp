/// The classic "hold model" benchmark of the future-event sets: the kernel's
/// (sim/detail/calendar_queue.hpp) and the ones it does not use
/// (bench/queues.hpp). Fill a queue with n events, then repeat "pop the
/// earliest, push it again at its time plus a random increment" and report
/// the cost per hold (one pop + one push), in ns, and the ratio to the
/// kernel's sim::DefaultEventQueue (> 1: slower than the default); then the
/// same holds done as replace_top() (what the Simulation does when an event
/// schedules a successor) for the queues that have it.
///
/// Increments are exponential (mean 10^6 ticks, so ties are rare but occur)
/// and pre-drawn into a table, so the RNG is not measured. Every queue sees
/// the same increments and must pop the same sequence; a checksum of the
/// popped (time, seq) pairs is compared across queues.
///
///     queue_hold [--sizes 1000,100000,1000000] [--holds N] [--quick]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "bench/bench_common.hpp"
#include "bench/queues.hpp"
#include "sim/detail/calendar_queue.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace {

struct Result {
  double ns_per_hold;          // pop() + push()
  double ns_per_replace;       // replace_top(), where the queue has it (else 0)
  std::uint64_t checksum;
};

// Targets point at one small real buffer, so a queue that prefetches its
// entries' targets (the kernel's) pays for the instructions, not for misses.
alignas(64) char g_target[128];

template <class Q>
Result hold(std::size_t n, std::size_t holds, const std::vector<sim::Time>& inc) {
  const std::size_t mask = inc.size() - 1;  // power of two
  const auto target = reinterpret_cast<std::uintptr_t>(g_target);
  std::size_t r = 0;
  std::uint64_t seq = 0;
  Q q;
  for (std::size_t i = 0; i < n; ++i) q.push(sim::EventEntry{inc[r++ & mask], seq++, target});
  // Warm up to the steady-state distribution before timing.
  for (std::size_t i = 0; i < n; ++i) {
    sim::EventEntry e = q.top();
    q.pop();
    q.push(sim::EventEntry{e.time + inc[r++ & mask], seq++, target});
  }
  std::uint64_t sum = 0;
  double t0 = bench::now_s();
  for (std::size_t i = 0; i < holds; ++i) {
    sim::EventEntry e = q.top();
    q.pop();
    sum = sum * 31 + static_cast<std::uint64_t>(e.time) + e.seq;
    q.push(sim::EventEntry{e.time + inc[r++ & mask], seq++, target});
  }
  const double pop_push = (bench::now_s() - t0) * 1e9 / double(holds);
  double replace = 0;
  if constexpr (sim::ReplaceTopQueue<Q>) {
    t0 = bench::now_s();
    for (std::size_t i = 0; i < holds; ++i) {
      sim::EventEntry e = q.top();
      sum = sum * 31 + static_cast<std::uint64_t>(e.time) + e.seq;
      q.replace_top(sim::EventEntry{e.time + inc[r++ & mask], seq++, target});
    }
    replace = (bench::now_s() - t0) * 1e9 / double(holds);
  } else {  // same pops as the others, so the checksums stay comparable
    for (std::size_t i = 0; i < holds; ++i) {
      sim::EventEntry e = q.top();
      q.pop();
      sum = sum * 31 + static_cast<std::uint64_t>(e.time) + e.seq;
      q.push(sim::EventEntry{e.time + inc[r++ & mask], seq++, target});
    }
  }
  return {pop_push, replace, sum};
}

struct Impl {
  const char* name;
  Result (*fn)(std::size_t, std::size_t, const std::vector<sim::Time>&);
  bool is_default;
};

template <class Q>
Impl impl(const char* name) {
  return Impl{name, &hold<Q>, std::is_same_v<Q, sim::DefaultEventQueue>};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {1000, 100000, 1000000};
  std::size_t holds = 0;  // 0: per size
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--holds" && i + 1 < argc) {
      holds = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      for (char* p = argv[++i]; *p;) {
        sizes.push_back(std::strtoull(p, &p, 10));
        if (*p == ',') ++p;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--sizes a,b,c] [--holds N] [--quick]\n", argv[0]);
      return 2;
    }
  }

  sim::Stream rng(sim::derive_seed(1, 0, "queue_hold"));
  std::vector<sim::Time> inc(1u << 20);
  for (auto& x : inc) x = static_cast<sim::Time>(rng.exponential(1e6));

  const std::vector<Impl> impls = {
      impl<bench::BinaryHeapQueue>("binary_heap"),
      impl<bench::QuaternaryHeapQueue>("quaternary_heap"),
      impl<bench::PairingHeapQueue>("pairing_heap"),
      impl<bench::OctonaryHeapQueue>("octonary_heap"),
      impl<sim::detail::CalendarQueue>("calendar"),
      impl<sim::detail::FramePrefetchCalendarQueue>("calendar_prefetch"),
  };

  std::printf("queue,size,holds,ns_per_hold,ratio_to_default,ns_per_replace_top\n");
  int rc = 0;
  for (std::size_t n : sizes) {
    const std::size_t h = holds ? holds : (quick ? 1'000'000 : std::max<std::size_t>(5'000'000, 2 * n));
    std::vector<Result> res;
    double def = 0;
    for (const Impl& im : impls) {
      res.push_back(im.fn(n, h, inc));
      if (im.is_default) def = res.back().ns_per_hold;
    }
    for (std::size_t i = 0; i < impls.size(); ++i) {
      if (res[i].checksum != res[0].checksum) {
        std::fprintf(stderr, "queue_hold: %s popped a different sequence than %s at n=%zu\n", impls[i].name,
                     impls[0].name, n);
        rc = 1;
      }
      std::printf("%s%s,%zu,%zu,%.1f,%.2f,", impls[i].name, impls[i].is_default ? "(default)" : "", n, h,
                  res[i].ns_per_hold, def > 0 ? res[i].ns_per_hold / def : 0.0);
      if (res[i].ns_per_replace > 0)
        std::printf("%.1f\n", res[i].ns_per_replace);
      else
        std::printf("-\n");
    }
  }
  return rc;
}
