// The registry declares which parts of the rules each policy sets
// (PolicySpec::sets): a trace names the policy that decided a branch from that
// declaration, never from a policy's type name. The declaration must match
// what the policy's rule change actually does.
#include <catch2/catch.hpp>

#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {

const char* kCounties = R"(
period: {start: 2010-01-01, end: 2015-12-31}
jurisdictions:
  - {id: santa_clara_ca, state: CA, bookings_per_day: 100}
  - {id: cook_il, state: IL, bookings_per_day: 250, activation: 2010-06-01}
policies:
)";

constexpr std::array<RulePart, 9> kParts{RulePart::rollout_freeze,  RulePart::sharing,
                                         RulePart::local_notification, RulePart::post_conviction,
                                         RulePart::ice_priorities,  RulePart::detainer_response,
                                         RulePart::hold_length,     RulePart::arrest_bias,
                                         RulePart::agreements};

/// Did `part` of the rules differ between a and b?
bool differs(RulePart part, const RuleSet& a, const RuleSet& b) {
  switch (part) {
    case RulePart::rollout_freeze: return a.freeze_rollout != b.freeze_rollout;
    case RulePart::sharing: return a.no_sharing != b.no_sharing;
    case RulePart::local_notification: return a.no_local_notification != b.no_local_notification;
    case RulePart::post_conviction: return a.post_conviction_only != b.post_conviction_only;
    case RulePart::ice_priorities:
      return a.p_detainer != b.p_detainer || a.p_notification != b.p_notification || a.p_at_large != b.p_at_large;
    case RulePart::detainer_response: return a.honor_level != b.honor_level || a.honor_share != b.honor_share;
    case RulePart::hold_length: return a.max_hold_business != b.max_hold_business;
    case RulePart::arrest_bias: return a.arrest_bias != b.arrest_bias || a.bias_levels != b.bias_levels;
    case RulePart::agreements: return a.screening_287g != b.screening_287g;
  }
  return false;
}

/// Two contrasting rule sets: a part a policy sets changes in at least one.
std::array<RuleSet, 2> probes() {
  RuleSet other;
  other.no_sharing = other.no_local_notification = other.post_conviction_only = other.freeze_rollout = true;
  other.p_detainer.fill(0.123);
  other.p_notification.fill(0.321);
  other.p_at_large.fill(0.231);
  other.screening_287g = 0.4;
  other.honor_level.fill(false);
  other.honor_share = 0.5;
  other.max_hold_business = 7;
  for (auto& row : other.arrest_bias) row.fill(2.5);
  return {RuleSet{}, other};
}

}  // namespace

TEST_CASE("each policy declares exactly the parts of the rules it changes", "[scenario][policy]") {
  const char* entries[] = {
      "{type: opt_out, mode: no_sharing, from: 2010-06-01}",
      "{type: opt_out, mode: no_local_notification, from: 2010-06-01}",
      "{type: state_refuses, from: 2011-05-04, scope: {states: [IL]}}",
      "{type: state_refuses, effect: no_sharing, from: 2011-05-04, scope: {states: [IL]}}",
      "{type: state_refuses, effect: no_local_notification, from: 2011-05-04, scope: {states: [IL]}}",
      "{type: post_conviction_only, from: 2010-06-01}",
      "{type: detainer_policy, rule: decline_all, from: 2011-09-07}",
      "{type: detainer_policy, rule: honor_all, max_hold: 24h, from: 2011-09-07}",
      "{type: ice_priorities, preset: 2011_discretion, from: 2011-06-17}",
      "{type: ice_priorities, detainer_probability: {level1: 1}, from: 2011-06-17}",
      "{type: ice_priorities, at_large_probability: {level2: 0.5}, from: 2011-06-17}",
      "{type: agreement_287g, screening: 0.6, from: 2010-06-01, scope: {jurisdictions: [cook_il]}}",
      "{type: arrest_bias, group: removable_known, charge: traffic, multiplier: 3, levels: {noncriminal: 1}, "
      "from: 2010-06-01}",
  };
  for (const char* entry : entries) {
    INFO(entry);
    const Scenario s = load_scenario_text(std::string(kCounties) + "  - " + entry + "\n");
    REQUIRE(s.policies.size() == 1);
    const PolicySpec& p = s.policies[0];
    CHECK(p.sets != 0);
    for (RulePart part : kParts) {
      bool changed = false;
      for (RuleSet before : probes()) {
        RuleSet after = before;
        p.apply(after);
        changed |= differs(part, before, after);
      }
      INFO("part " << static_cast<int>(part));
      CHECK(changed == p.sets_part(part));
    }
  }
}

TEST_CASE("a rollout policy sets no rule: it configures the jurisdictions when loaded", "[scenario][policy]") {
  const Scenario s = load_scenario_text(std::string(kCounties) +
                                        "  - {type: rollout, activation: 2011-01-01, scope: {states: [CA]}}\n");
  REQUIRE(s.policies.size() == 1);
  CHECK(s.policies[0].sets == 0);
}
