// The analytic chain's public face: results by scope, metric and day, and
// the entry points. The engine is in analytic_engine.* and analytic_stages.cpp.
#include "analysis/analytic.hpp"

#include <algorithm>
#include <stdexcept>

#include "analysis/analytic_engine.hpp"

namespace scsim {

bool AnalyticResult::supports(Metric m) { return chain::slot_of(m) >= 0; }

double AnalyticResult::daily(std::size_t scope, Metric m, std::size_t day) const {
  const int s = chain::slot_of(m);
  if (s < 0) throw std::invalid_argument("metric '" + metric_name(m) + "' has no analytic expectation");
  if (scope >= scopes.size() || day >= days) return 0.0;
  return series[(std::size_t(s) * scopes.size() + scope) * days + day];
}

double AnalyticResult::count(std::size_t scope, Metric m, sim::Date from, sim::Date to) const {
  const sim::Calendar cal(start);
  const long a = std::max<long>(0, cal.to_time(from) / sim::kDay);
  const long b = std::min<long>(long(days) - 1, cal.to_time(to) / sim::kDay);
  double v = 0;
  for (long d = a; d <= b; ++d) v += daily(scope, m, std::size_t(d));
  return v;
}

double AnalyticResult::cumulative(std::size_t scope, Metric m, sim::Date as_of) const {
  return count(scope, m, start, as_of);
}

AnalyticResult analyze(const Scenario& sc, const AnalyticOptions& opt, AnalyticCache* cache) {
  AnalyticCache local;
  chain::Engine e(sc, opt, (cache ? *cache : local).impl());
  return e.run();
}

std::vector<double> edge_probabilities(const Scenario& sc, std::string_view jurisdiction, sim::Date from,
                                       sim::Date to) {
  AnalyticOptions opt;
  opt.cohort_from = from;
  opt.cohort_until = to;
  if (!jurisdiction.empty()) opt.jurisdictions.emplace_back(jurisdiction);
  return analyze(sc, opt).edge_probability;
}

}  // namespace scsim
