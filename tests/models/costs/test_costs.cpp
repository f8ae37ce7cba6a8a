// Costs (models/costs/): money is the day and detainer counts priced per
// jurisdiction at its inflated bed-day cost, summed into state and national
// scopes; budget periods are whole calendar or fiscal years; and the Los
// Angeles scenario reproduces Justice Strategies' figures from its inputs.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "models/costs/costs.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

// The pipeline counts days; the runner prices them (analysis/runner.cpp). These
// tests price one replication the same way.
ReplicationResult priced_replication(const Scenario& sc, std::size_t replication) {
  ReplicationResult r = run_replication(sc, replication);
  add_costs(sc, Scopes::build(sc), Months::build(sc), r);
  return r;
}

const std::string kFixtures = std::string(SCSIM_TEST_DIR) + "/fixtures/valid/";
const std::string kScenarios = std::string(SCSIM_TEST_DIR) + "/../scenarios/";

Scenario fixture(std::vector<std::string> overrides = {}) {
  return load_scenario(kFixtures + "costs_county.yaml", overrides);
}

sim::Date D(const char* s) { return sim::parse_date(s); }

bool same_day(sim::Date a, sim::Date b) { return std::chrono::sys_days{a} == std::chrono::sys_days{b}; }

/// A line of a budget statement by key.
const BudgetLine& line(const std::vector<BudgetLine>& lines, const std::string& key) {
  for (const auto& l : lines)
    if (l.key == key) return l;
  FAIL("no budget line " << key);
  throw;  // unreachable
}

}  // namespace

TEST_CASE("inflation compounds by whole years, both ways", "[costs]") {
  CHECK(inflate(100, 2011, 2011, 0.03) == 100);
  CHECK(inflate(100, 2011, 2013, 0.10) == Approx(121));
  CHECK(inflate(121, 2013, 2011, 0.10) == Approx(100));
  CHECK(inflate(100, 2011, 2012, -0.02) == Approx(98));
}

TEST_CASE("fiscal years are named after the calendar year they end in", "[costs]") {
  const Period july = Period::fiscal_year(2012, 7);
  CHECK(same_day(july.first_day(), D("2011-07-01")));
  CHECK(same_day(july.last_day(), D("2012-06-30")));
  CHECK(july.label() == "FY2012");
  CHECK(july.first_month() == "2011-07");
  CHECK(july.last_month() == "2012-06");
  const Period federal = Period::fiscal_year(2012, 10);
  CHECK(same_day(federal.first_day(), D("2011-10-01")));
  CHECK(same_day(federal.last_day(), D("2012-09-30")));
  const Period january = Period::fiscal_year(2012, 1);
  CHECK(same_day(january.first_day(), D("2012-01-01")));
  CHECK(same_day(january.last_day(), D("2012-12-31")));
  const Period cal = Period::calendar_year(2011);
  CHECK(cal.label() == "2011");
  CHECK(same_day(cal.last_day(), D("2011-12-31")));
}

TEST_CASE("a scenario covers the whole years inside its period and overlaps a few more", "[costs]") {
  const Scenario sc = fixture();  // 2010-07-01 to 2012-01-31, fiscal years from July
  std::vector<std::string> covered, overlapping;
  for (const auto& p : covered_periods(sc)) covered.push_back(p.label());
  for (const auto& p : overlapping_periods(sc)) overlapping.push_back(p.label());
  CHECK(covered == std::vector<std::string>{"2011", "FY2011"});
  CHECK(overlapping == std::vector<std::string>{"2010", "2011", "2012", "FY2011", "FY2012"});
  CHECK(covers(sc, Period::fiscal_year(2011, 7)));
  CHECK_FALSE(covers(sc, Period::fiscal_year(2012, 7)));
  const Months months = Months::build(sc);
  const auto fy11 = month_range(months, Period::fiscal_year(2011, 7));
  CHECK(fy11.second - fy11.first == 12);
  CHECK(months.labels[fy11.first] == "2010-07");
  const auto fy12 = month_range(months, Period::fiscal_year(2012, 7));
  CHECK(fy12.second - fy12.first == 7);  // 2011-07 .. 2012-01
  const auto fy10 = month_range(months, Period::fiscal_year(2010, 7));
  CHECK(fy10.first == fy10.second);
}

