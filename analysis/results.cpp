#include "analysis/results.hpp"

#include <stdexcept>

namespace scsim {

std::vector<double> totals(const std::vector<ReplicationResult>& reps, std::size_t scope, Metric m) {
  std::vector<double> xs;
  xs.reserve(reps.size());
  for (const auto& r : reps) xs.push_back(r.total(scope, m));
  return xs;
}

Results summarize(const Scenario& sc, const std::vector<ReplicationResult>& reps) {
  if (reps.empty()) throw std::invalid_argument("no replications to summarise");
  Results out;
  out.scopes = Scopes::build(sc);
  out.months = Months::build(sc);
  out.replications = reps.size();
  out.seed = sc.seed;
  const std::size_t S = out.scopes.size(), M = out.months.size();
  for (const auto& r : reps)
    if (r.scopes != S || r.months != M) throw std::invalid_argument("replications of different shapes");

  std::vector<double> xs(reps.size());
  out.summary.resize(S * kMetrics);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t m = 0; m < kMetrics; ++m) {
      for (std::size_t i = 0; i < reps.size(); ++i) xs[i] = reps[i].total(s, static_cast<Metric>(m));
      out.summary[s * kMetrics + m] = sim::estimate(xs);
    }
  out.monthly.resize(M * S * kMetrics);
  for (std::size_t k = 0; k < M * S * kMetrics; ++k) {
    for (std::size_t i = 0; i < reps.size(); ++i) xs[i] = reps[i].monthly[k];
    out.monthly[k] = sim::estimate(xs);
  }
  out.flows.assign(reps.front().flows.size(), 0.0);
  for (const auto& r : reps) {
    for (std::size_t e = 0; e < r.flows.size(); ++e) out.flows[e] += double(r.flows[e]);
    out.events_per_replication += double(r.events);
    out.lesc_utilization += r.lesc_utilization;
  }
  for (double& f : out.flows) f /= double(reps.size());
  out.events_per_replication /= double(reps.size());
  out.lesc_utilization /= double(reps.size());
  return out;
}

}  // namespace scsim
