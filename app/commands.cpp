#include "app/commands.hpp"

#include <algorithm>
#include <vector>

#include "app/output.hpp"
#include "analysis/results.hpp"
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

void add_output_dir_options(CLI::App* cmd, std::string& out, bool& force, const std::string& help) {
  cmd->add_option("-o,--out", out, help);
  cmd->add_flag("-f,--force", force, "Replace an output directory scsim wrote before");
}

void add_format_option(CLI::App* cmd, std::string& format, const std::vector<std::string>& choices) {
  cmd->add_option("--format", format, "stdout format")->check(CLI::IsMember(choices))->capture_default_str();
}

void add_scope_option(CLI::App* cmd, std::string& scope) {
  cmd->add_option("--scope", scope, "Scope of the table: national, a state or a jurisdiction id")
      ->capture_default_str();
}

std::size_t scope_index(const scsim::Scopes& scopes, const std::string& name) {
  const std::size_t s = scopes.find(name);
  if (s == std::string::npos)
    throw UsageError("unknown scope '" + name + "' (try national, a state or a jurisdiction id)");
  return s;
}

void add_registered_commands(CLI::App& app, Common& common) {
  auto r = registry();
  std::stable_sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : r) add(app, common);
}

}  // namespace scsim_app
