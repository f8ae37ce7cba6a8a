// Parameter uncertainty (analysis/uncertainty.hpp, sampling.hpp, sensitivity.hpp):
// the designs' properties, the quantiles, the estimators on functions whose
// indices are known, and on the county fixture a cost linear in one parameter.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <set>

#include "analysis/sampling.hpp"
#include "analysis/sensitivity.hpp"
#include "analysis/compare.hpp"
#include "analysis/runner.hpp"
#include "analysis/uncertainty.hpp"
#include "models/costs/costs.hpp"
#include "models/scenario/loader.hpp"
#include "sim/random.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {
const fs::path kValid = fs::path(SCSIM_TEST_DIR) / "fixtures" / "valid";

UncertainParam dist_of(const std::string& yaml_item) {
  const Scenario sc = load_scenario_text(
      "period: {start: 2010-01-01, end: 2010-12-31}\n"
      "jurisdictions: [{id: a_county, state: CA, bookings_per_day: 100}]\n"
      "uncertain:\n  - " +
      yaml_item + "\n");
  REQUIRE(sc.uncertain.size() == 1);
  return sc.uncertain[0];
}
}  // namespace

TEST_CASE("a Latin hypercube holds exactly one point in each stratum of every dimension",
          "[uncertainty]") {
  const std::size_t n = 97, dims = 5;
  const auto u = sampling::unit_design(sampling::Sampler::lhs, n, dims, 42);
  REQUIRE(u.size() == n * dims);
  for (std::size_t d = 0; d < dims; ++d) {
    std::set<std::size_t> strata;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = u[i * dims + d];
      CHECK(x > 0);
      CHECK(x < 1);
      strata.insert(static_cast<std::size_t>(std::floor(x * double(n))));
    }
    CHECK(strata.size() == n);  // a permutation of the n strata
  }
  // The seed names the design; another seed, another permutation.
  CHECK(sampling::unit_design(sampling::Sampler::lhs, n, dims, 42) == u);
  CHECK(sampling::unit_design(sampling::Sampler::lhs, n, dims, 43) != u);
  // Columns are not all the same permutation.
  bool differ = false;
  for (std::size_t i = 0; i < n; ++i)
    differ =
        differ || std::floor(u[i * dims] * double(n)) != std::floor(u[i * dims + 1] * double(n));
  CHECK(differ);
}

TEST_CASE(
    "Sobol points are Boost's sequence without the origin with one point per stratum in every "
    "dimension",
    "[uncertainty]") {
  // Points 0..63 of a Sobol sequence fill each interval [k/64, (k+1)/64) of every dimension once;
  // the origin (point 0) is left out, so points 1..63 fill every interval but the first.
  const std::size_t n = 63, dims = 4;
  const auto u = sampling::unit_design(sampling::Sampler::sobol, n, dims, 1);
  CHECK(u[0] == 0.5);
  for (std::size_t d = 0; d < dims; ++d) {
    std::set<std::size_t> strata;
    for (std::size_t i = 0; i < n; ++i)
      strata.insert(static_cast<std::size_t>(std::floor(u[i * dims + d] * 64)));
    CHECK(strata.size() == n);
    CHECK(*strata.begin() == 1);
    CHECK(*strata.rbegin() == 63);
  }
  CHECK(sampling::unit_design(sampling::Sampler::sobol, n, dims, 2) ==
        u);  // the seed does not enter
}

