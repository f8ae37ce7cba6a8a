// `scsim demo`: a self-contained showcase of the kernel. It simulates a
// three-stage network of M/M/c queues, whose every stage has a closed-form
// steady state (Erlang C), and prints the simulated figures with confidence
// intervals beside the analytic ones, so a user can see at a glance both what
// the simulator does and that it does it correctly.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.hpp"
#include "sim/random.hpp"
#include "sim/replication.hpp"
#include "sim/resource.hpp"
#include "sim/simulation.hpp"
#include "sim/stats.hpp"

namespace scsim_app {
namespace {

struct DemoOptions {
  std::uint64_t seed = 1;         // master seed of the random streams
  std::size_t replications = 10;  // independent replications (>= 2 for a CI)
  unsigned threads = 0;           // 0 = hardware concurrency
  double days = 30;               // simulated length of each replication
};

// The network: Poisson arrivals pass through three M/M/c stations in series.
// A series of M/M/c stations fed by a Poisson stream is a Jackson network
// (Burke: each station's departures are again Poisson at the same rate), so
// each station behaves in steady state as an isolated M/M/c queue and Erlang C
// gives exact values to compare with. Loads of 0.75-0.83 make queues
// substantial without needing very long runs to settle.
constexpr double kArrivalsPerHour = 10.0;

struct StageSpec {
  const char* name;
  int servers;
  double mean_service_min;
};
constexpr std::array<StageSpec, 3> kStages{{
    {"intake", 4, 20.0},  // rho = 10/60 * 20 / 4 = 0.833
    {"check", 2, 9.0},    // rho = 0.75
    {"review", 3, 15.0},  // rho = 0.833
}};
constexpr std::size_t kNumStages = kStages.size();

// ------------------------------------------------------------- theory

/// Erlang C via the Erlang B recursion (no factorials or powers to overflow).
double erlang_c(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b / (1.0 - (a / c) * (1.0 - b));
}

struct StageTheory {
  double utilization, mean_queue, mean_wait_min, mean_sojourn_min;
};

StageTheory theory(const StageSpec& st) {
  const double lambda = kArrivalsPerHour / 60.0;  // per minute
  const double mu = 1.0 / st.mean_service_min;
  const double a = lambda / mu;
  const double wq = erlang_c(st.servers, a) / (st.servers * mu - lambda);
  return {a / st.servers, lambda * wq, wq, wq + st.mean_service_min};
}

// ---------------------------------------------------------- simulation

struct StageResult {
  double utilization = 0, mean_queue = 0, mean_wait_min = 0;
};
struct RepResult {
  std::array<StageResult, kNumStages> stages;
  double mean_sojourn_min = 0;
  std::uint64_t events = 0;
};

struct Stage {
  Stage(sim::Simulation& s, const StageSpec& sp, sim::Stream& stream)
      : spec(sp), resource(s, sp.servers, sp.name), service(&stream) {}
  const StageSpec& spec;
  sim::Resource resource;
  sim::Stream* service;
  sim::Tally wait_s;  // waits of jobs reaching the stage after the warm-up
};

struct Network {
  sim::Time warmup;
  std::deque<Stage> stages;  // deque: stable addresses for suspended requests
  sim::Tally sojourn_s;
};

sim::Duration exp_seconds(sim::Stream& s, double mean_s) {
  // Integer clock: round to the nearest second. With means of minutes the
  // rounding shifts a mean by far less than the confidence intervals shown.
  return static_cast<sim::Duration>(std::llround(s.exponential(mean_s)));
}

sim::Process job(sim::Simulation& s, Network& net) {
  const sim::Time arrived = s.now();
  for (Stage& st : net.stages) {
    const sim::Time reached = s.now();
    const sim::Duration waited = co_await st.resource.request();
    if (reached >= net.warmup) st.wait_s.add(static_cast<double>(waited));
    co_await s.timeout(exp_seconds(*st.service, st.spec.mean_service_min * 60.0));
    st.resource.release();
  }
  if (arrived >= net.warmup) net.sojourn_s.add(static_cast<double>(s.now() - arrived));
}

sim::Process source(sim::Simulation& s, Network& net, sim::Stream& arrivals) {
  const double mean_gap_s = 3600.0 / kArrivalsPerHour;
  for (;;) {
    co_await s.timeout(exp_seconds(arrivals, mean_gap_s));
    s.start(job(s, net));
  }
}

RepResult replicate(std::uint64_t seed, std::size_t rep, sim::Time warmup, sim::Time horizon) {
  // Named streams: each stage's service times are independent of the others
  // and of the arrivals, and stay the same if the network is changed elsewhere.
  sim::RandomStreams rs(seed, rep);
  sim::Simulation s;
  Network net{warmup, {}, {}};
  for (const StageSpec& sp : kStages) net.stages.emplace_back(s, sp, rs.get(std::string("service.") + sp.name));
  s.start(source(s, net, rs.get("arrivals")));

  // The Resource keeps averages since t = 0; differencing the areas at the
  // warm-up and at the horizon gives averages over the observation window.
  s.run_until(warmup);
  std::array<double, kNumStages> busy_area{}, queue_area{};
  const double w = static_cast<double>(warmup), t = static_cast<double>(horizon);
  for (std::size_t i = 0; i < kNumStages; ++i) {
    busy_area[i] = net.stages[i].resource.utilization() * w;
    queue_area[i] = net.stages[i].resource.mean_queue_length() * w;
  }
  s.run_until(horizon);

  RepResult out;
  for (std::size_t i = 0; i < kNumStages; ++i) {
    const Stage& st = net.stages[i];
    out.stages[i].utilization = (st.resource.utilization() * t - busy_area[i]) / (t - w);
    out.stages[i].mean_queue = (st.resource.mean_queue_length() * t - queue_area[i]) / (t - w);
    out.stages[i].mean_wait_min = st.wait_s.mean() / 60.0;
  }
  out.mean_sojourn_min = net.sojourn_s.mean() / 60.0;
  out.events = s.events_processed();
  return out;  // jobs still in the network are destroyed with `s`
}

template <class F>
sim::Estimate across(const std::vector<RepResult>& rs, F field) {
  std::vector<double> xs;
  xs.reserve(rs.size());
  for (const RepResult& r : rs) xs.push_back(field(r));
  return sim::estimate(xs);
}

/// "mean +- half-width", fixed width so the columns line up; the interval is
/// omitted with a single replication, where it is undefined.
void print_estimate(const sim::Estimate& e, int decimals) {
  char buf[64];
  if (e.n >= 2)
    std::snprintf(buf, sizeof buf, "%.*f +- %.*f", decimals, e.mean, decimals, e.half_width);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, e.mean);
  std::printf("  %-16s", buf);
}

/// Runs the demo and prints its report to stdout; returns a process exit
/// code (0 on success, 2 for invalid options, with a message on stderr).
int run_demo(const DemoOptions& opt) {
  if (opt.replications < 1) {
    std::fprintf(stderr, "scsim demo: need at least one replication\n");
    return 2;
  }
  if (!(opt.days > 0.0) || opt.days > 36500.0) {
    std::fprintf(stderr, "scsim demo: --days must be in (0, 36500]\n");
    return 2;
  }
  const auto horizon = static_cast<sim::Time>(std::llround(opt.days * sim::kDay));
  // Start empty and discard the first tenth: the queues here settle within
  // hours, so this removes the start-up bias at a small cost.
  const sim::Time warmup = horizon / 10;
  unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, opt.replications));

  const auto t0 = std::chrono::steady_clock::now();
  const auto results = sim::run_replications(opt.replications, threads, [&](std::size_t rep) {
    return replicate(opt.seed, rep, warmup, horizon);
  });
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t events = 0;
  for (const RepResult& r : results) events += r.events;

  std::printf("scsim demo: three M/M/c stations in series, Poisson arrivals %.1f/hour\n", kArrivalsPerHour);
  std::printf("%zu replication%s x %g days (first %.1f days discarded as warm-up), seed %llu, %u thread%s\n\n",
              opt.replications, opt.replications == 1 ? "" : "s", opt.days,
              static_cast<double>(warmup) / sim::kDay, static_cast<unsigned long long>(opt.seed), threads,
              threads == 1 ? "" : "s");
  std::printf("%-8s %2s %8s  %-16s %6s  %-16s %6s  %s\n", "", "", "service", "utilisation", "",
              "mean queue length", "", "mean wait (min)");
  std::printf("%-8s %2s %8s  %-16s %6s  %-16s %6s  %-16s %6s\n", "stage", "c", "(min)", "sim +- 95% CI", "M/M/c",
              "sim +- 95% CI", "M/M/c", "sim +- 95% CI", "M/M/c");
  double network_sojourn = 0;
  for (std::size_t i = 0; i < kNumStages; ++i) {
    const StageSpec& sp = kStages[i];
    const StageTheory th = theory(sp);
    network_sojourn += th.mean_sojourn_min;
    std::printf("%-8s %2d %8.1f", sp.name, sp.servers, sp.mean_service_min);
    print_estimate(across(results, [i](const RepResult& r) { return r.stages[i].utilization; }), 3);
    std::printf(" %6.3f", th.utilization);
    print_estimate(across(results, [i](const RepResult& r) { return r.stages[i].mean_queue; }), 2);
    std::printf(" %6.2f", th.mean_queue);
    print_estimate(across(results, [i](const RepResult& r) { return r.stages[i].mean_wait_min; }), 1);
    std::printf(" %6.1f\n", th.mean_wait_min);
  }
  std::printf("\ntime in system (min):");
  print_estimate(across(results, [](const RepResult& r) { return r.mean_sojourn_min; }), 1);
  std::printf(" Jackson network: %.1f\n", network_sojourn);
  std::printf("events: %llu in %.2f s wall = %.2f million events/s\n", static_cast<unsigned long long>(events),
              wall_s, wall_s > 0 ? static_cast<double>(events) / wall_s / 1e6 : 0.0);
  return 0;
}

void add_demo_command(CLI::App& app, Common&) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand("demo", "Kernel demo: a three-stage M/M/c network against Erlang C");
  cmd->add_option("-s,--seed", o->seed, "Master seed")->capture_default_str();
  cmd->add_option("-r,--replications", o->replications, "Replications")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--days", o->days, "Simulated days per replication")->capture_default_str();
  cmd->callback([o] {
    int rc = run_demo(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

const bool registered = register_command(90, &add_demo_command);

}  // namespace

}  // namespace scsim_app
