// Legal status, criminal records and convictions over time, and the paths
// through ICE custody (DOMAIN.md §9; issue: what-ifs that can be trusted).
// Each test runs a small inline county with a fixed seed and asserts a
// semantic the model must keep; each could fail if the mechanism were absent
// (a population, metric or share it depends on is checked to be non-zero).
#include <catch2/catch.hpp>
#include <map>

#include "analysis/runner.hpp"
#include "models/pipeline/branches.hpp"
#include "models/pipeline/journey.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

const char* kCounty = R"(
name: legal status test county
period: {start: 2011-01-03, end: 2011-06-30}
seed: 11
replications: 1
defaults:
  population:
    group_mix: {us_born: 0.4, naturalized: 0.1, lpr: 0.2, other_lawful: 0.05, removable_known: 0.2, removable_unknown: 0.05}
    in_ident: {us_born: 0.05, naturalized: 1, lpr: 1, other_lawful: 1, removable_known: 1}
pipeline:
  lesc_citizen_detection: 0.3
  lesc_lawful_screening: 0.3
jurisdictions:
  - {id: testco, name: Test County, state: CA, bookings_per_day: 400, activation: 2010-01-01}
)";

Scenario county(std::vector<std::string> overrides = {}, const std::string& extra = "") {
  return load_scenario_text(std::string(kCounty) + extra, ".", overrides);
}

struct Ends : TraceSink {
  std::map<std::uint64_t, PersonInfo> who;
  std::map<std::uint64_t, EndState> end;
  std::map<std::uint64_t, sim::Time> custody_start, end_time;
  std::map<std::uint64_t, std::string> custody_text;
  void step(const PersonInfo& p, sim::Time t, Node, Node to, const std::string& what) override {
    who[p.id] = p;
    if (to == Node::stage(Stage::ice_custody)) custody_start[p.id] = t;
    if (to.is_end && custody_start.count(p.id)) custody_text[p.id] = what;
  }
  void finish(const PersonInfo& p, sim::Time t, EndState e) override {
    who[p.id] = p;
    end[p.id] = e;
    end_time[p.id] = t;
  }
};

double total(const ReplicationResult& r, Metric m) { return r.total(0, m); }

}  // namespace

TEST_CASE("SC levels follow DOMAIN.md §2 from conviction counts", "[legal]") {
  CHECK(level_of(Record{}) == Level::noncriminal);
  CHECK(level_of(Record{0, 0, 1}) == Level::level3);
  CHECK(level_of(Record{0, 0, 2}) == Level::level3);
  CHECK(level_of(Record{0, 0, 3}) == Level::level2);  // three or more misdemeanours
  CHECK(level_of(Record{0, 1, 0}) == Level::level2);  // one felony
  CHECK(level_of(Record{0, 2, 0}) == Level::level1);  // two or more felonies
  CHECK(level_of(Record{1, 0, 0}) == Level::level1);  // an aggravated felony
  CHECK(level_of(Record{0, 0, 2}.with(Offense::misdemeanor)) == Level::level2);
  CHECK(level_of(Record{0, 1, 0}.with(Offense::felony)) == Level::level1);
  CHECK(Record{0, 0, 3}.with(Offense::misdemeanor) == Record{0, 0, 3});  // capped: "or more"
  for (std::size_t i = 0; i < Record::kStates; ++i) CHECK(Record::from_index(i).index() == i);
}

