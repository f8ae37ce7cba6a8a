#include "analysis/compare.hpp"

#include <cmath>
#include <limits>
#include <map>

namespace scsim {

void check_comparable(const Scenario& base, const Scenario& alt, const std::string& base_label,
                      const std::string& alt_label) {
  using std::chrono::sys_days;
  auto period = [](const Scenario& s) { return sim::format_date(s.start) + " to " + sim::format_date(s.end); };
  if (sys_days{base.start} != sys_days{alt.start} || sys_days{base.end} != sys_days{alt.end})
    throw IncomparableError("cannot compare '" + alt_label + "' with '" + base_label + "': different periods (" +
                            period(alt) + " vs " + period(base) + ")");
  if (base.national.has_value() != alt.national.has_value())
    throw IncomparableError("cannot compare '" + alt_label + "' with '" + base_label +
                            "': one is built from national data, the other lists jurisdictions");
  std::map<std::string, std::string> b, a;
  for (const auto& j : base.jurisdictions) b[j.id] = j.state;
  for (const auto& j : alt.jurisdictions) a[j.id] = j.state;
  for (const auto& [id, state] : a) {
    auto it = b.find(id);
    if (it == b.end())
      throw IncomparableError("cannot compare '" + alt_label + "' with '" + base_label + "': jurisdiction '" + id +
                              "' is only in '" + alt_label + "'");
    if (it->second != state)
      throw IncomparableError("cannot compare '" + alt_label + "' with '" + base_label + "': jurisdiction '" + id +
                              "' is in state " + state + " in one and " + it->second + " in the other");
  }
  for (const auto& [id, state] : b)
    if (!a.count(id))
      throw IncomparableError("cannot compare '" + alt_label + "' with '" + base_label + "': jurisdiction '" + id +
                              "' is only in '" + base_label + "'");
}

std::vector<ComparisonRow> compare_runs(const Scenario& base, const std::vector<ReplicationResult>& base_reps,
                                        const Scenario& alt, const std::vector<ReplicationResult>& alt_reps,
                                        const std::string& alt_label) {
  if (base_reps.empty() || base_reps.size() != alt_reps.size())
    throw std::invalid_argument("compare_runs: need the same, non-zero number of replications for both scenarios");
  for (std::size_t i = 0; i < base_reps.size(); ++i)
    if (base_reps[i].replication != alt_reps[i].replication)
      throw std::invalid_argument("compare_runs: replication " + std::to_string(i) +
                                  " is not paired (different replication indices)");
  const Scopes bs = Scopes::build(base), as = Scopes::build(alt);
  std::vector<ComparisonRow> rows;
  rows.reserve(bs.size() * kMetrics);
  std::vector<double> xb(base_reps.size()), xa(alt_reps.size());
  for (std::size_t s = 0; s < bs.size(); ++s) {
    const std::size_t sa = as.find(bs.names[s]);
    if (sa == std::string::npos)
      throw IncomparableError("scope '" + bs.names[s] + "' is missing from '" + alt_label + "'");
    for (std::size_t m = 0; m < kMetrics; ++m) {
      for (std::size_t i = 0; i < xb.size(); ++i) {
        xb[i] = base_reps[i].total(s, static_cast<Metric>(m));
        xa[i] = alt_reps[i].total(sa, static_cast<Metric>(m));
      }
      ComparisonRow row;
      row.scope = bs.names[s];
      row.metric = metric_name(m);
      row.alt = alt_label;
      row.base_mean = sim::estimate(xb).mean;
      row.alt_mean = sim::estimate(xa).mean;
      row.diff = sim::paired_difference(xa, xb);
      row.rel_change = row.base_mean != 0 ? row.diff.mean / row.base_mean : std::numeric_limits<double>::quiet_NaN();
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace scsim
