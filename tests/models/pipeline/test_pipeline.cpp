// The pipeline model: conservation, determinism, and the effect every policy
// must have. Scenarios are small inline YAML counties so each test runs in
// well under a second; policy tests compare against the same scenario without
// the policy, run with the same seed (common random numbers), so "unchanged"
// can be asserted exactly and "changed" cannot be noise.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "models/pipeline/journey.hpp"
#include "analysis/results.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

const char* kCounty = R"(
name: two test counties
period: {start: 2011-01-03, end: 2011-04-30}
seed: 7
replications: 3
defaults:
  population:
    group_mix: {us_born: 0.5, naturalized: 0.05, lpr: 0.1, other_lawful: 0.05, removable_known: 0.2, removable_unknown: 0.1}
jurisdictions:
  - {id: testco, name: Test County, state: CA, bookings_per_day: 300, activation: 2010-01-01}
  - {id: otherco, name: Other County, state: TX, bookings_per_day: 200, activation: 2010-01-01}
)";

Scenario county(const std::string& extra = "", std::vector<std::string> overrides = {}) {
  return load_scenario_text(std::string(kCounty) + extra, ".", overrides);
}

/// Records every step and end of every journey.
struct Recorder : TraceSink {
  struct Step {
    PersonInfo p;
    sim::Time t;
    Node from, to;
  };
  std::vector<Step> steps;
  std::map<std::uint64_t, std::pair<sim::Time, EndState>> ends;
  void step(const PersonInfo& p, sim::Time t, Node from, Node to, const std::string&) override {
    steps.push_back({p, t, from, to});
  }
  void finish(const PersonInfo& p, sim::Time t, EndState e) override { ends[p.id] = {t, e}; }
};

double total(const ReplicationResult& r, const Scenario& sc, const std::string& scope, Metric m) {
  return r.total(Scopes::build(sc).find(scope), m);
}

/// Sum of a metric in one scope over the months that end on or before `until`.
double before(const ReplicationResult& r, const Scenario& sc, const std::string& scope, Metric m, sim::Date until) {
  Months months = Months::build(sc);
  sim::Calendar cal(sc.start);
  std::size_t s = Scopes::build(sc).find(scope);
  double v = 0;
  for (std::size_t mo = 0; mo < months.size(); ++mo) {
    sim::Time end = mo + 1 < months.size() ? months.starts[mo + 1] : months.horizon;
    if (end <= cal.to_time(until)) v += r.at(mo, s, m);
  }
  return v;
}

double after(const ReplicationResult& r, const Scenario& sc, const std::string& scope, Metric m, sim::Date from) {
  Months months = Months::build(sc);
  sim::Calendar cal(sc.start);
  std::size_t s = Scopes::build(sc).find(scope);
  double v = 0;
  for (std::size_t mo = 0; mo < months.size(); ++mo)
    if (months.starts[mo] >= cal.to_time(from)) v += r.at(mo, s, m);
  return v;
}

}  // namespace

TEST_CASE("every booking ends in exactly one end state, in every scope", "[pipeline]") {
  Scenario sc = county();
  ReplicationResult r = run_replication(sc, 0);
  Scopes scopes = Scopes::build(sc);
  REQUIRE(scopes.size() == 3);  // national + two counties (one per state: no state scopes)
  for (std::size_t s = 0; s < scopes.size(); ++s) {
    double ends = 0;
    for (std::size_t e = 0; e < kEndStates; ++e) ends += r.total(s, end_metric(static_cast<EndState>(e)));
    CHECK(ends == r.total(s, Metric::bookings));
  }
  // Roughly 500 bookings a day for 118 days.
  CHECK(r.total(0, Metric::bookings) == Approx(500.0 * 118).epsilon(0.03));
  // Flows out of booking equal bookings; flows into end states equal end-state counts.
  const auto& tr = Topology::pipeline().transitions();
  double out_of_booking = 0, into_removed = 0;
  for (std::size_t e = 0; e < tr.size(); ++e) {
    if (tr[e].from == Node::stage(Stage::booking)) out_of_booking += double(r.flows[e]);
    if (tr[e].to == Node::end(EndState::removed)) into_removed += double(r.flows[e]);
  }
  CHECK(out_of_booking == r.total(0, Metric::bookings));
  CHECK(into_removed == r.total(0, end_metric(EndState::removed)));
}

TEST_CASE("conservation counts people still in the system at the horizon", "[pipeline]") {
  Scenario sc = county();
  ReplicationResult r = run_replication(sc, 0);
  double in_system = r.total(0, end_metric(EndState::in_system_at_horizon));
  // Mean jail stays of weeks and ICE detention of ~40 days leave many in the system at the end.
  CHECK(in_system > 1000);
  CHECK(in_system < r.total(0, Metric::bookings));
}

