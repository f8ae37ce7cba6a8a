// Every scenario shipped under scenarios/ loads, carries its sources in a
// leading comment, and says what its comments say it does.
#include <catch2/catch.hpp>

#include "models/pipeline/journey.hpp"
#include "models/pipeline/timeline.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/scenario/loader.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {

const fs::path kScenarios = fs::path(SCSIM_TEST_DIR) / ".." / "scenarios";

/// Files meant only as bases for `extends` (no jurisdictions of their own).
bool is_partial(const fs::path& p) { return p.filename() == "base.yaml" || p.filename() == "calibrated.yaml"; }

std::vector<fs::path> shipped() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kScenarios))
    if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

Scenario load(const std::string& rel) { return load_scenario(kScenarios / rel); }

sim::Date D(const char* iso) { return sim::parse_date(iso); }

const PolicySpec* find_policy(const Scenario& s, const std::string& type, const char* from) {
  for (const auto& p : s.policies)
    if (p.type == type && p.from == D(from)) return &p;
  return nullptr;
}

}  // namespace

TEST_CASE("every shipped scenario loads without error", "[scenario]") {
  const auto files = shipped();
  REQUIRE(files.size() >= 14);
  for (const auto& f : files) {
    INFO(f.string());
    if (is_partial(f)) {
      // base.yaml and calibrated.yaml are abstract: they validate on their own but cannot be run.
      Scenario s = load_scenario(f);
      CHECK(s.abstract);
      CHECK(s.jurisdictions.empty());
      CHECK_THROWS_AS(run_replication(s, 0), ScenarioError);
      continue;
    }
    try {
      Scenario s = load_scenario(f);
      CHECK_FALSE(s.jurisdictions.empty());
      CHECK_FALSE(s.description.empty());
    } catch (const ScenarioError& e) {
      FAIL(e.what());
    }
  }
}

TEST_CASE("every shipped scenario opens with a comment naming its sources", "[scenario]") {
  for (const auto& f : shipped()) {
    INFO(f.string());
    std::ifstream in(f);
    std::string first, text, line;
    std::getline(in, first);
    CHECK(first.rfind("# ", 0) == 0);
    text = first;
    while (std::getline(in, line) && line.rfind("#", 0) == 0) text += "\n" + line;
    CHECK(text.find("What it asks") != std::string::npos);
    CHECK(text.size() > 400);  // more than a title: sources and assumptions
  }
}

TEST_CASE("the national baseline has 51 states, the seed's period and the opt-out history", "[scenario]") {
  Scenario s = load("historical/us_2008_2011.yaml");
  CHECK(s.jurisdictions.size() == 51);
  CHECK(s.start == D("2008-10-27"));
  CHECK(s.end == D("2011-05-31"));
  CHECK(s.replications == 10);
  REQUIRE(s.national.has_value());
  CHECK(s.national->year == 2010);
  CHECK(s.national->annual_turnover == 16);
  const PolicySpec* dc = find_policy(s, "opt_out", "2010-07-22");
  REQUIRE(dc != nullptr);
  CHECK(dc->scope.ids == std::vector<std::string>{"DC"});
  const PolicySpec* il = find_policy(s, "state_refuses", "2011-05-04");
  REQUIRE(il != nullptr);
  CHECK(il->to == D("2011-08-05"));
  CHECK(find_policy(s, "ice_priorities", "2008-10-27") != nullptr);
  // About 12 M bookings a year (DOMAIN.md §5/§8).
  double per_day = 0;
  for (const auto& j : s.jurisdictions) per_day += j.bookings_per_day;
  CHECK(per_day * 365 == Approx(12.2e6).epsilon(0.05));
}

TEST_CASE("the SC-era scenario adds the 2011 refusals, later eras and the TRUST Act", "[scenario]") {
  Scenario base = load("historical/us_2008_2011.yaml");
  Scenario s = load("historical/us_2008_2014.yaml");
  CHECK(s.jurisdictions.size() == 51);
  CHECK(s.end == D("2014-11-20"));
  CHECK(s.policies.size() > base.policies.size());
  for (const char* from : {"2011-06-01", "2011-06-06"}) {
    const PolicySpec* p = find_policy(s, "state_refuses", from);
    REQUIRE(p != nullptr);
    CHECK(p->to == D("2011-08-05"));
  }
  CHECK(find_policy(s, "ice_priorities", "2011-06-17") != nullptr);
  CHECK(find_policy(s, "ice_priorities", "2012-12-21") != nullptr);
  const PolicySpec* trust = find_policy(s, "detainer_policy", "2014-01-01");
  REQUIRE(trust != nullptr);
  CHECK(trust->scope.ids == std::vector<std::string>{"CA"});
  RuleSet r;
  trust->apply(r);
  CHECK(r.honor_level == PerLevel<bool>{true, false, false, false});
}

