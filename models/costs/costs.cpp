#include "models/costs/costs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <stdexcept>

#include "models/scenario/parse.hpp"

namespace scsim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
std::size_t idx(Metric m) { return static_cast<std::size_t>(m); }

std::string month_label(int year, int month) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}
}  // namespace

bool is_money_metric(Metric m) {
  return m == Metric::hold_cost_usd || m == Metric::extra_jail_cost_usd || m == Metric::staff_cost_usd ||
         m == Metric::detainer_cost_usd || m == Metric::scaap_offset_usd || m == Metric::net_detainer_cost_usd ||
         m == Metric::ice_detention_cost_usd;
}

double inflate(double amount, int from_year, int to_year, double rate) {
  return amount * std::pow(1.0 + rate, to_year - from_year);
}

std::vector<int> month_years(const Months& months) {
  std::vector<int> years;
  years.reserve(months.size());
  for (const auto& l : months.labels) {
    const auto y = parse::to_integer(std::string_view(l).substr(0, 4));  // labels are "YYYY-MM"
    if (!y) throw std::logic_error("month label '" + l + "' does not start with a year");
    years.push_back(static_cast<int>(y.value));
  }
  return years;
}

double jail_cost_per_day(const Scenario& sc, const Jurisdiction& j, int year) {
  return inflate(j.jail_cost_per_day, j.jail_cost_year, year, sc.costs.inflation);
}

void add_costs(const Scenario& sc, const Scopes& scopes, const Months& months, ReplicationResult& r) {
  if (r.scopes != scopes.size() || r.months != months.size())
    throw std::invalid_argument("add_costs: replication shape does not match the scenario");
  const CostParams& c = sc.costs;
  const std::vector<int> years = month_years(months);
  std::vector<int> ffys(years.size());
  for (std::size_t mo = 0; mo < years.size(); ++mo) {
    const auto m = parse::to_integer(std::string_view(months.labels[mo]).substr(5, 2));  // labels are "YYYY-MM"
    ffys[mo] = federal_fiscal_year(years[mo], m ? static_cast<unsigned>(m.value) : 1);
  }
  auto cell = [&](std::size_t mo, std::size_t s, Metric m) -> double& {
    return r.monthly[(mo * r.scopes + s) * kMetrics + idx(m)];
  };
  for (std::size_t mo = 0; mo < r.months; ++mo)
    for (std::size_t s = 0; s < r.scopes; ++s)
      for (Metric m : kCostMetrics) cell(mo, s, m) = 0;

  for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j) {
    const Jurisdiction& jur = sc.jurisdictions[j];
    const std::size_t s = scopes.of_jurisdiction[j], st = scopes.of_state[j];
    for (std::size_t mo = 0; mo < r.months; ++mo) {
      const double bed = jail_cost_per_day(sc, jur, years[mo]);
      const double staff = inflate(c.staff_cost_per_detainer, jur.jail_cost_year, years[mo], c.inflation);
      const double per_diem = inflate(c.ice_per_diem, c.ice_per_diem_year, years[mo], c.inflation);
      const double hold = r.at(mo, s, Metric::detainer_hold_days);
      const double extra = r.at(mo, s, Metric::extra_jail_days_detainer);
      const double hold_cost = hold * bed, extra_cost = extra * bed;
      const double staff_cost = r.at(mo, s, Metric::detainers_issued) * staff;
      const double gross = hold_cost + extra_cost + staff_cost;
      // SCAAP pays a share of the bed-day cost of eligible people's detainer
      // days, by federal fiscal year. Its FY2012 rule (nothing for inmates of
      // "unknown" status) does not bite here: ICE's detainer means DHS knows their status.
      const double scaap = r.at(mo, s, Metric::scaap_eligible_days) * bed * c.scaap_rate_for(ffys[mo]);
      const double values[] = {hold + extra, hold_cost,     extra_cost,
                               staff_cost,   gross,         scaap,
                               gross - scaap, r.at(mo, s, Metric::ice_detention_days) * per_diem};
      for (std::size_t k = 0; k < std::size(kCostMetrics); ++k) {
        const Metric m = kCostMetrics[k];
        cell(mo, s, m) += values[k];
        if (s != 0) cell(mo, 0, m) += values[k];
        if (st != std::string::npos) cell(mo, st, m) += values[k];
      }
    }
  }
}

