/// The bench/ booking model in scsim's kernel, written the way a modeller
/// would: each booking is a sim::Process coroutine that reads like the
/// narrative, the three server pools are sim::Resource, and every kind of
/// draw comes from its own named stream. Time is int64 seconds; durations are
/// drawn in seconds and rounded to the nearest second (arrival instants are
/// accumulated exactly and rounded one by one, so they do not drift).
#include <array>
#include <cstdint>
#include <cstdio>

#include "bench/bench_common.hpp"
#include "sim/random.hpp"
#include "sim/resource.hpp"
#include "sim/simulation.hpp"

namespace {

using bench::secs;

struct Pipeline {
  explicit Pipeline(std::uint64_t seed)
      : rs(seed, 0),
        iafis(s, bench::kIafisServers, "iafis"),
        ident(s, bench::kIdentServers, "ident"),
        lesc(s, bench::kLescServers, "lesc") {}

  sim::Simulation s;
  sim::RandomStreams rs;
  sim::Resource iafis, ident, lesc;
  sim::Stream& arrivals = rs.get("arrivals");
  sim::Stream& iafis_service = rs.get("iafis.service");
  sim::Stream& ident_service = rs.get("ident.service");
  sim::Stream& ident_match = rs.get("ident.match");
  sim::Stream& lesc_service = rs.get("lesc.service");
  sim::Stream& lesc_level = rs.get("lesc.level");
  sim::Stream& lesc_detainer = rs.get("lesc.detainer");
  sim::Stream& jail_stay = rs.get("jail.stay");
  sim::Stream& detainer_hold = rs.get("detainer.hold");
  sim::Stream& ice_pickup = rs.get("ice.pickup");
  sim::Stream& ice_custody = rs.get("ice.custody");
  sim::Stream& ice_outcome = rs.get("ice.outcome");

  std::uint64_t booked = 0;
  std::array<std::uint64_t, bench::kEnds> ends{};
};

sim::Process booking(Pipeline& m) {
  sim::Simulation& s = m.s;

  co_await m.iafis.request();  // fingerprints compared against IAFIS
  co_await s.timeout(secs(m.iafis_service.exponential(bench::kIafisMean)));
  m.iafis.release();

  co_await m.ident.request();  // then against DHS's IDENT
  co_await s.timeout(secs(m.ident_service.exponential(bench::kIdentMean)));
  m.ident.release();

  if (!m.ident_match.bernoulli(bench::kMatchP)) {  // no match: jail stay, release
    co_await s.timeout(secs(m.jail_stay.exponential(bench::kJailMean)));
    ++m.ends[bench::kReleasedNoMatch];
    co_return;
  }

  co_await m.lesc.request();  // a match: an LESC analyst reviews it
  co_await s.timeout(secs(m.lesc_service.exponential(bench::kLescMean)));
  m.lesc.release();
  const int level = bench::level_of(m.lesc_level.uniform());
  const bool detainer = m.lesc_detainer.bernoulli(bench::kDetainerP[level]);

  co_await s.timeout(secs(m.jail_stay.exponential(bench::kJailMean)));
  if (!detainer) {
    ++m.ends[bench::kReleasedNoDetainer];
    co_return;
  }

  co_await s.timeout(secs(m.detainer_hold.uniform(0.0, bench::kHoldMax)));  // held for ICE
  if (!m.ice_pickup.bernoulli(bench::kPickupP)) {
    ++m.ends[bench::kReleasedNotPickedUp];
    co_return;
  }

  co_await s.timeout(secs(m.ice_custody.exponential(bench::kCustodyMean)));  // ICE custody
  ++m.ends[m.ice_outcome.bernoulli(bench::kRemovedP) ? bench::kRemoved : bench::kRelief];
}

sim::Process arrivals(Pipeline& m, std::uint64_t n) {
  double clock = 0.0;  // exact Poisson instants, rounded one by one
  for (std::uint64_t i = 0; i < n; ++i) {
    clock += m.arrivals.exponential(bench::kMeanInterarrival);
    co_await m.s.until(secs(clock));
    ++m.booked;
    m.s.start(booking(m));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Options opt = bench::parse(argc, argv);
  const double t0 = bench::now_s();
  std::uint64_t events = 0, booked = 0;
  std::array<std::uint64_t, bench::kEnds> ends{};
  {
    Pipeline m(opt.seed);
    m.s.start(arrivals(m, opt.bookings));
    m.s.run();  // the arrivals, then drain until no event is left
    events = m.s.events_processed();
    booked = m.booked;
    ends = m.ends;
    if (m.s.live_processes() != 0) {
      std::fprintf(stderr, "kernel_model: %zu processes still live after the drain\n", m.s.live_processes());
      return 1;
    }
  }
  const double wall = bench::now_s() - t0;
  return bench::report("scsim", opt.bookings, booked, events, wall, ends, opt.quiet);
}