TEST_CASE("the same scenario and seed give identical bytes for 1, 2 and 3 threads", "[pipeline][determinism][threads]") {
  Scenario sc = county();
  auto bytes = [&](unsigned threads) {
    auto reps = run_scenario(sc, 3, threads);
    std::string b;
    for (const auto& r : reps) {
      b.append(reinterpret_cast<const char*>(r.monthly.data()), r.monthly.size() * sizeof(double));
      b.append(reinterpret_cast<const char*>(r.flows.data()), r.flows.size() * sizeof(std::uint64_t));
    }
    return b;
  };
  std::string one = bytes(1);
  CHECK(one == bytes(2));
  CHECK(one == bytes(3));
  // ... and different replications differ.
  auto reps = run_scenario(sc, 2, 1);
  CHECK(reps[0].monthly != reps[1].monthly);
}

TEST_CASE("no_sharing stops IDENT submissions in its scope from its date and changes nothing before", "[pipeline][policy]") {
  const char* policy = R"(
policies:
  - {type: opt_out, mode: no_sharing, from: 2011-03-01, scope: {jurisdictions: [testco]}}
)";
  Scenario base = county(), alt = county(policy);
  ReplicationResult rb = run_replication(base, 0), ra = run_replication(alt, 0);
  sim::Date date = sim::parse_date("2011-03-01");
  CHECK(after(ra, alt, "testco", Metric::fingerprints_submitted, date) == 0);
  CHECK(after(rb, base, "testco", Metric::fingerprints_submitted, date) > 10000);
  CHECK(before(ra, alt, "testco", Metric::fingerprints_submitted, date) ==
        before(rb, base, "testco", Metric::fingerprints_submitted, date));
  // The other county is out of scope: its bookings and submissions are the same people.
  CHECK(total(ra, alt, "otherco", Metric::fingerprints_submitted) ==
        total(rb, base, "otherco", Metric::fingerprints_submitted));
  CHECK(total(ra, alt, "testco", end_metric(EndState::released_not_shared)) > 0);
}

TEST_CASE("no_local_notification keeps every ICE match and tells no jail", "[pipeline][policy]") {
  const char* policy = R"(
policies:
  - {type: opt_out, mode: no_local_notification, from: 2010-01-01, scope: all}
)";
  Scenario base = county(), alt = county(policy);
  ReplicationResult rb = run_replication(base, 1), ra = run_replication(alt, 1);
  CHECK(total(ra, alt, "national", Metric::ident_matches) == total(rb, base, "national", Metric::ident_matches));
  CHECK(total(rb, base, "national", Metric::local_notifications) > 100);
  CHECK(total(ra, alt, "national", Metric::local_notifications) == 0);
  CHECK(total(ra, alt, "national", Metric::ice_bookings) == total(rb, base, "national", Metric::ice_bookings));
}

TEST_CASE("post_conviction_only checks only convicted people, at conviction", "[pipeline][policy]") {
  const char* policy = R"(
policies:
  - {type: post_conviction_only, from: 2010-01-01, scope: all}
)";
  Scenario base = county(), alt = county(policy);
  Recorder rec;
  RunOptions opt;
  opt.tracer = &rec;
  ReplicationResult ra = run_replication(alt, 0, opt);
  ReplicationResult rb = run_replication(base, 0);
  std::size_t checked = 0;
  double delay_alt = 0;
  for (const auto& s : rec.steps)
    if (s.to == Node::stage(Stage::ident)) {
      ++checked;
      CHECK(s.p.path == JailPath::convicted);
      CHECK(s.from == Node::stage(Stage::awaiting_conviction));
      delay_alt += double(s.t - s.p.booked);
    }
  REQUIRE(checked > 100);
  CHECK(total(ra, alt, "national", Metric::fingerprints_submitted) == double(checked));
  CHECK(total(ra, alt, "national", Metric::ident_matches) < total(rb, base, "national", Metric::ident_matches));
  // Checked later in the stay: days after booking, not minutes.
  CHECK(delay_alt / double(checked) > 5 * 86400.0);
  CHECK(total(ra, alt, "national", end_metric(EndState::released_not_convicted)) > 0);
}

