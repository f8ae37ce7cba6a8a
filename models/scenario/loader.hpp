#pragma once
/// Reading scenario files. A load resolves the `extends` chain on YAML trees
/// (keeping each node's file for messages), applies command-line overrides,
/// then validates and types the result through the declarations in
/// scenario_loader.cpp and the policy registry (policies.cpp). Every problem
/// is a ScenarioError "FILE:LINE:COL: KEY_PATH: message".
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/scenario/schema.hpp"

namespace scsim {

/// "key.path=value" split at the first '='; the value is read as a YAML
/// scalar or flow node (`pipeline.lesc_analysts=60`,
/// `jurisdictions[los_angeles_ca].jail_cost_per_day=70`,
/// `pipeline.iafis_response={dist: fixed, value: 2h}`). Throws ScenarioError.
using Override = std::pair<std::string, std::string>;
Override parse_override(std::string_view text);

Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});
/// Inline YAML (tests, notebooks); relative paths resolve against `base_dir`; messages name "<text>".
Scenario load_scenario_text(std::string_view yaml, const std::filesystem::path& base_dir = ".",
                            const std::vector<std::string>& overrides = {});

/// The top-level declarations (for tools that walk the schema, and tests).
const schema::SectionBase& scenario_section();

}  // namespace scsim
