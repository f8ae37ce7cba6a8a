#pragma once
/// Runs a scenario's replications on threads. Replication i is seeded from
/// (scenario.seed, i) only, so results are identical for any thread count;
/// the same per-index call can be spread over MPI ranks later.
#include <functional>
#include <vector>

#include "models/pipeline.hpp"
#include "models/results.hpp"

namespace scsim {

struct RunProgress {
  std::size_t finished = 0, total = 0;  // replications
  sim::Time simulated = 0, horizon = 0; // furthest simulated time among running replications
};

/// Runs `replications` replications (first index `first`) on `threads` threads.
/// Every replication watches the calling thread's cancel flag (sim/cancel.hpp):
/// once it is set, the run throws sim::Cancelled within about a millisecond.
std::vector<ReplicationResult> run_scenario(const Scenario& sc, std::size_t replications, unsigned threads,
                                            const std::function<void(const RunProgress&)>& progress = {},
                                            std::size_t first = 0);

}  // namespace scsim