// ------------------------------------------------------------------ periods
sim::Date Period::first_day() const {
  using namespace std::chrono;
  if (kind == Kind::calendar || start_month == 1) return sim::Date{std::chrono::year{year}, January, day{1}};
  return sim::Date{std::chrono::year{year - 1}, month{unsigned(start_month)}, day{1}};
}

sim::Date Period::last_day() const {
  using namespace std::chrono;
  const sim::Date first = first_day();
  const year_month last_month_ym = year_month{first.year(), first.month()} + months{11};
  return sim::Date{year_month_day_last{last_month_ym.year(), month_day_last{last_month_ym.month()}}};
}

std::string Period::label() const { return (kind == Kind::fiscal ? "FY" : "") + std::to_string(year); }

std::string Period::first_month() const {
  const sim::Date d = first_day();
  return month_label(int(d.year()), int(unsigned(d.month())));
}

std::string Period::last_month() const {
  const sim::Date d = last_day();
  return month_label(int(d.year()), int(unsigned(d.month())));
}

bool covers(const Scenario& sc, const Period& p) {
  using std::chrono::sys_days;
  return sys_days{sc.start} <= sys_days{p.first_day()} && sys_days{p.last_day()} <= sys_days{sc.end};
}

std::vector<Period> covered_periods(const Scenario& sc) {
  std::vector<Period> out;
  const int y0 = int(sc.start.year()), y1 = int(sc.end.year());
  for (int y = y0; y <= y1; ++y)
    if (covers(sc, Period::calendar_year(y))) out.push_back(Period::calendar_year(y));
  for (int y = y0; y <= y1 + 1; ++y) {
    Period fy = Period::fiscal_year(y, sc.costs.fiscal_year_start_month);
    if (covers(sc, fy)) out.push_back(fy);
  }
  return out;
}

std::vector<Period> overlapping_periods(const Scenario& sc) {
  using std::chrono::sys_days;
  std::vector<Period> out;
  const int y0 = int(sc.start.year()), y1 = int(sc.end.year());
  auto overlaps = [&](const Period& p) {
    return sys_days{p.first_day()} <= sys_days{sc.end} && sys_days{sc.start} <= sys_days{p.last_day()};
  };
  for (int y = y0; y <= y1; ++y) out.push_back(Period::calendar_year(y));
  for (int y = y0; y <= y1 + 1; ++y) {
    Period fy = Period::fiscal_year(y, sc.costs.fiscal_year_start_month);
    if (overlaps(fy)) out.push_back(fy);
  }
  return out;
}

std::pair<std::size_t, std::size_t> month_range(const Months& months, const Period& p) {
  // Labels are zero-padded "YYYY-MM", so they order as strings.
  const std::string lo = p.first_month(), hi = p.last_month();
  std::size_t a = 0;
  while (a < months.size() && months.labels[a] < lo) ++a;
  std::size_t b = a;
  while (b < months.size() && months.labels[b] <= hi) ++b;
  return {a, b};
}

double period_total(const ReplicationResult& r, std::size_t scope, Metric m, std::pair<std::size_t, std::size_t> months) {
  double s = 0;
  for (std::size_t mo = months.first; mo < months.second; ++mo) s += r.at(mo, scope, m);
  return s;
}

