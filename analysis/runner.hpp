#pragma once
/// Runs a scenario's replications on threads and prices each one's day counts
/// (models/costs). Replication i is seeded from
/// (scenario.seed, i) only, so results are identical for any thread count;
/// the same per-index call can be spread over MPI ranks later.
#include <functional>
#include <vector>

#include "models/pipeline/journey.hpp"
#include "analysis/results.hpp"

namespace scsim {

struct RunProgress {
  std::size_t finished = 0, total = 0;  // replications
  sim::Time simulated = 0, horizon = 0; // furthest simulated time among running replications
};

/// Runs `replications` replications (first index `first`) on `threads` threads.
/// Every replication watches the calling thread's cancel flag (sim/cancel.hpp):
/// once it is set, the run throws sim::Cancelled within about a millisecond.
/// `record_events` fingerprints each kernel event sequence (RunOptions).
std::vector<ReplicationResult> run_scenario(const Scenario& sc, std::size_t replications, unsigned threads,
                                            const std::function<void(const RunProgress&)>& progress = {},
                                            std::size_t first = 0, bool record_events = false);

}  // namespace scsim