TEST_CASE("cost metrics price each jurisdiction's days at its own inflated bed-day cost", "[costs]") {
  const Scenario sc = fixture();
  const ReplicationResult r = priced_replication(sc, 0);
  const Scopes scopes = Scopes::build(sc);
  const Months months = Months::build(sc);
  const std::vector<int> years = month_years(months);
  REQUIRE(scopes.names == std::vector<std::string>{"national", "alpha_ca", "beta_ca", "gamma_tx", "CA"});
  const CostParams& c = sc.costs;
  double total_cost = 0;
  for (std::size_t mo = 0; mo < months.size(); ++mo) {
    std::array<double, std::size(kCostMetrics)> national{}, ca{};
    for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j) {
      const Jurisdiction& jur = sc.jurisdictions[j];
      const std::size_t s = scopes.of_jurisdiction[j];
      const double bed = jur.jail_cost_per_day * std::pow(1 + c.inflation, years[mo] - jur.jail_cost_year);
      const double staff = c.staff_cost_per_detainer * std::pow(1 + c.inflation, years[mo] - jur.jail_cost_year);
      const double diem = c.ice_per_diem * std::pow(1 + c.inflation, years[mo] - c.ice_per_diem_year);
      const double hold = r.at(mo, s, Metric::detainer_hold_days), extra = r.at(mo, s, Metric::extra_jail_days_detainer);
      const double gross = (hold + extra) * bed + r.at(mo, s, Metric::detainers_issued) * staff;
      const double scaap = r.at(mo, s, Metric::scaap_eligible_days) * bed * c.scaap_rate.value();
      const double expected[] = {hold + extra, hold * bed, extra * bed, r.at(mo, s, Metric::detainers_issued) * staff,
                                 gross, scaap, gross - scaap, r.at(mo, s, Metric::ice_detention_days) * diem};
      for (std::size_t k = 0; k < std::size(kCostMetrics); ++k) {
        INFO(metric_name(kCostMetrics[k]) << " " << scopes.names[s] << " " << months.labels[mo]);
        CHECK(r.at(mo, s, kCostMetrics[k]) == Approx(expected[k]).margin(1e-6));
        national[k] += expected[k];
        if (jur.state == "CA") ca[k] += expected[k];
      }
    }
    for (std::size_t k = 0; k < std::size(kCostMetrics); ++k) {
      CHECK(r.at(mo, 0, kCostMetrics[k]) == Approx(national[k]).margin(1e-6));
      CHECK(r.at(mo, scopes.find("CA"), kCostMetrics[k]) == Approx(ca[k]).margin(1e-6));
    }
    total_cost += r.at(mo, 0, Metric::detainer_cost_usd);
  }
  // The identities above hold trivially at zero: make sure there was something to price.
  CHECK(r.total(0, Metric::extra_jail_days_detainer) > 1000);
  CHECK(r.total(0, Metric::scaap_offset_usd) > 0);
  CHECK(r.total(0, Metric::staff_cost_usd) > 0);
  CHECK(total_cost > r.total(0, Metric::net_detainer_cost_usd));
  // Months of 2011 and 2012 are priced in their own year's dollars.
  const std::size_t jan11 = month_range(months, Period::calendar_year(2011)).first;
  const std::size_t jan12 = month_range(months, Period::calendar_year(2012)).first;
  const std::size_t gamma = scopes.find("gamma_tx");
  const double per_day_11 = r.at(jan11, gamma, Metric::extra_jail_cost_usd) / r.at(jan11, gamma, Metric::extra_jail_days_detainer);
  const double per_day_12 = r.at(jan12, gamma, Metric::extra_jail_cost_usd) / r.at(jan12, gamma, Metric::extra_jail_days_detainer);
  CHECK(per_day_11 == Approx(60 * 1.03 * 1.03));
  CHECK(per_day_12 == Approx(60 * 1.03 * 1.03 * 1.03));
}

TEST_CASE("prices change no count, and money scales with them exactly", "[costs]") {
  const Scenario cheap = fixture({"costs.staff_cost_per_detainer=0", "costs.inflation=0"});
  const Scenario dear = fixture({"costs.staff_cost_per_detainer=0", "costs.inflation=0",
                                 "jurisdictions[alpha_ca].jail_cost_per_day=200",
                                 "jurisdictions[beta_ca].jail_cost_per_day=160",
                                 "jurisdictions[gamma_tx].jail_cost_per_day=120", "costs.ice_per_diem=257.76"});
  const ReplicationResult a = priced_replication(cheap, 1), b = priced_replication(dear, 1);
  for (std::size_t k = 0; k < a.monthly.size(); ++k) {
    const auto m = static_cast<Metric>(k % kMetrics);
    if (is_money_metric(m))
      CHECK(b.monthly[k] == Approx(2 * a.monthly[k]).margin(1e-6));
    else
      REQUIRE(b.monthly[k] == a.monthly[k]);
  }
}

