// `scsim resolve SCENARIO`: the scenario after extends, overrides and policies,
// as every parameter in force — YAML to read, JSON for other programs (the
// browser classroom reads this JSON; models/scenario/json.hpp reads it back).
#include <iostream>

#include "app/commands.hpp"
#include "models/scenario/json.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

namespace {
struct ResolveArgs {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string format = "yaml";
};

void add_resolve_command(CLI::App& app, Common&) {
  auto a = std::make_shared<ResolveArgs>();
  auto* cmd = app.add_subcommand("resolve", "Print a scenario with every parameter in force (YAML or JSON)");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set volume_scale=0.1");
  cmd->add_option("--format", a->format, "yaml (the merged document) or json (the typed, resolved scenario)")
      ->check(CLI::IsMember({"yaml", "json"}))
      ->capture_default_str();
  cmd->callback([a] {
    const scsim::Scenario sc = scsim::load_scenario(a->scenario, a->overrides);
    if (a->format == "json")
      std::cout << scsim::scenario_to_json(sc);
    else
      std::cout << sc.resolved_yaml;
  });
}

const bool registered = register_command(25, &add_resolve_command);
}  // namespace

}  // namespace scsim_app
