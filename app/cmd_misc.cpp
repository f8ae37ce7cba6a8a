// Small commands: `scsim demo` (the kernel showcase) and
// `scsim scenario-reference` (the scenario keys, generated from the schema).
#include <iostream>

#include "app/commands.hpp"
#include "app/demo.hpp"
#include "app/scenario_reference.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

namespace {

void add_demo_command(CLI::App& app, Common&) {
  auto o = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand("demo", "Kernel demo: a three-stage M/M/c network against Erlang C");
  cmd->add_option("-s,--seed", o->seed, "Master seed")->capture_default_str();
  cmd->add_option("-r,--replications", o->replications, "Replications")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--days", o->days, "Simulated days per replication")->capture_default_str();
  cmd->callback([o] {
    int rc = run_demo(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

void add_reference_command(CLI::App& app, Common&) {
  auto* cmd = app.add_subcommand("scenario-reference", "Print the scenario file reference (Markdown) from the schema");
  cmd->callback([] { std::cout << scenario_reference_markdown(); });
}

const bool demo_registered = register_command(90, &add_demo_command);
const bool reference_registered = register_command(95, &add_reference_command);
}  // namespace

}  // namespace scsim_app