TEST_CASE("SCAAP offsets only the days of eligible people", "[costs]") {
  // Without undocumented people nobody is eligible: detainers cost the county, SCAAP pays nothing.
  const Scenario documented = fixture({"defaults.population.group_mix={us_born: 0.6, naturalized: 0.1, lpr: 0.2, "
                                       "other_lawful: 0.1, removable_known: 0, removable_unknown: 0}"});
  const ReplicationResult d = priced_replication(documented, 0);
  CHECK(d.total(0, Metric::detainer_cost_usd) > 0);
  CHECK(d.total(0, Metric::scaap_eligible_days) == 0);
  CHECK(d.total(0, Metric::scaap_offset_usd) == 0);
  CHECK(d.total(0, Metric::net_detainer_cost_usd) == Approx(d.total(0, Metric::detainer_cost_usd)));
  // With them, a higher rate reimburses proportionally more, and never more than the days cost.
  const ReplicationResult low = priced_replication(fixture({"costs.scaap_rate=0.2"}), 0);
  const ReplicationResult high = priced_replication(fixture({"costs.scaap_rate=0.6"}), 0);
  CHECK(low.total(0, Metric::scaap_offset_usd) > 0);
  CHECK(high.total(0, Metric::scaap_offset_usd) == Approx(3 * low.total(0, Metric::scaap_offset_usd)));
  CHECK(high.total(0, Metric::scaap_offset_usd) <
        0.6 * (high.total(0, Metric::hold_cost_usd) + high.total(0, Metric::extra_jail_cost_usd)));
}

TEST_CASE("without a fixed rate SCAAP follows its federal fiscal year's paid share of officer salaries", "[costs]") {
  // The schedule: officer salaries are half the bed-day cost; SCAAP paid 30 % of eligible costs in
  // FY2010 and 20 % from FY2011 (which starts in October 2010). A fixed scaap_rate would replace it.
  const Scenario sc = fixture({"costs.scaap_rate=~", "costs.scaap_salary_share=0.5",
                               "costs.scaap_paid_share={2010: 0.3, 2011: 0.2}"});
  REQUIRE_FALSE(sc.costs.scaap_rate.has_value());
  CHECK(sc.costs.scaap_rate_for(2009) == Approx(0.15));  // before the first year: the first year's share
  CHECK(sc.costs.scaap_rate_for(2010) == Approx(0.15));
  CHECK(sc.costs.scaap_rate_for(2012) == Approx(0.10));  // after the last: the last year's
  const ReplicationResult r = priced_replication(sc, 0);
  const Scopes scopes = Scopes::build(sc);
  const Months months = Months::build(sc);
  const std::vector<int> years = month_years(months);
  double eligible = 0;
  for (std::size_t mo = 0; mo < months.size(); ++mo)
    for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j) {
      const Jurisdiction& jur = sc.jurisdictions[j];
      const std::size_t s = scopes.of_jurisdiction[j];
      const double bed = jur.jail_cost_per_day * std::pow(1 + sc.costs.inflation, years[mo] - jur.jail_cost_year);
      const bool october_on = std::stoi(months.labels[mo].substr(5, 2)) >= 10;
      const double rate = 0.5 * ((years[mo] + (october_on ? 1 : 0)) <= 2010 ? 0.3 : 0.2);
      const double days = r.at(mo, s, Metric::scaap_eligible_days);
      eligible += days;
      INFO(months.labels[mo] << " " << jur.id);
      CHECK(r.at(mo, s, Metric::scaap_offset_usd) == Approx(days * bed * rate).margin(1e-6));
    }
  CHECK(eligible > 0);
  // A bad year in the schedule is refused with its path.
  try {
    fixture({"costs.scaap_rate=~", "costs.scaap_paid_share={FY11: 0.2}"});
    FAIL("accepted a year that is not a number");
  } catch (const ScenarioError& e) {
    CHECK(e.key_path == "costs.scaap_paid_share.FY11");
  }
  CHECK_THROWS_AS(fixture({"costs.scaap_paid_share={2011: 1.2}"}), ScenarioError);
}