TEST_CASE("quantiles follow each distribution and stay within its support", "[uncertainty]") {
  const auto uni =
      dist_of("{path: pipeline.pickup_probability, dist: uniform, min: 0.2, max: 0.6, source: s}");
  CHECK(sampling::quantile(uni, 0.25) == Approx(0.3));
  const auto tri = dist_of(
      "{path: costs.ice_per_diem, dist: triangular, min: 100, mode: 120, max: 200, source: s}");
  // F(mode) = (mode - min) / (max - min) = 0.2.
  CHECK(sampling::quantile(tri, 0.2) == Approx(120));
  const auto beta =
      dist_of("{path: pipeline.pickup_probability, dist: beta, alpha: 3, beta: 3, source: s}");
  CHECK(sampling::quantile(beta, 0.5) == Approx(0.5));
  const auto norm = dist_of(
      "{path: pipeline.pickup_probability, dist: normal, mean: 0.9, sd: 0.2, min: 0, max: 1, "
      "source: s}");
  const auto logn =
      dist_of("{path: costs.ice_per_diem, dist: lognormal, median: 120, sigma: 0.3, source: s}");
  CHECK(sampling::quantile(logn, 0.5) == Approx(120));
  const auto disc = dist_of(
      "{path: pipeline.lesc_analysts, dist: discrete, values: [10, 20, 30], probabilities: [0.5, "
      "0.25, 0.25], "
      "source: s}");
  CHECK(disc.integer);
  CHECK(sampling::quantile(disc, 0.49) == 10);
  CHECK(sampling::quantile(disc, 0.51) == 20);
  CHECK(sampling::quantile(disc, 0.99) == 30);
  // Monotone, and inside [0, 1] for the probabilities even at the extreme ends of (0, 1).
  for (const auto* d : {&uni, &beta, &norm}) {
    double last = -1;
    for (double p : {1e-300, 1e-12, 0.001, 0.3, 0.7, 0.999, 1 - 1e-16}) {
      const double x = sampling::quantile(*d, p);
      CHECK(x >= 0);
      CHECK(x <= 1);
      CHECK(x >= last);
      last = x;
    }
  }
  // Cut at 1, the normal's median falls below its mean; cut symmetrically, it stays.
  CHECK(sampling::quantile(norm, 0.5) < 0.9);
  const auto sym = dist_of(
      "{path: pipeline.pickup_probability, dist: normal, mean: 0.5, sd: 0.2, min: 0, max: 1, "
      "source: s}");
  CHECK(sampling::quantile(sym, 0.5) == Approx(0.5));
}

TEST_CASE("PRCC finds a monotone effect and none where there is none", "[uncertainty]") {
  const std::size_t n = 200, k = 3;
  const auto u = sampling::unit_design(sampling::Sampler::lhs, n, k, 7);
  sim::Stream noise(5);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i)  // strong effect of x0, weak negative one of x1, none of x2
    y[i] = std::exp(3 * u[i * k]) - 0.5 * u[i * k + 1] + 0.05 * noise.uniform();
  const auto r = sensitivity::prcc(u, n, k, y);
  CHECK(r[0].estimate > 0.95);
  CHECK(r[1].estimate < -0.5);
  CHECK(r[2].low < 0);
  CHECK(r[2].high > 0);
  for (const auto& x : r) {
    CHECK(x.low <= x.estimate);
    CHECK(x.estimate <= x.high);
  }
  // A constant output has no partial correlation with anything.
  const auto flat = sensitivity::prcc(u, n, k, std::vector<double>(n, 3.0));
  CHECK(std::isnan(flat[0].estimate));
}

TEST_CASE("the Saltelli and Jansen estimators recover the indices of a linear function",
          "[uncertainty]") {
  // y = 2 x0 + x1 + 0 x2 with x uniform on [0, 1]: V = 4/12 + 1/12, so S0 = ST0 = 0.8, S1 = ST1 =
  // 0.2, S2 = ST2 = 0.
  const std::size_t n = 1024, k = 3;
  const auto u = sampling::unit_design(sampling::Sampler::sobol, n, 2 * k, 1);
  auto f = [](const double* x) { return 2 * x[0] + x[1]; };
  std::vector<double> fa(n), fb(n);
  std::vector<std::vector<double>> fab(k, std::vector<double>(n));
  for (std::size_t j = 0; j < n; ++j) {
    const double* a = &u[j * 2 * k];
    const double* b = a + k;
    fa[j] = f(a);
    fb[j] = f(b);
    for (std::size_t i = 0; i < k; ++i) {
      double x[3] = {a[0], a[1], a[2]};
      x[i] = b[i];
      fab[i][j] = f(x);
    }
  }
  const auto s = sensitivity::sobol(fa, fb, fab, sensitivity::bootstrap_resamples(n, 300, 3));
  const double truth[3] = {0.8, 0.2, 0.0};
  for (std::size_t i = 0; i < k; ++i) {
    INFO("factor " << i);
    CHECK(s.first[i].estimate == Approx(truth[i]).margin(0.03));
    CHECK(s.total[i].estimate == Approx(truth[i]).margin(0.03));
    CHECK(s.total[i].low <= truth[i] + 1e-12);
    CHECK(s.total[i].high >= truth[i] - 1e-12);
  }
  CHECK(s.total[2].estimate == 0);  // x2 never changes y: exactly zero
}

