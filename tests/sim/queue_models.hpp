#pragma once
// Small queueing models built from the kernel alone (Simulation, Resource,
// RandomStreams, stats), shared by test_queueing.cpp and test_replication.cpp,
// plus the closed-form results they are checked against.
//
// Time is integer seconds, so exponential draws are rounded to the nearest
// second. The theory tests use means of an hour or so: rounding then moves a
// mean by a negligible amount, and ties (an arrival in the same second as a
// departure, resolved by scheduling order rather than at random) affect about
// one customer in 4,000, well inside the intervals. With means of a few
// seconds both effects would bias P(wait) and Wq visibly.
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "sim/random.hpp"
#include "sim/resource.hpp"
#include "sim/simulation.hpp"
#include "sim/stats.hpp"

namespace scsim_test {

inline sim::Duration exp_seconds(sim::Stream& s, double mean) {
  return static_cast<sim::Duration>(std::llround(s.exponential(mean)));
}

// ------------------------------------------------------------ closed forms

/// Erlang C: probability that an arrival to an M/M/c queue with offered load
/// a = lambda/mu (< c) has to wait. Computed through the Erlang B recursion
/// B(k) = a B(k-1) / (k + a B(k-1)), which never forms a^c or c! and so is
/// stable for any c.
inline double erlang_c(int c, double a) {
  if (!(a > 0.0) || a >= c) throw std::invalid_argument("erlang_c: need 0 < a < c");
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  const double rho = a / c;
  return b / (1.0 - rho * (1.0 - b));
}

/// Steady-state M/M/c figures (rates per second).
struct MMcTheory {
  double rho;    // server utilisation lambda/(c mu)
  double p_wait; // Erlang C
  double wq;     // mean wait in queue, s: C/(c mu - lambda)
  double lq;     // mean number waiting: lambda Wq (Little)
  double l;      // mean number in system: Lq + lambda/mu
};

inline MMcTheory mmc_theory(int c, double lambda, double mu) {
  const double a = lambda / mu;
  MMcTheory t{};
  t.rho = a / c;
  t.p_wait = erlang_c(c, a);
  t.wq = t.p_wait / (c * mu - lambda);
  t.lq = lambda * t.wq;
  t.l = t.lq + a;
  return t;
}

// ------------------------------------------------------------------- M/M/c

struct MMcConfig {
  int servers = 1;
  double mean_interarrival = 750;  // s
  double mean_service = 600;       // s
  sim::Time warmup = 0;            // observations before this are discarded
  sim::Time horizon = 0;
};

/// Per-replication output, measured over [warmup, horizon].
struct MMcResult {
  double mean_wait = 0;    // s, customers arriving in the window and served by its end
  double p_wait = 0;       // fraction of those who waited at all
  double utilization = 0;  // time-average busy fraction of the servers
  double mean_queue = 0;   // time-average number waiting
  std::uint64_t served = 0;
  std::uint64_t events = 0;
};

namespace detail {

struct MMcObs {
  sim::Time warmup;
  sim::Tally wait;
  sim::Tally waited;  // 0/1 per customer
};

inline sim::Process mmc_customer(sim::Simulation& s, sim::Resource& r, sim::Duration service, MMcObs& obs) {
  const sim::Time arrived = s.now();
  const sim::Duration w = co_await r.request();
  if (arrived >= obs.warmup) {
    obs.wait.add(static_cast<double>(w));
    obs.waited.add(w > 0 ? 1.0 : 0.0);
  }
  co_await s.timeout(service);
  r.release();
}

inline sim::Process mmc_source(sim::Simulation& s, sim::Resource& r, sim::Stream& arrivals, sim::Stream& services,
                               const MMcConfig& cfg, MMcObs& obs) {
  for (;;) {
    co_await s.timeout(exp_seconds(arrivals, cfg.mean_interarrival));
    s.start(mmc_customer(s, r, exp_seconds(services, cfg.mean_service), obs));
  }
}

}  // namespace detail

/// One replication of an M/M/c queue, empty at t = 0. Utilisation and queue
/// length come from the Resource's own time-weighted accounting (which is thus
/// under test too): its averages since t = 0 taken at the warm-up and at the
/// horizon are differenced to give the average over the window.
inline MMcResult run_mmc(const MMcConfig& cfg, std::uint64_t seed, std::uint64_t replication) {
  sim::RandomStreams rs(seed, replication);
  sim::Simulation s;
  sim::Resource r(s, cfg.servers, "server");
  detail::MMcObs obs{cfg.warmup, {}, {}};
  s.start(detail::mmc_source(s, r, rs.get("arrivals"), rs.get("services"), cfg, obs));

  s.run_until(cfg.warmup);
  const double w = static_cast<double>(cfg.warmup);
  const double busy_w = r.utilization() * w, queue_w = r.mean_queue_length() * w;
  s.run_until(cfg.horizon);
  const double t = static_cast<double>(cfg.horizon);
  MMcResult out;
  out.mean_wait = obs.wait.mean();
  out.p_wait = obs.waited.mean();
  out.utilization = (r.utilization() * t - busy_w) / (t - w);
  out.mean_queue = (r.mean_queue_length() * t - queue_w) / (t - w);
  out.served = obs.wait.count();
  out.events = s.events_processed();
  return out;
}

}  // namespace scsim_test
