#pragma once
/// What detainers cost: the county's extra jail beds and staff time, the
/// federal SCAAP offset, and ICE's detention bill (DOMAIN.md §5), per month and
/// scope, plus the calendar- and fiscal-year totals a budget is made of.
///
/// Money is computed after a replication from its day counts, not inside the
/// journeys: a cost parameter then never changes a random draw, so two
/// scenarios that differ only in prices have identical counts and a paired
/// difference of exactly the price effect.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/pipeline/journey.hpp"
#include "sim/stats.hpp"

namespace scsim {

/// The cost metrics this module fills (and only these).
inline constexpr Metric kCostMetrics[] = {
    Metric::extra_jail_bed_days, Metric::hold_cost_usd,     Metric::extra_jail_cost_usd,   Metric::staff_cost_usd,
    Metric::detainer_cost_usd,   Metric::scaap_offset_usd,  Metric::net_detainer_cost_usd, Metric::ice_detention_cost_usd};
bool is_money_metric(Metric m);

/// `amount` in dollars of `from_year` expressed in dollars of `to_year` at a
/// constant annual `rate` (negative rates deflate).
double inflate(double amount, int from_year, int to_year, double rate);
/// The federal fiscal year a month belongs to: October opens the next one (FFY2012 = Oct 2011 – Sep 2012).
inline int federal_fiscal_year(int year, unsigned month) { return year + (month >= 10 ? 1 : 0); }

/// The calendar year of each month of a scenario ("2011-07" -> 2011).
std::vector<int> month_years(const Months& months);

/// A jurisdiction's jail cost per bed-day in dollars of `year`.
double jail_cost_per_day(const Scenario& sc, const Jurisdiction& j, int year);

/// Fills the cost metrics of every month and scope of one replication from its
/// day and detainer counts. Each jurisdiction is priced at its own bed-day cost
/// in dollars of the month's year; state and national scopes are sums of their
/// jurisdictions. Staff cost per detainer is read in the same year's dollars as
/// the jurisdiction's bed-day cost (jail_cost_year): a county's budget figures
/// come from one year's books. Idempotent.
void add_costs(const Scenario& sc, const Scopes& scopes, const Months& months, ReplicationResult& r);

/// A budget period: a calendar year, or a fiscal year named, as US governments
/// do, after the calendar year it ends in (with a July start, FY2012 runs from
/// 2011-07-01 to 2012-06-30; with a January start it is calendar 2012).
struct Period {
  enum class Kind { calendar, fiscal };
  Kind kind = Kind::calendar;
  int year = 0;
  int start_month = 1;  // 1..12
  static Period calendar_year(int y) { return {Kind::calendar, y, 1}; }
  static Period fiscal_year(int fy, int start_month) { return {Kind::fiscal, fy, start_month}; }
  sim::Date first_day() const;
  sim::Date last_day() const;
  std::string label() const;        // "2011" or "FY2012"
  std::string first_month() const;  // "2011-07"
  std::string last_month() const;   // "2012-06"
};

/// True if the scenario simulates every day of the period.
bool covers(const Scenario& sc, const Period& p);
/// The calendar and fiscal years (fiscal start from the scenario's costs) the scenario covers entirely.
std::vector<Period> covered_periods(const Scenario& sc);
/// Every calendar and fiscal year that shares at least one day with the scenario period.
std::vector<Period> overlapping_periods(const Scenario& sc);
/// Indices [first, last) of the scenario months that fall in the period.
std::pair<std::size_t, std::size_t> month_range(const Months& months, const Period& p);
/// Sum of one metric over the months of a period in one replication.
double period_total(const ReplicationResult& r, std::size_t scope, Metric m, std::pair<std::size_t, std::size_t> months);

/// One line of a budget statement: a mean over replications and its 95% interval.
struct BudgetLine {
  std::string key;     // stable snake_case id (a metric name or a derived line)
  std::string label;   // what a budget officer reads
  std::string unit;    // "count", "bed-days", "USD", "USD per bed-day", "days"
  std::string section; // "county", "federal", "activity"
  sim::Estimate value;
};

/// The budget statement of one scope over one period: the activity that drives
/// cost (detainers, bed-days), the county's gross cost, the SCAAP offset and the
/// net, then the federal ICE detention side. `scope` as in Scopes.
std::vector<BudgetLine> budget_statement(const Scenario& sc, const std::vector<ReplicationResult>& reps,
                                         std::size_t scope, const Period& p);

}  // namespace scsim