TEST_CASE("decline_all leaves no detainer hold days after its date", "[pipeline][policy]") {
  const char* policy = R"(
policies:
  - {type: detainer_policy, rule: decline_all, from: 2010-01-01, scope: all}
)";
  Scenario base = county(), alt = county(policy);
  ReplicationResult rb = run_replication(base, 0), ra = run_replication(alt, 0);
  CHECK(total(rb, base, "national", Metric::detainer_hold_days) > 10);
  CHECK(total(ra, alt, "national", Metric::detainer_hold_days) == 0);
  CHECK(total(ra, alt, "national", Metric::detainers_honored) == 0);
  CHECK(total(ra, alt, "national", Metric::detainers_declined) > 0);
  // Declining also keeps bail available: no extra criminal-custody days.
  CHECK(total(ra, alt, "national", Metric::extra_jail_days_detainer) == 0);
}

TEST_CASE("honor_levels level1 holds only level-1 people", "[pipeline][policy]") {
  const char* policy = R"(
policies:
  - {type: detainer_policy, rule: honor_levels, levels: [level1], from: 2010-01-01, scope: all}
)";
  Scenario alt = county(policy);
  Recorder rec;
  RunOptions opt;
  opt.tracer = &rec;
  run_replication(alt, 0, opt);
  std::size_t holds = 0;
  for (const auto& s : rec.steps)
    if (s.to == Node::stage(Stage::detainer_hold)) {
      ++holds;
      CHECK(s.p.level == Level::level1);
    }
  CHECK(holds > 20);
}

TEST_CASE("arrest_bias x3 on traffic bookings of one group triples them and raises the no-record share of ICE arrests",
          "[pipeline][policy]") {
  const char* policy = R"(
policies:
  - {type: arrest_bias, group: removable_known, charge: traffic, multiplier: 3, from: 2010-01-01, scope: all}
)";
  Scenario base = county(), alt = county(policy);
  auto count = [](const Scenario& sc, std::size_t rep, double& no_record_share) {
    Recorder rec;
    RunOptions opt;
    opt.tracer = &rec;
    ReplicationResult r = run_replication(sc, rep, opt);
    double n = 0;
    for (const auto& s : rec.steps)
      if (s.from == Node::stage(Stage::booking) && s.to == Node::stage(Stage::booking) &&
          s.p.group == Group::removable_known && s.p.charge == Charge::traffic)
        ++n;
    no_record_share = r.total(0, Metric::ice_bookings_noncriminal) / r.total(0, Metric::ice_bookings);
    return n;
  };
  double share_b = 0, share_a = 0;
  double nb = count(base, 0, share_b), na = count(alt, 0, share_a);
  REQUIRE(nb > 1000);
  // ratio of two Poisson counts: sd of the ratio ~ 3 * sqrt(1/na + 1/nb) ~ 0.1 here.
  CHECK(na / nb == Approx(3.0).margin(0.3));
  CHECK(share_a > share_b);
}

TEST_CASE("a hold on a release Friday evening before a Monday holiday ends Wednesday at the same time",
          "[pipeline][calendar]") {
  // Everyone is matched and detained; ICE never comes; criminal custody is exactly 3 days,
  // so people booked on Tue 2011-01-11 are released on Fri 2011-01-14, before MLK Day (Mon 2011-01-17).
  const char* extra = R"(
pipeline: {pickup_probability: 0, cap_screening: 0}
ice:
  detainer_probability: {level1: 1, level2: 1, level3: 1, noncriminal: 1}
  at_large_probability: {level1: 0, level2: 0, level3: 0, noncriminal: 0}   # the hold's end ends the journey
policies:
  - {type: detainer_policy, rule: honor_all, from: 2010-01-01, scope: all}
)";
  std::vector<std::string> ov{
      "defaults.population.group_mix={us_born: 0, naturalized: 0, lpr: 0, other_lawful: 0, removable_known: 1, removable_unknown: 0}",
      "defaults.jail.all.path_share={pretrial_release: 0, dismissed: 1, convicted: 0}",
      "defaults.jail.all.dismissed={dist: fixed, value: 3d}",
      "pipeline.bail_loss_probability=0"};
  Scenario sc = county(extra, ov);
  Recorder rec;
  RunOptions opt;
  opt.tracer = &rec;
  run_replication(sc, 0, opt);
  sim::Calendar cal(sc.start);
  const sim::Time fri = cal.to_time(sim::parse_date("2011-01-14")), sat = fri + sim::kDay;
  const sim::Time wed = cal.to_time(sim::parse_date("2011-01-19"));
  std::size_t checked = 0;
  for (const auto& s : rec.steps) {
    if (s.to != Node::stage(Stage::detainer_hold) || s.t < fri || s.t >= sat) continue;
    auto it = rec.ends.find(s.p.id);
    REQUIRE(it != rec.ends.end());
    CHECK(it->second.second == EndState::released_hold_expired);
    CHECK(it->second.first == wed + (s.t - fri));  // Wednesday, same time of day
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("arrest_bias levels set the SC levels of the extra bookings only", "[pipeline][policy]") {
  // Extra traffic bookings of removable_known people, all with no record: the
  // baseline people keep level_given_charge (traffic: 2/8/35/55 %), so the
  // no-record share among that cell's bookings is (0.55 + 2 x 1) / 3 = 0.85.
  const char* policy = R"(
policies:
  - {type: arrest_bias, group: removable_known, charge: traffic, multiplier: 3, levels: {noncriminal: 1},
     from: 2010-01-01, scope: all}
)";
  const Scenario sc = county(policy);
  Recorder rec;
  RunOptions opt;
  opt.tracer = &rec;
  run_replication(sc, 0, opt);
  double cell = 0, none = 0, other_cell = 0, other_none = 0;
  for (const auto& s : rec.steps) {
    if (!(s.from == Node::stage(Stage::booking) && s.to == Node::stage(Stage::booking))) continue;
    if (s.p.charge != Charge::traffic) continue;
    const bool nr = s.p.level == Level::noncriminal;
    if (s.p.group == Group::removable_known) {
      ++cell;
      none += nr;
    } else if (s.p.group == Group::removable_unknown) {
      ++other_cell;
      other_none += nr;
    }
  }
  REQUIRE(cell > 2000);
  // Binomial tolerances: 4 standard errors.
  CHECK(std::abs(none / cell - 0.85) < 4 * std::sqrt(0.85 * 0.15 / cell));
  CHECK(std::abs(other_none / other_cell - 0.55) < 4 * std::sqrt(0.55 * 0.45 / other_cell));
}