TEST_CASE(
    "a cost linear in the bed-day price has total Sobol index 1 and a parameter with no effect 0",
    "[uncertainty]") {
  // Net detainer cost is linear in Alpha County's bed-day price; ICE's per diem is priced on the
  // federal side. With the pick-up probability fixed by --set, every draw runs the same journeys
  // (common random numbers), so the price explains all of the net cost's variance.
  const fs::path file = kValid / "uncertain_county.yaml";
  const std::vector<std::string> set{"pipeline.pickup_probability=0.7"};
  const Scenario sc = load_scenario(file, set);
  UncertaintyOptions opt;
  opt.draws = 64;
  opt.replications = 1;
  opt.sensitivity = SensitivityMethod::sobol;
  opt.seed = sc.seed;
  opt.bootstrap = 300;
  const Design d = make_design(sc, set, opt);
  REQUIRE(d.fixed == std::vector<std::string>{"pipeline.pickup_probability"});
  REQUIRE(d.factors.size() == 2);
  REQUIRE(d.draws == 64 * 4);
  TaskRunner runner(file, set, d, opt);
  std::vector<std::vector<double>> tasks;
  for (std::size_t t = 0; t < d.draws; ++t) tasks.push_back(runner.run(t));
  const DrawTable table = draw_table(d.draws, 1, tasks);
  const auto rows = sensitivity_rows(d, table, 0, opt);
  auto find = [&](Metric m, const std::string& param, const std::string& index) {
    for (const auto& r : rows)
      if (r.value == std::size_t(m) && r.parameter == param && r.index == index) return r;
    FAIL("no row for " << param << " " << index);
    return rows.front();
  };
  const std::string price = "jurisdictions[alpha_ca].jail_cost_per_day";
  for (const char* index : {"total", "first_order"}) {
    INFO(index);
    const auto p = find(Metric::net_detainer_cost_usd, price, index);
    CHECK(p.estimate == Approx(1).margin(0.1));
    CHECK(p.low <= 1);
    CHECK(p.high >= 1);
    const auto none = find(Metric::net_detainer_cost_usd, "costs.ice_per_diem", index);
    CHECK(none.estimate == 0);
    CHECK(none.low == 0);
    CHECK(none.high == 0);
  }
  // And the other way round on ICE's side of the money.
  CHECK(find(Metric::ice_detention_cost_usd, "costs.ice_per_diem", "total").estimate ==
        Approx(1).margin(0.1));
  CHECK(find(Metric::ice_detention_cost_usd, price, "total").estimate == 0);
  // No count depends on a price: its indices are undefined (no variance), not made up.
  CHECK(std::isnan(find(Metric::detainers_issued, price, "total").estimate));
}

TEST_CASE("an override of an uncertain key fixes it whichever way the path names the jurisdiction",
          "[uncertainty]") {
  const fs::path file = kValid / "uncertain_county.yaml";
  for (const std::string path :
       {"jurisdictions[alpha_ca].jail_cost_per_day", "jurisdictions[0].jail_cost_per_day"}) {
    INFO(path);
    const std::vector<std::string> set{path + "=90"};
    const Scenario sc = load_scenario(file, set);
    UncertaintyOptions opt;
    opt.draws = 10;
    const Design d = make_design(sc, set, opt);
    CHECK(d.fixed == std::vector<std::string>{"jurisdictions[alpha_ca].jail_cost_per_day"});
    CHECK(d.params ==
          std::vector<std::string>{"costs.ice_per_diem", "pipeline.pickup_probability"});
  }
  // Another jurisdiction's price is another key.
  const std::vector<std::string> other{"jurisdictions[beta_ca].jail_cost_per_day=90"};
  UncertaintyOptions opt;
  opt.draws = 10;
  CHECK(make_design(load_scenario(file, other), other, opt).fixed.empty());
  // Nothing left to draw, too few draws for PRCC: bad options.
  const std::vector<std::string> all{"jurisdictions[0].jail_cost_per_day=90",
                                     "costs.ice_per_diem=120", "pipeline.pickup_probability=0.7"};
  CHECK_THROWS_AS(make_design(load_scenario(file, all), all, opt), std::invalid_argument);
  opt.draws = 5;
  CHECK_THROWS_AS(make_design(load_scenario(file), {}, opt), std::invalid_argument);
}

