#include "models/scenario/json.hpp"

#include <nlohmann/json.hpp>

#include "models/scenario/error.hpp"

// Dates and optionals are not nlohmann types; these serializers let the
// field lists below stay declarative.
namespace nlohmann {
template <>
struct adl_serializer<std::chrono::year_month_day> {
  static void to_json(json& j, const std::chrono::year_month_day& d) { j = sim::format_date(d); }
  static void from_json(const json& j, std::chrono::year_month_day& d) { d = sim::parse_date(j.get<std::string>()); }
};
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v)
      j = *v;
    else
      j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null())
      v.reset();
    else
      v = j.get<T>();
  }
};
}  // namespace nlohmann

namespace scsim {

using nlohmann::json;

NLOHMANN_JSON_SERIALIZE_ENUM(Dist::Kind, {{Dist::Kind::fixed, "fixed"},
                                          {Dist::Kind::exponential, "exponential"},
                                          {Dist::Kind::lognormal, "lognormal"},
                                          {Dist::Kind::gamma, "gamma"},
                                          {Dist::Kind::weibull, "weibull"},
                                          {Dist::Kind::uniform, "uniform"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Scope::Kind, {{Scope::Kind::all, "all"},
                                           {Scope::Kind::states, "states"},
                                           {Scope::Kind::jurisdictions, "jurisdictions"}})

void to_json(json& j, const Dist& d) {
  j = json{{"kind", d.kind}, {"value", d.value}, {"mean", d.mean}, {"median", d.median},
           {"shape", d.shape}, {"min", d.min},     {"max", d.max}};
}
void from_json(const json& j, Dist& d) {
  j.at("kind").get_to(d.kind);
  j.at("value").get_to(d.value);
  j.at("mean").get_to(d.mean);
  j.at("median").get_to(d.median);
  j.at("shape").get_to(d.shape);
  j.at("min").get_to(d.min);
  j.at("max").get_to(d.max);
  d.prepare();  // derived parameters, as the loader does
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(JailStay, path_share, pretrial_release, dismissed, to_conviction, sentence_served,
                                   pretrial_convicted, financial_release)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NoncitizenRule, per_latinx, min, max, split, naturalized_share)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Population, group_mix, noncitizens, latinx_share, in_ident, charge_mix, level_given_charge,
                                   rollout_concentration, rollout_noncitizen_cap, rollout_charges, prior_aggravated,
                                   prior_felonies, prior_misdemeanors, offense_given_charge)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PipelineParams, iafis_response, lesc_analysts, lesc_service, lesc_citizen_detection,
                                   ice_decision_delay, pickup_probability, pickup_delay,
                                   notification_pickup_probability, bail_loss_probability,
                                   removable_conviction, status_violation, prior_order, lesc_lawful_screening,
                                   custody_paths, reinstatement, court_outcomes, ice_detention, bond_release_after,
                                   reinstatement_time, stipulated_time, voluntary_return_time, termination_time,
                                   at_large_delay, cap_screening)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CostParams, fiscal_year_start_month, inflation, staff_cost_per_detainer, scaap_rate,
                                   scaap_salary_share, scaap_paid_share, scaap_min_days, ice_per_diem, ice_per_diem_year)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CoveragePoint, date, fraction)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NationalSpec, data_file, rollout_dir, year, annual_turnover, coverage_exponent,
                                   rollout_latinx_pace, state_ramps, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Jurisdiction, id, name, state, bookings_per_day, day_of_week, population, jail,
                                   jail_cost_per_day, jail_cost_year, activation, coverage, origin)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RuleSet, no_sharing, no_local_notification, post_conviction_only, freeze_rollout,
                                   p_detainer, p_notification, p_at_large, screening_287g, honor_level, honor_share, max_hold_business,
                                   arrest_bias, bias_levels)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RulePatch, no_sharing, no_local_notification, post_conviction_only, freeze_rollout,
                                   p_detainer, p_notification, p_at_large, screening_287g, honor_level, honor_share,
                                   max_hold_business,
                                   bias_multiplier, bias_levels)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Scope, kind, ids)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PolicySpec, type, summary, from, to, scope, patch, sets, origin, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CalibrationParam, path, lower, upper, origin, source, physical_bound, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Scenario, name, description, path, resolved_yaml, start, end, bookings_until, seed,
                                   replications, volume_scale, abstract, base_rules, pipeline, costs, jurisdictions,
                                   national, policies, calibrate)

std::string scenario_to_json(const Scenario& sc, int indent) {
  json doc{{"scsim_scenario", kScenarioJsonVersion}, {"scenario", sc}};
  return doc.dump(indent) + (indent >= 0 ? "\n" : "");
}

Scenario scenario_from_json(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ScenarioError(source, 1, static_cast<int>(e.byte), "", std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("scsim_scenario"))
    throw ScenarioError(source, 1, 1, "scsim_scenario", "not a resolved scsim scenario (scsim resolve --format json)");
  if (doc["scsim_scenario"] != kScenarioJsonVersion)
    throw ScenarioError(source, 1, 1, "scsim_scenario",
                        "format version " + doc["scsim_scenario"].dump() + ", this scsim reads " +
                            std::to_string(kScenarioJsonVersion));
  try {
    return doc.at("scenario").get<Scenario>();
  } catch (const json::exception& e) {
    throw ScenarioError(source, 1, 1, "scenario", std::string("malformed: ") + e.what());
  } catch (const std::invalid_argument& e) {  // a bad date
    throw ScenarioError(source, 1, 1, "scenario", std::string("malformed: ") + e.what());
  }
}

}  // namespace scsim
