// Result scopes and month boundaries of a replication, and the conservation check.
#include <algorithm>
#include <map>
#include <sstream>

#include "models/pipeline/journey.hpp"

namespace scsim {

// ------------------------------------------------------------------ scopes
Scopes Scopes::build(const Scenario& sc) {
  Scopes s;
  s.names.push_back("national");
  std::map<std::string, std::size_t> per_state;
  for (const auto& j : sc.jurisdictions) ++per_state[j.state];
  const bool national = sc.national.has_value();
  for (const auto& j : sc.jurisdictions) {
    s.of_jurisdiction.push_back(s.names.size());
    s.names.push_back(national ? j.state : j.id);
  }
  std::map<std::string, std::size_t> state_scope;
  for (const auto& j : sc.jurisdictions) {
    if (national || per_state[j.state] < 2) {
      s.of_state.push_back(std::string::npos);
      continue;
    }
    auto [it, added] = state_scope.try_emplace(j.state, s.names.size());
    if (added) s.names.push_back(j.state);
    s.of_state.push_back(it->second);
  }
  return s;
}

std::size_t Scopes::find(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  return std::string::npos;
}

// ------------------------------------------------------------------ months
Months Months::build(const Scenario& sc) {
  Months m;
  sim::Calendar cal(sc.start);
  m.horizon = sc.horizon();
  using namespace std::chrono;
  year_month ym{sc.start.year(), sc.start.month()};
  for (;;) {
    sim::Date first{ym.year(), ym.month(), day{1}};
    sim::Time t = std::max<sim::Time>(0, cal.to_time(first));
    if (t >= m.horizon) break;
    m.starts.push_back(t);
    m.labels.push_back(sim::format_date(first).substr(0, 7));
    ym += months{1};
  }
  // The day table: every month starts at a midnight (the first at the period's start).
  const bool at_midnight = std::all_of(m.starts.begin(), m.starts.end(), [](sim::Time s) { return s % sim::kDay == 0; });
  if (at_midnight && m.starts.size() <= 65535) {
    m.month_of_day.resize(static_cast<std::size_t>((m.horizon + sim::kDay - 1) / sim::kDay));
    for (std::size_t d = 0; d < m.month_of_day.size(); ++d)
      m.month_of_day[d] = static_cast<std::uint16_t>(m.search(sim::Time(d) * sim::kDay));
  }
  return m;
}

std::size_t Months::search(sim::Time t) const {
  auto it = std::upper_bound(starts.begin(), starts.end(), t);
  return it == starts.begin() ? 0 : static_cast<std::size_t>(it - starts.begin()) - 1;
}

double ReplicationResult::total(std::size_t scope, Metric m) const {
  double s = 0;
  for (std::size_t mo = 0; mo < months; ++mo) s += at(mo, scope, m);
  return s;
}

void check_conservation(const ReplicationResult& r, const Scopes& scopes) {
  for (std::size_t s = 0; s < r.scopes; ++s) {
    double booked = r.total(s, Metric::bookings);
    double ended = 0;
    for (std::size_t e = 0; e < kEndStates; ++e) ended += r.total(s, end_metric(static_cast<EndState>(e)));
    if (booked != ended) {
      std::ostringstream os;
      os << "conservation broken in scope '" << scopes.names[s] << "' (replication " << r.replication
         << "): " << booked << " bookings but " << ended << " end states";
      throw ConservationError(os.str());
    }
  }
}

}  // namespace scsim