TEST_CASE("draws hold values of their distributions and ensemble rows come with their weights",
          "[uncertainty]") {
  const Scenario sc = load_scenario(kValid / "uncertain_ensemble.yaml");
  REQUIRE(sc.uncertain.size() == 2);
  UncertaintyOptions opt;
  opt.draws = 400;
  const Design d = make_design(sc, {}, opt);
  REQUIRE(d.params == std::vector<std::string>{"pipeline.pickup_probability",
                                               "pipeline.bail_loss_probability",
                                               "jurisdictions[alpha_ca].jail_cost_per_day"});
  REQUIRE(d.factors.size() == 2);
  std::size_t first_set = 0, cheap = 0;
  for (std::size_t i = 0; i < d.draws; ++i) {
    const double p = d.value(i, 0), b = d.value(i, 1), price = d.value(i, 2);
    CHECK(((p == 0.6 && b == 0.9) || (p == 0.8 && b == 0.95)));  // whole rows, never mixed
    CHECK((price == 80 || price == 120));
    first_set += p == 0.6;
    cheap += price == 80;
  }
  // Latin hypercube strata: exactly a quarter of the draws fall in the first set's weight.
  CHECK(first_set == 100);
  CHECK(cheap == 200);
  // The overrides carry the values exactly.
  CHECK(d.overrides(0)[0].rfind("pipeline.pickup_probability=0.", 0) == 0);
}

TEST_CASE("an extending file adds uncertain entries and may redraw an inherited key",
          "[uncertainty]") {
  const Scenario added = load_scenario_text(
      "extends: uncertain_county.yaml\n"
      "uncertain:\n"
      "  - {path: pipeline.bail_loss_probability, dist: beta, alpha: 46, beta: 4, source: s}\n"
      "  - {path: \"jurisdictions[0].jail_cost_per_day\", dist: discrete, values: [70, 90], "
      "source: mine}\n",
      kValid);
  REQUIRE(added.uncertain.size() == 4);  // the base's price entry gave way to this file's
  CHECK(added.uncertain[0].path == "costs.ice_per_diem");
  CHECK(added.uncertain[3].source == "mine");
  CHECK(added.uncertain[3].dist == UncertainParam::Dist::discrete);
  // An empty list appends nothing.
  CHECK(
      load_scenario_text("extends: uncertain_county.yaml\nuncertain:\n", kValid).uncertain.size() ==
      3);
  // Within one file, the same key twice is a mistake.
  CHECK_THROWS_AS(load_scenario_text(
                      "extends: uncertain_county.yaml\n"
                      "uncertain:\n"
                      "  - {path: costs.scaap_rate, dist: uniform, min: 0, max: 0.1, source: s}\n"
                      "  - {path: costs.scaap_rate, dist: uniform, min: 0, max: 0.2, source: s}\n",
                      kValid),
                  ScenarioError);
}

namespace {
/// Every task of a plain design (no sensitivity) of `file`, run in task order.
std::vector<std::vector<double>> run_all(const fs::path& file, const std::vector<std::string>& set,
                                         const Design& d, const UncertaintyOptions& opt) {
  TaskRunner runner(file, set, d, opt);
  std::vector<std::vector<double>> out;
  for (std::size_t t = 0; t < d.draws * opt.replications; ++t) out.push_back(runner.run(t));
  return out;
}
}  // namespace

