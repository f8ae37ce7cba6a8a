// `scsim scenario-reference`: the scenario file reference (Markdown), generated
// from the schema's key declarations (docs/scenario-reference.md is its output).
#include <iostream>

#include "app/commands.hpp"
#include "app/scenario_reference.hpp"

namespace scsim_app {

namespace {

void add_reference_command(CLI::App& app, Common&) {
  auto* cmd = app.add_subcommand("scenario-reference", "Print the scenario file reference (Markdown) from the schema");
  cmd->callback([] { std::cout << scenario_reference_markdown(); });
}

const bool registered = register_command(95, &add_reference_command);
}  // namespace

}  // namespace scsim_app