TEST_CASE("records are consistent with the level LESC saw at identification", "[legal]") {
  const Population pop;
  const RecordTable t = RecordTable::build(pop);
  for (std::size_t c = 0; c < kCharges; ++c)
    for (std::size_t l = 0; l < kLevels; ++l)
      for (std::size_t o = 0; o < kOffenses; ++o) {
        double sum = 0, consistent = 0, own = 0;
        for (std::size_t i = 0; i < Record::kStates; ++i) {
          const double w = t.p[c][l][o][i];
          sum += w;
          const Record r = Record::from_index(i);
          if (w > 0 && level_of(r.with(Offense(o))) == Level(l)) consistent += w;
          if (w > 0 && level_of(r) == Level(l)) own += w;
        }
        INFO("charge " << kChargeNames[c] << " level " << kLevelNames[l] << " offense " << kOffenseNames[o]);
        CHECK(sum == Approx(1.0));
        // Either every record gives the level with the charge counted, or (a level
        // below what the charge alone gives) the record itself has it.
        CHECK((consistent == Approx(1.0) || own == Approx(1.0)));
      }
  // A misdemeanour charge at level 3 with no felony: at most two prior misdemeanours.
  for (std::size_t i = 0; i < Record::kStates; ++i)
    if (t.p[std::size_t(Charge::misdemeanor)][std::size_t(Level::level3)][std::size_t(Offense::misdemeanor)][i] > 0)
      CHECK(Record::from_index(i).misdemeanors <= 2);
}

TEST_CASE("a US citizen is never removed; one booked by ICE is released as a citizen", "[legal]") {
  const Scenario sc = county();
  Ends ends;
  RunOptions opt;
  opt.tracer = &ends;
  const ReplicationResult r = run_replication(sc, 0, opt);
  std::size_t citizens_in_custody = 0;
  for (const auto& [id, t] : ends.custody_start)
    if (is_citizen(ends.who[id].group)) ++citizens_in_custody;
  for (const auto& [id, e] : ends.end) {
    if (!is_citizen(ends.who[id].group)) continue;
    if (ends.custody_start.count(id)) CHECK((e == EndState::terminated_citizen || e == EndState::in_system_at_horizon));
    CHECK(e != EndState::removed);
    CHECK(e != EndState::voluntary_departure);
  }
  CHECK(citizens_in_custody > 0);  // wrong determinations hold some citizens
  CHECK(total(r, Metric::us_citizens_detained) == double(citizens_in_custody));
}

TEST_CASE("a lawful permanent resident without a removable conviction is never removed", "[legal]") {
  // No conviction class is a ground: LPRs in ICE custody are all released.
  const Scenario none = county({"pipeline.removable_conviction={aggravated: 0, felony: 0, misdemeanor: 0}"});
  Ends ends;
  RunOptions opt;
  opt.tracer = &ends;
  run_replication(none, 0, opt);
  std::size_t lprs_in_custody = 0;
  for (const auto& [id, e] : ends.end) {
    if (ends.who[id].group != Group::lpr || !ends.custody_start.count(id)) continue;
    ++lprs_in_custody;
    CHECK((e == EndState::terminated_not_removable || e == EndState::in_system_at_horizon));
  }
  CHECK(lprs_in_custody > 0);
  // With removable convictions, LPRs are removed: the rule above is what stopped them.
  const Scenario all = county({"pipeline.removable_conviction={aggravated: 1, felony: 1, misdemeanor: 1}"});
  Ends ends2;
  opt.tracer = &ends2;
  run_replication(all, 0, opt);
  std::size_t lprs_removed = 0;
  for (const auto& [id, e] : ends2.end)
    if (ends2.who[id].group == Group::lpr && e == EndState::removed) ++lprs_removed;
  CHECK(lprs_removed > 0);
}

TEST_CASE("LESC screens out lawful residents without a removable ground", "[legal]") {
  const std::string no_grounds = "pipeline.removable_conviction={aggravated: 0, felony: 0, misdemeanor: 0}";
  const Scenario screened = county({no_grounds, "pipeline.lesc_lawful_screening=1"});
  const Scenario blind = county({no_grounds, "pipeline.lesc_lawful_screening=0"});
  const ReplicationResult a = run_replication(screened, 0), b = run_replication(blind, 0);
  // Same people (common random numbers); only lawful residents' detainers differ.
  CHECK(total(a, Metric::ident_matches) == total(b, Metric::ident_matches));
  CHECK(total(a, Metric::detainers_issued) < total(b, Metric::detainers_issued));
  CHECK(total(a, end_metric(EndState::terminated_not_removable)) < total(b, end_metric(EndState::terminated_not_removable)));
}

