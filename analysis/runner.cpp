#include "analysis/runner.hpp"

#include <atomic>
#include <mutex>

#include "models/costs/costs.hpp"
#include "sim/cancel.hpp"
#include "sim/replication.hpp"

namespace scsim {

std::vector<ReplicationResult> run_scenario(const Scenario& sc, std::size_t replications, unsigned threads,
                                            const std::function<void(const RunProgress&)>& progress,
                                            std::size_t first, bool record_events) {
  std::mutex mu;
  RunProgress state;
  state.total = replications;
  state.horizon = sc.horizon();
  const Scopes scopes = Scopes::build(sc);
  const Months months = Months::build(sc);
  auto report = [&](auto&& update) {
    if (!progress) return;
    std::lock_guard lock(mu);
    update(state);
    progress(state);
  };
  // Ctrl-C reaches every replication: the worker threads watch the caller's flag.
  const std::atomic<bool>* cancel = sim::cancel_flag();
  return sim::run_replications(
      replications, threads,
      [&](std::size_t i) {
        sim::CancelScope scope(cancel);
        sim::throw_if_cancelled();
        RunOptions opt;
        opt.record_events = record_events;
        if (progress)
          opt.progress = [&](sim::Time now, sim::Time) {
            report([now](RunProgress& s) { s.simulated = std::max(s.simulated, now); });
          };
        ReplicationResult r = run_replication(sc, first + i, opt);
        add_costs(sc, scopes, months, r);  // money from the day counts: the pipeline never prices anything
        return r;
      },
      [&](std::size_t done, std::size_t) { report([done](RunProgress& s) { s.finished = done; }); });
}

}  // namespace scsim
