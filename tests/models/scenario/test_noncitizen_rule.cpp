// One non-citizen rule for the national build and the counties (issue 13 §7):
// defaults.population.noncitizens turns a Latinx share into the group mix, and a
// jurisdiction that gives `latinx_share` gets its mix from the same rule.
#include <catch2/catch.hpp>

#include <string>

#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

const std::string kHead = R"(name: rule
period: {start: 2011-01-01, end: 2011-03-31}
defaults:
  population:
    noncitizens: {per_latinx: 0.3, min: 0.01, max: 0.25,
                  split: {lpr: 0.25, other_lawful: 0.05, removable_known: 0.4, removable_unknown: 0.3},
                  naturalized_share: 0.02}
)";

double share(const Scenario& s, std::size_t j, Group g) { return s.jurisdictions.at(j).population.group_mix[std::size_t(g)]; }

}  // namespace

TEST_CASE("a jurisdiction's latinx_share sets its group mix through the shared rule", "[scenario][noncitizens]") {
  const Scenario s = load_scenario_text(kHead + R"(jurisdictions:
  - {id: a, state: CA, bookings_per_day: 100, population: {latinx_share: 0.5}}
  - {id: b, state: IL, bookings_per_day: 100, population: {latinx_share: 0.01}}
  - {id: c, state: NM, bookings_per_day: 100, population: {latinx_share: 1.0}}
  - {id: d, state: NY, bookings_per_day: 100}
)");
  // a: 0.3 × 0.5 = 0.15 non-citizens, split 25/5/40/30; 2 % naturalised; the rest US-born.
  CHECK(share(s, 0, Group::lpr) == Approx(0.15 * 0.25));
  CHECK(share(s, 0, Group::other_lawful) == Approx(0.15 * 0.05));
  CHECK(share(s, 0, Group::removable_known) == Approx(0.15 * 0.4));
  CHECK(share(s, 0, Group::removable_unknown) == Approx(0.15 * 0.3));
  CHECK(share(s, 0, Group::naturalized) == Approx(0.02));
  CHECK(share(s, 0, Group::us_born) == Approx(1 - 0.02 - 0.15));
  // b and c are clamped to [min, max].
  CHECK(share(s, 1, Group::us_born) == Approx(1 - 0.02 - 0.01));
  CHECK(share(s, 2, Group::us_born) == Approx(1 - 0.02 - 0.25));
  // d gives no share: it keeps the default group mix, whatever the rule.
  const Scenario plain = load_scenario_text(R"(name: plain
period: {start: 2011-01-01, end: 2011-03-31}
jurisdictions:
  - {id: d, state: NY, bookings_per_day: 100}
)");
  CHECK(s.jurisdictions.at(3).population.group_mix == plain.jurisdictions.at(0).population.group_mix);
}

TEST_CASE("a refit of the rule moves every county that gives a Latinx share", "[scenario][noncitizens]") {
  const std::string county = R"(jurisdictions:
  - {id: a, state: CA, bookings_per_day: 100, population: {latinx_share: 0.4}}
)";
  const Scenario before = load_scenario_text(kHead + county);
  const Scenario after = load_scenario_text(kHead + county, ".", {"defaults.population.noncitizens.per_latinx=0.6"});
  CHECK(1 - share(before, 0, Group::us_born) - 0.02 == Approx(0.12));
  CHECK(1 - share(after, 0, Group::us_born) - 0.02 == Approx(0.24));
}

TEST_CASE("latinx_share and group_mix together, or a rule out of order, are refused with file and line",
          "[scenario][noncitizens][errors]") {
  try {
    load_scenario_text(kHead + R"(jurisdictions:
  - id: a
    state: CA
    bookings_per_day: 100
    population:
      latinx_share: 0.5
      group_mix: {us_born: 0.8, naturalized: 0.05, lpr: 0.05, other_lawful: 0.02, removable_known: 0.05, removable_unknown: 0.03}
)");
    FAIL("accepted both latinx_share and group_mix");
  } catch (const ScenarioError& e) {
    CHECK(e.key_path == "jurisdictions[0].population.latinx_share");
    CHECK(e.line == 13);
    CHECK_THAT(e.message, Catch::Contains("not both"));
  }
  try {
    load_scenario_text(kHead + "jurisdictions:\n  - {id: a, state: CA, bookings_per_day: 100}\n", ".",
                       {"defaults.population.noncitizens.min=0.5"});
    FAIL("accepted min > max");
  } catch (const ScenarioError& e) {
    CHECK(e.key_path == "defaults.population.noncitizens.min");
  }
  try {
    load_scenario_text(kHead + "jurisdictions:\n  - {id: a, state: CA, bookings_per_day: 100}\n", ".",
                       {"defaults.population.noncitizens.naturalized_share=0.8"});
    FAIL("accepted naturalized_share + max > 1");
  } catch (const ScenarioError& e) {
    CHECK(e.key_path == "defaults.population.noncitizens.naturalized_share");
  }
  CHECK_THROWS_AS(load_scenario_text(kHead + R"(jurisdictions:
  - {id: a, state: CA, bookings_per_day: 100, population: {latinx_share: 1.5}}
)"),
                  ScenarioError);
}
