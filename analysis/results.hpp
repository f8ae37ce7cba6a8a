#pragma once
/// Results across replications: means and Student-t 95% intervals per scope,
/// metric and month, and mean flows per stage-graph edge. Pure functions of
/// the per-replication results, summed in replication order, so the numbers
/// do not depend on how replications were scheduled over threads.
#include <string>
#include <vector>

#include "models/pipeline/journey.hpp"
#include "sim/stats.hpp"

namespace scsim {

struct Results {
  Scopes scopes;
  Months months;
  std::size_t replications = 0;
  std::uint64_t seed = 0;
  std::vector<sim::Estimate> summary;   // [scope * kMetrics + metric]
  std::vector<sim::Estimate> monthly;   // [(month * scopes + scope) * kMetrics + metric]
  std::vector<double> flows;            // mean national count per topology edge
  double events_per_replication = 0;
  double lesc_utilization = 0;

  const sim::Estimate& at(std::size_t scope, Metric m) const {
    return summary[scope * kMetrics + static_cast<std::size_t>(m)];
  }
  const sim::Estimate& at(std::size_t month, std::size_t scope, Metric m) const {
    return monthly[(month * scopes.size() + scope) * kMetrics + static_cast<std::size_t>(m)];
  }
};

/// Summarises replications of one scenario.
Results summarize(const Scenario& sc, const std::vector<ReplicationResult>& reps);

/// Per-replication totals of one metric in one scope, in replication order.
std::vector<double> totals(const std::vector<ReplicationResult>& reps, std::size_t scope, Metric m);

}  // namespace scsim
