#pragma once
/// A resolved scenario as JSON, and back. Part of the yaml-free scenario core:
/// the browser build receives its scenario this way (written by the native
/// loader, `scsim resolve --format json`), and a round trip gives a scenario
/// that simulates bit for bit like the original (tests/models/scenario/test_json.cpp).
///
/// The document is every field of `Scenario` after extends, overrides and
/// policies were resolved (policies as their RulePatch data), with a format
/// version. Durations are seconds, dates ISO strings, enumerations names.
#include <string>

#include "models/scenario/scenario.hpp"

namespace scsim {

/// 2: policies carry `id`, calibrate entries `source`, `physical_bound`, `reason`.
inline constexpr int kScenarioJsonVersion = 2;

/// The scenario as a JSON text (compact when indent < 0).
std::string scenario_to_json(const Scenario& sc, int indent = 2);

/// Reads a document written by scenario_to_json. Throws ScenarioError naming
/// `source` and the offending JSON key path on a malformed or foreign document.
Scenario scenario_from_json(const std::string& text, const std::string& source = "<json>");

}  // namespace scsim