TEST_CASE(
    "a difference no drawn parameter touches collapses to its Monte Carlo noise; one a price "
    "scales spreads",
    "[uncertainty][draws]") {
  // Both drawn parameters are prices (pick-up fixed): no count depends on them, so the
  // difference of detainers honoured under the TRUST-like rule is the same in every draw, and is
  // compare's paired difference of the same seeds. The county's net cost difference scales with
  // Alpha County's bed-day price: it spreads.
  const std::vector<std::string> set{"pipeline.pickup_probability=0.7"};
  const fs::path base_file = kValid / "uncertain_county.yaml",
                 alt_file = kValid / "uncertain_county_trust.yaml";
  const Scenario base = load_scenario(base_file, set), alt = load_scenario(alt_file, set);
  UncertaintyOptions opt;
  opt.draws = 6;
  opt.replications = 2;
  opt.sensitivity = SensitivityMethod::none;
  opt.seed = base.seed;
  const Design d = make_design(base, set, opt);  // 6 draws: too few for PRCC, enough here
  REQUIRE(d.draws == 6);
  REQUIRE_NOTHROW(check_draws_apply(base, alt, d, "base", "alt"));
  const auto b = run_all(base_file, set, d, opt), a = run_all(alt_file, set, d, opt);
  const DrawTable diff = draw_table(d.draws, opt.replications, paired_differences(b, a));
  const auto rows = summarize_uncertainty(d, diff);
  CHECK(sensitivity_rows(d, diff, 0, opt).empty());

  Scenario b2 = base, a2 = alt;
  a2.seed = b2.seed;
  const auto paired = compare_runs(b2, run_scenario(b2, 2, 1, {}, 0), a2, run_scenario(a2, 2, 1, {}, 0), "alt");
  const Scopes scopes = Scopes::build(base);
  const std::size_t alpha = scopes.find("alpha_ca");
  for (Metric m : {Metric::detainers_honored, Metric::extra_jail_bed_days}) {
    INFO(metric_name(std::size_t(m)));
    const auto& r = rows[alpha * kMetrics + std::size_t(m)];
    const auto& c = paired[alpha * kMetrics + std::size_t(m)];
    REQUIRE(c.metric == metric_name(std::size_t(m)));
    CHECK(c.diff.mean < 0);
    CHECK(r.p05 == r.p95);  // the same in every draw, to the bit
    CHECK(r.p50 == r.p05);
    CHECK(r.mean == Approx(c.diff.mean));
    // Every draw has compare's within-pair noise; pooled over 6 draws it has 6 (R - 1) dof.
    CHECK(r.mc_half_width == Approx(c.diff.half_width * sim::student_t_quantile(0.975, 6.0) /
                                    sim::student_t_quantile(0.975, 1.0)));
  }
  const auto cost = [&](const std::string& scope) {
    return rows[scopes.find(scope) * kMetrics + std::size_t(Metric::net_detainer_cost_usd)];
  };
  // Alpha's bed-day price is drawn: its saving spreads far beyond the noise. Beta's is not: its
  // saving is the same in every draw.
  CHECK(cost("alpha_ca").mean < 0);
  CHECK(cost("alpha_ca").p95 - cost("alpha_ca").p05 > 0.2 * std::abs(cost("alpha_ca").mean));
  CHECK(cost("beta_ca").mean < 0);
  CHECK(cost("beta_ca").p05 == cost("beta_ca").p95);
}

