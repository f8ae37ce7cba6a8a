// The policy registry: each type reads its keys and turns them into the rule
// change DOMAIN.md describes; mistakes point at the entry's key.
#include <catch2/catch.hpp>

#include "models/scenario/policies.hpp"
#include "app/scenario_reference.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

const char* kCounties = R"(
period: {start: 2010-01-01, end: 2015-12-31}
jurisdictions:
  - {id: santa_clara_ca, state: CA, bookings_per_day: 100}
  - {id: cook_il, state: IL, bookings_per_day: 250, activation: 2010-06-01}
  - {id: kings_ny, state: NY, bookings_per_day: 150}
policies:
)";

/// The one policy of a scenario made of kCounties plus `entry`.
PolicySpec policy(const std::string& entry) {
  const Scenario s = load_scenario_text(std::string(kCounties) + "  - " + entry + "\n");
  REQUIRE(s.policies.size() == 1);
  return s.policies[0];
}

RuleSet applied(const std::string& entry, RuleSet r = {}) {
  policy(entry).apply(r);
  return r;
}

std::string error_of(const std::string& entry) {
  try {
    load_scenario_text(std::string(kCounties) + "  - " + entry + "\n");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("opt_out stops sharing or only local notification", "[scenario]") {
  const RuleSet a = applied("{type: opt_out, mode: no_sharing, from: 2010-06-01}");
  CHECK(a.no_sharing);
  CHECK_FALSE(a.no_local_notification);
  const PolicySpec p = policy("{type: opt_out, mode: no_local_notification, from: 2010-10-01, to: 2011-01-01}");
  RuleSet b;
  p.apply(b);
  CHECK(b.no_local_notification);
  CHECK_FALSE(b.no_sharing);
  CHECK(p.scope.kind == Scope::Kind::all);
  CHECK(p.summary == "opt_out no_local_notification from 2010-10-01 until 2011-01-01 in all jurisdictions");
  CHECK(p.origin == "<text>:8");
}

TEST_CASE("state_refuses freezes the rollout in the named states", "[scenario]") {
  const PolicySpec p = policy("{type: state_refuses, from: 2011-05-04, to: 2011-08-05, scope: {states: [IL]}}");
  RuleSet r;
  p.apply(r);
  CHECK(r.freeze_rollout);
  CHECK_FALSE(r.no_local_notification);
  Jurisdiction cook, kings;
  cook.state = "IL";
  kings.state = "NY";
  CHECK(p.scope.covers(cook));
  CHECK_FALSE(p.scope.covers(kings));
  const RuleSet n = applied("{type: state_refuses, effect: no_sharing, from: 2011-06-01, scope: {states: [NY]}}");
  CHECK(n.no_sharing);
  CHECK_THAT(error_of("{type: state_refuses, from: 2011-05-04, scope: {jurisdictions: [cook_il]}}"),
             Catch::Contains("policies[0].scope: state_refuses needs scope: {states: [..]}"));
}

TEST_CASE("post_conviction_only delays the IDENT check to conviction", "[scenario]") {
  CHECK(applied("{type: post_conviction_only, from: 2011-01-01}").post_conviction_only);
}

TEST_CASE("detainer_policy sets which detainers the jail honours", "[scenario]") {
  const RuleSet declined =
      applied("{type: detainer_policy, rule: decline_all, from: 2011-09-07, scope: {jurisdictions: [cook_il]}}");
  CHECK(declined.honor_level == PerLevel<bool>{false, false, false, false});

  const PolicySpec p = policy(
      "{type: detainer_policy, rule: honor_levels, levels: [level1], from: 2011-10-18, scope: {jurisdictions: "
      "[santa_clara_ca]}}");
  CHECK(p.summary == "detainer_policy honor_levels [level1] from 2011-10-18 in santa_clara_ca");
  RuleSet r;
  p.apply(r);
  CHECK(r.honor_level == PerLevel<bool>{true, false, false, false});
  CHECK(r.honor_share == 1.0);

  RuleSet w = declined;
  policy("{type: detainer_policy, rule: require_judicial_warrant, from: 2014-05-29, max_hold: 24h}").apply(w);
  CHECK(w.honor_level == PerLevel<bool>{true, true, true, true});
  CHECK(w.honor_share == 0.05);
  CHECK(w.max_hold_business == 24 * sim::kHour);
  CHECK(applied("{type: detainer_policy, rule: require_judicial_warrant, share_honored: 0.2, from: 2014-05-29}")
            .honor_share == 0.2);
  CHECK(applied("{type: detainer_policy, rule: honor_all, from: 2015-01-26}", declined).honor_level[3]);

  CHECK_THAT(error_of("{type: detainer_policy, rule: decline_all, levels: [level1], from: 2011-09-07}"),
             Catch::Contains("policies[0].levels: 'levels' applies only to rule honor_levels"));
  CHECK_THAT(error_of("{type: detainer_policy, rule: decline_all, share_honored: 0.1, from: 2011-09-07}"),
             Catch::Contains("applies only to rule require_judicial_warrant"));
  CHECK_THAT(error_of("{type: detainer_policy, from: 2011-09-07}"), Catch::Contains("required key 'rule' is missing"));
  CHECK_THAT(error_of("{type: detainer_policy, rule: honor_levels, levels: [level4], from: 2011-09-07}"),
             Catch::Contains("policies[0].levels[0]: unknown value 'level4'"));
}

TEST_CASE("arrest_bias multiplies one group's bookings for some charges", "[scenario]") {
  RuleSet r =
      applied("{type: arrest_bias, group: removable_unknown, charge: traffic, multiplier: 3, from: 2010-01-01}");
  CHECK(r.arrest_bias[5][3] == 3);
  CHECK(r.arrest_bias[5][2] == 1);
  policy(
      "{type: arrest_bias, group: removable_unknown, charges: [traffic, misdemeanor], multiplier: 2, from: 2010-01-01}")
      .apply(r);
  CHECK(r.arrest_bias[5][3] == 6);  // multipliers compose
  CHECK(r.arrest_bias[5][2] == 2);
  CHECK(policy("{type: arrest_bias, group: lpr, charge: traffic, multiplier: 1.5, from: 2010-01-01}").summary ==
        "arrest_bias lpr traffic x1.5 from 2010-01-01 in all jurisdictions");
  CHECK_THAT(
      error_of("{type: arrest_bias, group: lpr, charge: traffic, charges: [traffic], multiplier: 2, from: 2010-01-01}"),
      Catch::Contains("not both"));
  CHECK_THAT(error_of("{type: arrest_bias, group: lpr, multiplier: 2, from: 2010-01-01}"),
             Catch::Contains("give 'charge' or 'charges'"));
  CHECK_THAT(error_of("{type: arrest_bias, group: lpr, charge: traffic, multiplier: -1, from: 2010-01-01}"),
             Catch::Contains("policies[0].multiplier: must be >= 0, got -1"));
}

TEST_CASE("arrest_bias on several groups reaches each of them: police see traits, not status", "[scenario]") {
  const RuleSet r = applied(
      "{type: arrest_bias, groups: [naturalized, lpr, removable_unknown], charge: traffic, multiplier: 4, "
      "from: 2010-01-01}");
  CHECK(r.arrest_bias[1][3] == 4);  // naturalized
  CHECK(r.arrest_bias[2][3] == 4);  // lpr
  CHECK(r.arrest_bias[5][3] == 4);  // removable_unknown
  CHECK(r.arrest_bias[0][3] == 1);  // us_born untouched
  CHECK(r.arrest_bias[4][3] == 1);  // removable_known not listed
  CHECK(r.arrest_bias[2][2] == 1);  // other charges untouched
  CHECK(policy("{type: arrest_bias, groups: [lpr, other_lawful], charge: traffic, multiplier: 2, from: 2010-01-01}")
            .summary == "arrest_bias lpr,other_lawful traffic x2 from 2010-01-01 in all jurisdictions");
  CHECK_THAT(error_of("{type: arrest_bias, group: lpr, groups: [lpr], charge: traffic, multiplier: 2, "
                      "from: 2010-01-01}"),
             Catch::Contains("policies[0].groups: give either 'group' or 'groups', not both"));
  CHECK_THAT(error_of("{type: arrest_bias, charge: traffic, multiplier: 2, from: 2010-01-01}"),
             Catch::Contains("give 'group' or 'groups'"));
  CHECK_THAT(error_of("{type: arrest_bias, groups: [lpr, aliens], charge: traffic, multiplier: 2, from: 2010-01-01}"),
             Catch::Contains("policies[0].groups[1]: unknown value 'aliens'"));
}

TEST_CASE("ice_priorities applies a preset, then explicit levels", "[scenario]") {
  const RuleSet pep = applied("{type: ice_priorities, preset: 2015_pep, from: 2015-07-02}");
  CHECK(pep.p_detainer == PerLevel<double>{0.35, 0.15, 0.02, 0.01});
  CHECK(pep.p_notification == PerLevel<double>{0.55, 0.55, 0.20, 0.05});
  const RuleSet mixed =
      applied("{type: ice_priorities, preset: 2012_guidance, detainer_probability: {level3: 0.2}, from: 2012-12-21}");
  CHECK(mixed.p_detainer == PerLevel<double>{0.95, 0.70, 0.20, 0.15});
  RuleSet only = pep;
  policy("{type: ice_priorities, notification_probability: {noncriminal: 0}, from: 2015-07-02}").apply(only);
  CHECK(only.p_notification == PerLevel<double>{0.55, 0.55, 0.20, 0});
  CHECK(only.p_detainer == pep.p_detainer);
  CHECK_THAT(error_of("{type: ice_priorities, from: 2015-07-02}"), Catch::Contains("needs a preset"));
}

TEST_CASE("the ICE presets carry their era's values", "[scenario]") {
  REQUIRE(ice_presets().size() == 5);
  CHECK(preset_rules("2008_levels").p_detainer == PerLevel<double>{0.95, 0.80, 0.60, 0.50});
  CHECK(preset_rules("2011_discretion").p_detainer == PerLevel<double>{0.95, 0.75, 0.50, 0.40});
  CHECK(preset_rules("2012_guidance").p_detainer == PerLevel<double>{0.95, 0.70, 0.30, 0.15});
  CHECK(preset_rules("2017_reinstated").p_detainer == PerLevel<double>{0.95, 0.85, 0.65, 0.55});
  CHECK(preset_rules("2017_reinstated").p_notification == PerLevel<double>{0, 0, 0, 0});
  CHECK_THROWS_AS(preset_rules("1999"), std::out_of_range);
}

TEST_CASE("the base ice and detainers blocks take the policies' keys", "[scenario]") {
  const Scenario s = load_scenario_text(std::string(kCounties) + R"(  []
ice: {preset: 2011_discretion, notification_probability: {noncriminal: 0.3}}
detainers: {rule: honor_levels, levels: [level1, level2], max_hold: 72h}
)");
  CHECK(s.base_rules.p_detainer == PerLevel<double>{0.95, 0.75, 0.50, 0.40});
  CHECK(s.base_rules.p_notification[3] == 0.3);
  CHECK(s.base_rules.honor_level == PerLevel<bool>{true, true, false, false});
  CHECK(s.base_rules.max_hold_business == 72 * sim::kHour);
  try {
    load_scenario_text(std::string(kCounties) +
                       "  []\nice: {detainer_probability: {level1: 0.9}, notification_probability: {level1: 0.2}}\n");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK_THAT(e.what(), Catch::Contains("exceed 1 for level1 (0.9 + 0.2)"));
  }
}

TEST_CASE("rollout sets activation of the jurisdictions in scope at load time", "[scenario]") {
  const Scenario s = load_scenario_text(
      std::string(kCounties) + R"(  - {type: rollout, activation: 2010-05-04, scope: {jurisdictions: [santa_clara_ca]}}
  - type: rollout
    scope: {states: [NY]}
    coverage: [{date: 2010-10-01, fraction: 0.5}, {date: 2011-06-01, fraction: 1}]
)");
  const Jurisdiction& sc = *s.find_jurisdiction("santa_clara_ca");
  REQUIRE(sc.activation);
  CHECK(sim::format_date(*sc.activation) == "2010-05-04");
  CHECK(s.find_jurisdiction("kings_ny")->coverage.size() == 2);
  CHECK_FALSE(s.find_jurisdiction("kings_ny")->activation);
  CHECK(sim::format_date(*s.find_jurisdiction("cook_il")->activation) == "2010-06-01");  // out of scope
  CHECK(sim::format_date(s.policies[0].from) == "2010-05-04");  // `from` defaults to the first date
  CHECK(sim::format_date(s.policies[1].from) == "2010-10-01");
  RuleSet r;
  s.policies[0].apply(r);  // no rule change
  CHECK_FALSE(r.no_sharing);
  CHECK_THAT(error_of("{type: rollout, activation: 2010-05-04}"), Catch::Contains("rollout needs scope"));
  CHECK_THAT(error_of("{type: rollout, scope: {states: [CA]}}"),
             Catch::Contains("give either 'activation' or 'coverage'"));
}

TEST_CASE("policy entries are checked like every other map", "[scenario]") {
  CHECK_THAT(error_of("{type: opt_out, mode: no_sharing, from: 2010-06-01, scop: all}"),
             Catch::Contains("<text>:8:57: policies[0].scop: unknown key 'scop'; did you mean 'scope'?"));
  CHECK_THAT(error_of("{type: opt_out, mode: everything, from: 2010-06-01}"),
             Catch::Contains("policies[0].mode: unknown value 'everything'"));
  CHECK_THAT(error_of("{type: opt_out, mode: no_sharing}"),
             Catch::Contains("policies[0].from: required key 'from' is missing"));
  CHECK_THAT(error_of("{type: opt_out, mode: no_sharing, from: 2010-06-01, scope: states}"),
             Catch::Contains("policies[0].scope: expected all, {states: [..]} or {jurisdictions: [..]}"));
  CHECK_THAT(error_of("{mode: no_sharing, from: 2010-06-01}"),
             Catch::Contains("policies[0].type: required key 'type'"));
}

TEST_CASE("every policy type is documented in the reference", "[scenario]") {
  const std::string md = scsim_app::scenario_reference_markdown();
  for (const auto& name : policy_type_names()) CHECK(md.find("\n## " + name + "\n") != std::string::npos);
  CHECK(policy_type_names().size() == 8);
}