// ------------------------------------------------------------------ budget
std::vector<BudgetLine> budget_statement(const Scenario& sc, const std::vector<ReplicationResult>& reps,
                                         std::size_t scope, const Period& p) {
  if (reps.empty()) throw std::invalid_argument("budget_statement: no replications");
  const Scopes scopes = Scopes::build(sc);
  const Months months = Months::build(sc);
  if (scope >= scopes.size()) throw std::out_of_range("budget_statement: no such scope");
  const auto range = month_range(months, p);
  const std::vector<int> years = month_years(months);

  auto per_rep = [&](auto&& f) {
    std::vector<double> xs;
    xs.reserve(reps.size());
    for (const auto& r : reps) xs.push_back(f(r));
    return xs;
  };
  auto metric = [&](Metric m) {
    return sim::estimate(per_rep([&](const ReplicationResult& r) { return period_total(r, scope, m, range); }));
  };
  auto ratio = [&](Metric num, Metric den) {
    bool defined = true;
    auto xs = per_rep([&](const ReplicationResult& r) {
      const double d = period_total(r, scope, den, range);
      if (d <= 0) defined = false;
      return d > 0 ? period_total(r, scope, num, range) / d : 0.0;
    });
    if (!defined) return sim::Estimate{kNaN, kNaN, kNaN, kNaN, kNaN, reps.size()};
    return sim::estimate(xs);
  };
  auto constant = [&](double v) { return sim::Estimate{v, 0, v, v, 0, reps.size()}; };

  // The price of a bed-day over the period: month by month, each jurisdiction
  // of the scope weighted by its booking volume (exact for one jurisdiction).
  double rate_sum = 0;
  std::size_t rate_months = 0;
  for (std::size_t mo = range.first; mo < range.second; ++mo) {
    double w = 0, v = 0;
    for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j) {
      const bool in_scope = scope == 0 || scopes.of_jurisdiction[j] == scope || scopes.of_state[j] == scope;
      if (!in_scope) continue;
      const double wj = std::max(sc.jurisdictions[j].bookings_per_day, 1e-9);
      w += wj;
      v += wj * jail_cost_per_day(sc, sc.jurisdictions[j], years[mo]);
    }
    if (w > 0) {
      rate_sum += v / w;
      ++rate_months;
    }
  }
  const double rate = rate_months ? rate_sum / double(rate_months) : kNaN;

  using M = Metric;
  std::vector<BudgetLine> out;
  auto line = [&](std::string key, std::string label, std::string unit, std::string section, sim::Estimate e) {
    out.push_back({std::move(key), std::move(label), std::move(unit), std::move(section), e});
  };
  line("detainers_issued", "detainers lodged with the jail", "count", "activity", metric(M::detainers_issued));
  line("detainers_honored", "detainers honoured (person held)", "count", "activity", metric(M::detainers_honored));
  line("detainer_hold_days", "detainer hold days (<= 48 business hours)", "bed-days", "activity",
       metric(M::detainer_hold_days));
  line("extra_jail_days_detainer", "extra criminal-custody days (bail and diversion lost)", "bed-days", "activity",
       metric(M::extra_jail_days_detainer));
  line("extra_jail_bed_days", "total extra jail bed-days", "bed-days", "activity", metric(M::extra_jail_bed_days));
  line("extra_days_per_detainer_honored", "extra bed-days per detainer honoured", "days", "activity",
       ratio(M::extra_jail_bed_days, M::detainers_honored));
  line("jail_cost_per_bed_day", "jail cost per bed-day (average over the period)", "USD per bed-day", "county",
       constant(rate));
  line("hold_cost_usd", "cost of hold days", "USD", "county", metric(M::hold_cost_usd));
  line("extra_jail_cost_usd", "cost of extra criminal-custody days", "USD", "county", metric(M::extra_jail_cost_usd));
  line("staff_cost_usd", "staff processing of detainers", "USD", "county", metric(M::staff_cost_usd));
  line("detainer_cost_usd", "gross cost of detainers to the county", "USD", "county", metric(M::detainer_cost_usd));
  line("scaap_offset_usd", "less SCAAP reimbursement", "USD", "county", metric(M::scaap_offset_usd));
  line("net_detainer_cost_usd", "net cost to the county", "USD", "county", metric(M::net_detainer_cost_usd));
  line("ice_bookings", "people transferred to ICE custody", "count", "federal", metric(M::ice_bookings));
  line("ice_detention_days", "ICE detention days", "bed-days", "federal", metric(M::ice_detention_days));
  line("ice_detention_cost_usd", "ICE detention cost (federal)", "USD", "federal", metric(M::ice_detention_cost_usd));
  return out;
}

}  // namespace scsim