TEST_CASE("an alternative runs on the baseline's draws only if it declares nothing else",
          "[uncertainty][draws]") {
  const Scenario base = load_scenario(kValid / "uncertain_county.yaml");
  UncertaintyOptions opt;
  opt.draws = 4;
  opt.sensitivity = SensitivityMethod::none;
  const Design d = make_design(base, {}, opt);
  // The same list (extended) or none: fine.
  CHECK_NOTHROW(
      check_draws_apply(base, load_scenario(kValid / "uncertain_county_trust.yaml"), d, "b", "a"));
  CHECK_NOTHROW(check_draws_apply(
      base, load_scenario(kValid / "costs_county_trust.yaml", {"volume_scale=0.1"}), d, "b", "a"));
  // Another distribution for a key: refused, naming the entry.
  CHECK_THROWS_WITH(
      check_draws_apply(base, load_scenario(kValid / "uncertain_county_redrawn.yaml"), d, "b", "a"),
      Catch::Contains("'a' declares uncertain[") && Catch::Contains("unlike 'b'"));
  // A what-if that changes a drawn value would be erased by the draws: refused.
  CHECK_THROWS_WITH(
      check_draws_apply(base,
                        load_scenario(kValid / "costs_county_trust.yaml",
                                      {"jurisdictions[alpha_ca].jail_cost_per_day=99"}),
                        d, "b", "a"),
      Catch::Contains("'a' sets jurisdictions[alpha_ca].jail_cost_per_day to 99") &&
          Catch::Contains("erase"));
  // Tasks of different shapes are not paired.
  CHECK_THROWS_AS(paired_differences({{1.0}}, {{1.0}, {2.0}}), std::invalid_argument);
  CHECK(paired_differences({{1.0, 2.0}}, {{4.0, 1.0}}) == std::vector<std::vector<double>>{{3.0, -1.0}});
}

TEST_CASE(
    "a budget line linear in a uniform bed-day price spreads over the analytic 5-95 % range",
    "[uncertainty][draws]") {
  // Alpha County's net cost is a + b x price (pick-up fixed: the same journeys in every draw);
  // the price is uniform on [60, 140], so 90 % of parameter sets give between a + 64 b and
  // a + 136 b. A Latin hypercube of N draws puts one price in each 80 / N wide stratum: the
  // sample percentiles are within one stratum of the analytic ones.
  const fs::path file = kValid / "uncertain_county.yaml";
  const std::vector<std::string> set{"pipeline.pickup_probability=0.7"};
  const Scenario sc = load_scenario(file, set);
  UncertaintyOptions opt;
  opt.draws = 40;
  opt.replications = 1;
  opt.sensitivity = SensitivityMethod::none;
  opt.seed = sc.seed;
  const Design d = make_design(sc, set, opt);
  REQUIRE(d.params.front() == "jurisdictions[alpha_ca].jail_cost_per_day");
  const Scopes scopes = Scopes::build(sc);
  const std::size_t alpha = scopes.find("alpha_ca");
  const Period fy = Period::fiscal_year(2011, sc.costs.fiscal_year_start_month);
  TaskRunner runner(file, set, d, opt);
  std::vector<std::vector<double>> tasks;
  std::size_t net = 0;
  for (std::size_t t = 0; t < d.draws; ++t) {
    const ReplicationResult r = runner.run_replication(t);
    const auto lines = budget_statement(runner.scenario(), {r}, alpha, fy);
    std::vector<double> values;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      values.push_back(lines[i].value.mean);
      if (lines[i].key == "net_detainer_cost_usd") net = i;
    }
    tasks.push_back(values);
  }
  const auto rows = summarize_uncertainty(d, draw_table(d.draws, 1, tasks));
  // The line through the draws of the lowest and highest price; every draw lies on it.
  std::size_t lo = 0, hi = 0;
  for (std::size_t i = 0; i < d.draws; ++i) {
    if (d.value(i, 0) < d.value(lo, 0)) lo = i;
    if (d.value(i, 0) > d.value(hi, 0)) hi = i;
  }
  const double slope = (tasks[hi][net] - tasks[lo][net]) / (d.value(hi, 0) - d.value(lo, 0));
  const double at0 = tasks[lo][net] - slope * d.value(lo, 0);
  REQUIRE(slope > 0);
  for (std::size_t i = 0; i < d.draws; ++i)
    REQUIRE(tasks[i][net] == Approx(at0 + slope * d.value(i, 0)).epsilon(1e-9));
  const double stratum = slope * 80.0 / 40.0;
  CHECK(std::abs(rows[net].p05 - (at0 + slope * 64)) <= stratum);
  CHECK(std::abs(rows[net].p95 - (at0 + slope * 136)) <= stratum);
  CHECK(std::abs(rows[net].p50 - (at0 + slope * 100)) <= stratum);
  CHECK(std::isnan(rows[net].mc_half_width));  // one replication: no noise estimate
}