TEST_CASE("a budget statement is the period's sums, with intervals over replications", "[costs][threads]") {
  const Scenario sc = fixture();
  const auto reps = run_scenario(sc, 3, 2);
  const Scopes scopes = Scopes::build(sc);
  const std::size_t alpha = scopes.find("alpha_ca");
  const Period fy = Period::fiscal_year(2011, 7);
  const auto lines = budget_statement(sc, reps, alpha, fy);
  const auto range = month_range(Months::build(sc), fy);
  double cost = 0;
  for (const auto& r : reps) cost += period_total(r, alpha, Metric::detainer_cost_usd, range);
  CHECK(line(lines, "detainer_cost_usd").value.mean == Approx(cost / 3));
  CHECK(line(lines, "detainer_cost_usd").value.ci95_low < line(lines, "detainer_cost_usd").value.mean);
  CHECK(line(lines, "net_detainer_cost_usd").value.mean ==
        Approx(line(lines, "detainer_cost_usd").value.mean - line(lines, "scaap_offset_usd").value.mean));
  CHECK(line(lines, "extra_jail_bed_days").value.mean ==
        Approx(line(lines, "detainer_hold_days").value.mean + line(lines, "extra_jail_days_detainer").value.mean));
  // FY2011 spans 2010 and 2011 dollars: Alpha's $100 of 2011 is $97.09 in 2010.
  CHECK(line(lines, "jail_cost_per_bed_day").value.mean == Approx((6 * 100 / 1.03 + 6 * 100) / 12));
  // The national statement is the sum of the jurisdictions'.
  double sum = 0;
  for (const char* j : {"alpha_ca", "beta_ca", "gamma_tx"})
    sum += line(budget_statement(sc, reps, scopes.find(j), fy), "net_detainer_cost_usd").value.mean;
  CHECK(line(budget_statement(sc, reps, 0, fy), "net_detainer_cost_usd").value.mean == Approx(sum));
}

TEST_CASE("Los Angeles County: 20.6 extra days per detainee (an input) and > $26 M a year (a check)", "[costs][la][threads]") {
  // scenarios/counties/los_angeles.yaml says which figure is which. Its jail paths were chosen so
  // that people held on detainers stay 20.6 days longer (Justice Strategies 2012): that is an
  // input the model must reproduce. Its bed-day price ($113, LA Times 2012) and its non-citizen
  // share (the national calibration's rule) owe nothing to Justice Strategies' "> $26 M a year",
  // so the cost is a check, and so is JFA's count of 19,725 releases to immigration (the
  // county checks, tests/analysis/test_county_checks.cpp). Calendar 2011.
  const Scenario la = load_scenario(kScenarios + "counties/los_angeles.yaml");
  const auto reps = run_scenario(la, 4, 2);
  const std::size_t scope = Scopes::build(la).find("los_angeles_ca");
  const auto lines = budget_statement(la, reps, scope, Period::calendar_year(2011));
  const double days = line(lines, "extra_days_per_detainer_honored").value.mean;
  const double dollars = line(lines, "detainer_cost_usd").value.mean;
  const double bed = jail_cost_per_day(la, la.jurisdictions.at(0), 2011);
  INFO("extra bed-days per detainer honoured " << days << ", county cost " << dollars << " at $" << bed);
  // The input: within 15 % of 20.6 days.
  CHECK(days == Approx(20.6).epsilon(0.15));
  // The check, "more than $26 M" read as the seed's kinds read it ([26 M, 29.9 M]): missed. The
  // model honours ≈ 9,700 detainers in 2011 where JFA counted 19,725 releases to immigration; at
  // $113 a bed-day its cost is ≈ $22 M, 16 % short. (At JFA's count it would be ≈ $45 M: the
  // published figures agree with each other only at Justice Strategies' implied ≈ $64 a day.)
  // Recorded as a miss of 5 to 30 %, so that a change of either direction shows here.
  CHECK(dollars < 26e6);
  CHECK(dollars > 0.70 * 26e6);
  CHECK(dollars == Approx(line(lines, "extra_jail_bed_days").value.mean * bed).epsilon(0.03));
}
