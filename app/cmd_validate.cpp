// `scsim validate FILE...`: loads and checks scenarios without running them.
#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/schema.hpp"

namespace scsim_app {

namespace {
void add_validate_command(CLI::App& app, Common&) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("validate", "Check scenario files without running them");
  cmd->add_option("files", *files, "Scenario YAML files")->required();
  cmd->callback([files] {
    int bad = 0;
    for (const auto& f : *files) {
      try {
        scsim::Scenario sc = scsim::load_scenario(f);
        std::cout << f << ": ok (" << sc.name << ", " << sc.jurisdictions.size() << " jurisdictions, "
                  << sc.policies.size() << " policies)\n";
      } catch (const scsim::ScenarioError& e) {
        std::cerr << "error: " << e.what() << "\n";
        ++bad;
      }
    }
    if (bad) throw UsageError(std::to_string(bad) + " of " + std::to_string(files->size()) + " scenario file(s) invalid");
  });
}

const bool registered = register_command(20, &add_validate_command);
}  // namespace

}  // namespace scsim_app