TEST_CASE("post-conviction-only sharing leaves no one without a conviction among ICE book-ins", "[legal]") {
  const Scenario base = county();
  const Scenario post =
      county({}, "policies:\n  - {type: post_conviction_only, from: 2011-01-03}\n");
  const ReplicationResult a = run_replication(base, 0), b = run_replication(post, 0);
  const double share_base = total(a, Metric::ice_bookings_noncriminal) / total(a, Metric::ice_bookings);
  REQUIRE(total(b, Metric::ice_bookings) > 0);
  const double share_post = total(b, Metric::ice_bookings_noncriminal) / total(b, Metric::ice_bookings);
  CHECK(share_base > 0.05);
  CHECK(share_post < 0.1 * share_base);
}

TEST_CASE("a removal on a reinstated prior order comes faster than one through court", "[legal]") {
  const Scenario sc = county({"pipeline.prior_order={removable_known: 0.5}"});
  Ends ends;
  RunOptions opt;
  opt.tracer = &ends;
  const ReplicationResult r = run_replication(sc, 0, opt);
  double reinstated = 0, court = 0;
  std::size_t n_reinstated = 0, n_court = 0;
  for (const auto& [id, e] : ends.end) {
    if (e != EndState::removed) continue;
    const double days = double(ends.end_time[id] - ends.custody_start[id]) / sim::kDay;
    const std::string& why = ends.custody_text[id];
    if (why.find("prior order reinstated") != std::string::npos) reinstated += days, ++n_reinstated;
    if (why.find("immigration-court case") != std::string::npos) court += days, ++n_court;
  }
  REQUIRE(n_reinstated > 20);
  REQUIRE(n_court > 20);
  CHECK(reinstated / double(n_reinstated) < 0.5 * court / double(n_court));
  CHECK(total(r, Metric::removals_reinstated) > 0);
  CHECK(total(r, Metric::removals) ==
        total(r, Metric::removals_reinstated) + total(r, Metric::removals_stipulated) + total(r, Metric::removals_court));
  CHECK(total(r, Metric::ice_bookings) == total(r, Metric::ice_detained) + total(r, Metric::ice_released_pending));
}

TEST_CASE("a declined detainer is followed by at-large arrests", "[legal][follow_up]") {
  const std::string decline = "detainers:\n  rule: decline_all\n";
  const Scenario follow = county({"ice.at_large_probability={level1: 0.5, level2: 0.5, level3: 0.5, noncriminal: 0.5}",
                                  "pipeline.at_large_delay={dist: lognormal, median: 10d, mean: 15d}"},
                                 decline);
  const Scenario drop = county({"ice.at_large_probability={level1: 0, level2: 0, level3: 0, noncriminal: 0}"}, decline);
  Ends ends;
  RunOptions opt;
  opt.tracer = &ends;
  const ReplicationResult a = run_replication(follow, 0, opt), b = run_replication(drop, 0);
  // Same detainers, all declined; only the follow-up differs.
  CHECK(total(a, Metric::detainers_declined) == total(b, Metric::detainers_declined));
  REQUIRE(total(a, Metric::detainers_declined) > 100);
  CHECK(total(b, Metric::ice_arrests_at_large) == 0);
  CHECK(total(b, Metric::ice_bookings) == 0);  // no holds, no notification requests: ICE never gets anyone
  CHECK(total(a, Metric::ice_arrests_at_large) > 0.3 * total(a, Metric::detainers_declined));
  CHECK(total(a, Metric::ice_bookings) == total(a, Metric::ice_arrests_at_large));
  // One end state per journey: a followed-up person ends in ICE's outcomes, not "declined".
  std::size_t arrested = 0;
  for (const auto& [id, t] : ends.custody_start) {
    ++arrested;
    const auto e = ends.end.find(id);
    if (e != ends.end.end()) CHECK(e->second != EndState::released_detainer_declined);
  }
  CHECK(double(arrested) == total(a, Metric::ice_arrests_at_large));
  CHECK(total(a, end_metric(EndState::released_detainer_declined)) <
        total(b, end_metric(EndState::released_detainer_declined)));
}
