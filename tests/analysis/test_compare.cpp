// Paired comparisons (models/compare.*): which scenarios can be compared, the
// rows, and what common random numbers buy: the interval of a difference is
// far narrower than with independent seeds on the same two scenarios.
#include <catch2/catch.hpp>
#include <cmath>

#include "analysis/compare.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

const std::string kFixtures = std::string(SCSIM_TEST_DIR) + "/fixtures/valid/";

Scenario load(const char* name, std::vector<std::string> overrides = {}) {
  return load_scenario(kFixtures + name, overrides);
}

const ComparisonRow& row(const std::vector<ComparisonRow>& rows, const std::string& scope, Metric m) {
  for (const auto& r : rows)
    if (r.scope == scope && r.metric == metric_name(m)) return r;
  FAIL("no row " << scope << " " << metric_name(m));
  throw;  // unreachable
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const IncomparableError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("scenarios are comparable only over the same period and jurisdictions", "[compare]") {
  const Scenario base = load("costs_county.yaml");
  CHECK_NOTHROW(check_comparable(base, load("costs_county_trust.yaml"), "base", "trust"));

  const std::string period = message_of([&] { check_comparable(base, load("costs_other_period.yaml"), "base", "short"); });
  CHECK_THAT(period, Catch::Contains("different periods"));
  CHECK_THAT(period, Catch::Contains("2010-07-01 to 2011-06-30"));
  CHECK_THAT(period, Catch::Contains("2010-07-01 to 2012-01-31"));

  const std::string place = message_of([&] { check_comparable(base, load("costs_other_county.yaml"), "base", "other"); });
  CHECK_THAT(place, Catch::Contains("delta_ny"));
  CHECK_THAT(place, Catch::Contains("only in 'other'"));

  const std::string state =
      message_of([&] { check_comparable(base, load("costs_county.yaml", {"jurisdictions[gamma_tx].state=NM"}), "base", "moved"); });
  CHECK_THAT(state, Catch::Contains("gamma_tx"));
  CHECK_THAT(state, Catch::Contains("NM"));
}

TEST_CASE("a scenario compared with itself differs by exactly nothing", "[compare][threads]") {
  const Scenario sc = load("costs_county.yaml");
  const auto a = run_scenario(sc, 3, 2), b = run_scenario(sc, 3, 1);
  const auto rows = compare_runs(sc, a, sc, b, "same");
  REQUIRE(rows.size() == Scopes::build(sc).size() * kMetrics);
  for (const auto& r : rows) {
    INFO(r.scope << " " << r.metric);
    REQUIRE(r.diff.mean == 0);
    REQUIRE(r.diff.half_width == 0);
    REQUIRE(r.base_mean == r.alt_mean);
  }
}

TEST_CASE("comparison rows hold both means, the paired difference and the relative change", "[compare][threads]") {
  const Scenario base = load("costs_county.yaml"), alt = load("costs_county_trust.yaml");
  const auto rb = run_scenario(base, 4, 2), ra = run_scenario(alt, 4, 2);
  const auto rows = compare_runs(base, rb, alt, ra, "trust");
  const ComparisonRow& honored = row(rows, "alpha_ca", Metric::detainers_honored);
  CHECK(honored.alt == "trust");
  CHECK(honored.base_mean > 0);
  CHECK(honored.diff.mean == Approx(honored.alt_mean - honored.base_mean));
  CHECK(honored.rel_change == Approx(honored.diff.mean / honored.base_mean));
  // Honouring only Level 1 holds cuts California's holds and costs, certainly (the interval excludes 0) ...
  CHECK(honored.diff.ci95_high < 0);
  CHECK(row(rows, "CA", Metric::detainer_cost_usd).diff.ci95_high < 0);
  CHECK(row(rows, "alpha_ca", Metric::detainers_declined).diff.ci95_low > 0);
  // ... and leaves Texas, which the policy does not reach, exactly as it was.
  const ComparisonRow& tx = row(rows, "gamma_tx", Metric::detainer_cost_usd);
  CHECK(tx.base_mean > 0);
  CHECK(tx.diff.mean == 0);
  CHECK(tx.diff.half_width == 0);
  // Bookings do not depend on detainer policy: identical under common random numbers.
  CHECK(row(rows, "national", Metric::bookings).diff.half_width == 0);
  // An undefined relative change (baseline mean 0) is NaN, not a division by zero.
  CHECK(std::isnan(row(rows, "national", end_metric(EndState::released_not_shared)).rel_change));
}

TEST_CASE("common random numbers narrow the interval of a difference far below independent seeds", "[compare][crn]") {
  // The same two scenarios, the same replication count: once with the
  // baseline's seed for both (common random numbers), once with another seed
  // for the alternative. The intervals are both valid; their widths differ.
  // The alternative is an opt-out of one county of three for the last seven of
  // nineteen months: an effect small beside the variation of the whole, which
  // independent seeds add twice and common random numbers cancel.
  const Scenario base = load("costs_county.yaml"), alt = load("costs_county_optout.yaml");
  Scenario alt_independent = alt;
  alt_independent.seed = base.seed + 1000;
  constexpr std::size_t kReps = 10;
  const auto rb = run_scenario(base, kReps, 2);
  const auto crn = compare_runs(base, rb, alt, run_scenario(alt, kReps, 2), "crn");
  const auto ind = compare_runs(base, rb, alt_independent, run_scenario(alt_independent, kReps, 2), "independent");
  for (Metric m : {Metric::detainers_honored, Metric::ice_bookings, Metric::extra_jail_bed_days,
                   Metric::detainer_cost_usd, Metric::removals}) {
    const double w_crn = row(crn, "national", m).diff.half_width;
    const double w_ind = row(ind, "national", m).diff.half_width;
    const double ratio = w_crn / w_ind;
    INFO(metric_name(m) << ": CRN half-width " << w_crn << ", independent " << w_ind << ", ratio " << ratio);
    CHECK(w_ind > 0);
    CHECK(ratio < 0.5);
  }
}

TEST_CASE("replications that are not paired are refused", "[compare][threads]") {
  const Scenario sc = load("costs_county.yaml");
  const auto a = run_scenario(sc, 2, 2);
  const auto b = run_scenario(sc, 2, 2, {}, /*first=*/5);
  CHECK_THROWS_AS(compare_runs(sc, a, sc, b, "shifted"), std::invalid_argument);
  CHECK_THROWS_AS(compare_runs(sc, a, sc, run_scenario(sc, 3, 2), "longer"), std::invalid_argument);
}