TEST_CASE("rollout_concentration puts non-citizens in the first-covered areas and keeps booking coverage",
          "[pipeline][rollout]") {
  // One county whose coverage ramp stays at c = 0.2 through the period; only
  // removable_known people (s = 0.15) can match. With concentration k and cap
  // m, a non-citizen is covered with probability L(c) = min(c^(1-k), c m / s),
  // a citizen with (c - s L(c)) / (1 - s); so matches / bookings = s L(c) and
  // fingerprints / bookings = c whatever k.
  const std::string base = R"(
name: concentration
period: {start: 2011-01-03, end: 2011-06-30}
seed: 3
replications: 1
defaults:
  population:
    group_mix: {us_born: 0.85, naturalized: 0, lpr: 0, other_lawful: 0, removable_known: 0.15, removable_unknown: 0}
    in_ident: {us_born: 0, naturalized: 0, lpr: 0, other_lawful: 0, removable_known: 1, removable_unknown: 0}
jurisdictions:
  - {id: rampco, state: TX, bookings_per_day: 400, coverage: [{date: 2010-06-01, fraction: 0.2}]}
)";
  // With rollout_charges [traffic] only the traffic bookings (q = 20 %) of
  // removable_known people are concentrated: s = 0.15 q, and the others are
  // covered like citizens.
  struct Case {
    double k, cap;
    bool traffic_only;
  };
  for (const Case& c : {Case{0.0, 0.6, false}, Case{0.6, 0.6, false}, Case{0.6, 0.3, false}, Case{0.6, 0.6, true}}) {
    INFO("k = " << c.k << ", cap = " << c.cap << (c.traffic_only ? ", traffic only" : ""));
    std::vector<std::string> set{"defaults.population.rollout_concentration=" + std::to_string(c.k),
                                 "defaults.population.rollout_noncitizen_cap=" + std::to_string(c.cap)};
    if (c.traffic_only) set.push_back("defaults.population.rollout_charges=[traffic]");
    const Scenario sc = load_scenario_text(base, ".", set);
    const ReplicationResult r = run_replication(sc, 0, {});
    const double n = r.total(0, Metric::bookings);
    const double matched = r.total(0, Metric::ident_matches) / n, printed = r.total(0, Metric::fingerprints_submitted) / n;
    REQUIRE(n > 50000);
    const double cov = 0.2, q = c.traffic_only ? 0.2 : 1.0, s = 0.15 * q;
    const double lorenz = std::min(std::pow(cov, 1 - c.k), cov * c.cap / s);
    const double want = 0.15 * (q * lorenz + (1 - q) * (cov - s * lorenz) / (1 - s));
    CHECK(std::abs(matched - want) < 4 * std::sqrt(want * (1 - want) / n));
    CHECK(std::abs(printed - 0.2) < 4 * std::sqrt(0.2 * 0.8 / n));
  }
}
