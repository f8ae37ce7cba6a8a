#include "app/commands.hpp"

#include <algorithm>
#include <vector>

#include "models/scenario/scenario.hpp"

namespace scsim_app {

namespace {
std::vector<std::pair<int, CommandAdder>>& registry() {
  static std::vector<std::pair<int, CommandAdder>> r;  // constructed on first use: safe from static-init order
  return r;
}
}  // namespace

bool register_command(int order, CommandAdder add) {
  registry().emplace_back(order, add);
  return true;
}

void SimulationArgs::apply(scsim::Scenario& sc) const {
  if (replications) sc.replications = replications;
  if (seed) sc.seed = *seed;
}

void add_simulation_options(CLI::App* cmd, SimulationArgs& s, const std::string& of, const std::string& defaults) {
  const std::string what = of.empty() ? "" : " " + of;
  cmd->add_option("-r,--replications", s.replications, "Replications" + what + " (default: " + defaults + ")")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-s,--seed", s.seed, "Master seed" + what + " (default: " + defaults + ")");
  cmd->add_option("-t,--threads", s.threads, "Threads (0 = all cores); results do not depend on it");
}

void add_registered_commands(CLI::App& app, Common& common) {
  auto r = registry();
  std::stable_sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : r) add(app, common);
}

}  // namespace scsim_app
