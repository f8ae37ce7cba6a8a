#pragma once
/// The tree half of loading a scenario (models/scenario_loader.hpp): reading
/// the files of an `extends` chain under the limits of models/limits.hpp,
/// merging them, and applying command-line overrides. Validation and typing
/// stay in scenario_loader.cpp.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/schema.hpp"

namespace scsim::scenario_files {

/// The merged tree of `file` and the files it extends; messages name the
/// file as `display`.
schema::Node load_file(const std::filesystem::path& file, const std::string& display, schema::ParseBudget& budget);
/// The same for inline YAML named "<text>"; `extends` resolves against `base_dir`.
schema::Node load_text(std::string_view yaml, const std::filesystem::path& base_dir, schema::ParseBudget& budget);

/// Applies `overrides` ("key.path=value") in order to the merged tree; paths
/// resolve against `root_section`. Messages name "<override>" with the
/// override's position (1-based) as the line, including those about a map an
/// override changed (a removed required key, shares that no longer sum to 1).
void apply_overrides(schema::Node& root, const schema::SectionBase& root_section,
                     const std::vector<std::string>& overrides, schema::ParseBudget& budget);

}  // namespace scsim::scenario_files