TEST_CASE("state refusals are policies: the ramps hold activation only, state_refuses freezes", "[scenario]") {
  // Issue 13 §4: Illinois's ramp rises from Mar 1 2011 (26 counties) to Jan 22 2013; its refusal
  // (May 4 to Aug 5 2011) holds the covered share where it was, then the ramp takes over again.
  // New York and Massachusetts activated no county during their refusals, so their coverage is
  // the same with the policies or without.
  const Scenario s = load("historical/us_2008_2014.yaml");
  const sim::Calendar cal(s.start);
  auto covered = [&](const std::string& state, const char* iso) {
    const Jurisdiction& j = *s.find_jurisdiction(state == "IL" ? "il" : state == "NY" ? "ny" : "ma");
    const Rollout rollout(j, cal);
    const auto segs = rule_timeline(s, j, cal, rollout);
    const sim::Time t = cal.to_time(D(iso));
    const RuleSegment* seg = &segs.front();
    for (const auto& g : segs)
      if (g.from <= t) seg = &g;
    return std::pair{std::min(rollout.coverage(t), seg->coverage_cap), rollout.coverage(t)};
  };
  const double at_refusal = covered("IL", "2011-05-04").first;
  CHECK(at_refusal == Approx(0.25 + 0.75 * 64.0 / 693.0).margin(1e-9));
  CHECK(covered("IL", "2011-07-01").first == at_refusal);
  CHECK(covered("IL", "2011-07-01").second > at_refusal);  // the activation ramp goes on underneath
  CHECK(covered("IL", "2011-08-05").first == Approx(0.25 + 0.75 * 157.0 / 693.0).margin(1e-9));
  for (const char* state : {"NY", "MA"}) {
    INFO(state);
    for (const char* iso : {"2011-06-10", "2011-08-01"}) CHECK(covered(state, iso).first == covered(state, iso).second);
  }
}

TEST_CASE("county scenarios carry their documented facts", "[scenario]") {
  Scenario la = load("counties/los_angeles.yaml");
  REQUIRE(la.jurisdictions.size() == 1);
  CHECK(la.jurisdictions[0].id == "los_angeles_ca");
  CHECK(la.jurisdictions[0].bookings_per_day == 384);
  CHECK(la.jurisdictions[0].activation == D("2009-08-27"));
  CHECK(la.jurisdictions[0].jail_cost_per_day == 113);

  Scenario harris = load("counties/harris.yaml");
  CHECK(harris.jurisdictions.at(0).state == "TX");
  CHECK(harris.jurisdictions.at(0).activation == D("2008-10-27"));

  Scenario sc = load("counties/santa_clara.yaml");
  CHECK(sc.jurisdictions.at(0).activation == D("2010-05-04"));
  CHECK(find_policy(sc, "detainer_policy", "2011-10-18") != nullptr);

  Scenario cook = load("counties/cook.yaml");
  CHECK(cook.jurisdictions.at(0).state == "IL");
  const PolicySpec* ord = find_policy(cook, "detainer_policy", "2011-09-07");
  REQUIRE(ord != nullptr);
  RuleSet r;
  ord->apply(r);
  CHECK(r.honor_level == PerLevel<bool>{false, false, false, false});

  Scenario md = load("counties/miami_dade.yaml");
  const PolicySpec* res = find_policy(md, "detainer_policy", "2014-01-01");
  REQUIRE(res != nullptr);
  CHECK(res->to == D("2017-01-26"));
}

TEST_CASE("each what-if changes one thing in the scenario it extends", "[scenario]") {
  struct Case {
    const char* file;
    const char* parent;
    std::size_t added;  // policies appended
    const char* type;
  };
  const Case cases[] = {
      {"whatif/opt_out_no_sharing.yaml", "historical/us_2008_2014.yaml", 3, "opt_out"},
      {"whatif/opt_out_no_notification.yaml", "historical/us_2008_2014.yaml", 3, "opt_out"},
      {"whatif/post_conviction_only.yaml", "historical/us_2008_2011.yaml", 1, "post_conviction_only"},
      {"whatif/detainers_level1_only.yaml", "historical/us_2008_2011.yaml", 1, "ice_priorities"},
      {"whatif/trust_act.yaml", "counties/los_angeles.yaml", 1, "detainer_policy"},
      {"whatif/arrest_bias_traffic.yaml", "historical/us_2008_2011.yaml", 2, "arrest_bias"},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    Scenario w = load(c.file);
    Scenario p = load(c.parent);
    CHECK(w.start == p.start);
    CHECK(w.end == p.end);
    CHECK(w.jurisdictions.size() == p.jurisdictions.size());
    REQUIRE(w.policies.size() == p.policies.size() + c.added);
    for (std::size_t i = p.policies.size(); i < w.policies.size(); ++i) CHECK(w.policies[i].type == c.type);
  }
}
