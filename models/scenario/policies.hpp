#pragma once
/// The policy registry: the one place that knows policy types (STYLE.md
/// point 7). Each type is one entry in policies.cpp: its keys (declared
/// through the schema engine, so they are validated and documented like every
/// other key) and what it does to a RuleSet. Adding a type touches only that
/// file.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/scenario/schema.hpp"

namespace scsim {

/// One `policies:` entry as read.
struct ParsedPolicy {
  PolicySpec spec;
  /// Load-time effect on each jurisdiction in scope (rollout); empty for rule-changing policies.
  std::function<void(Jurisdiction&)> configure;
  bool from_given = true;  // rollout may leave `from` out (it is then its first date)
};

/// Reads one entry (type, from, to, scope and the type's own keys). Checks
/// what one entry can check; the loader checks dates against the period and
/// scope names against the jurisdictions.
ParsedPolicy parse_policy(const schema::Node& entry, const std::string& path);

/// Schema of a `policies:` item: the common keys, one variant per type.
const schema::SectionBase& policy_section();
std::vector<std::string> policy_type_names();

/// ICE priority presets (DOMAIN.md §2), in date order.
struct IcePreset {
  std::string_view name;
  std::string_view in_force;  // when and by what instrument
  PerLevel<double> p_detainer;
  PerLevel<double> p_notification;
};
const std::vector<IcePreset>& ice_presets();
/// RuleSet{} with the preset's p_detainer and p_notification; throws std::out_of_range.
const RuleSet& preset_rules(std::string_view name);

/// The base `ice:` and `detainers:` blocks take the keys of the
/// ice_priorities and detainer_policy types, and apply to the base rules.
const schema::SectionBase& ice_keys_section();
const schema::SectionBase& detainer_keys_section();
void apply_ice_block(const schema::Node& block, const std::string& path, RuleSet& rules);
void apply_detainers_block(const schema::Node& block, const std::string& path, RuleSet& rules);

// ---- vocabulary shared with the loader (jurisdictions, national.state_ramps) ----

/// The 50 states and DC.
const std::vector<std::string>& us_state_codes();
/// A coverage ramp: [{date, fraction}, ...], dates increasing, fractions in [0,1] non-decreasing.
std::vector<CoveragePoint> read_coverage(const schema::Node& n, const std::string& path);
const schema::SectionBase& coverage_section();

}  // namespace scsim
