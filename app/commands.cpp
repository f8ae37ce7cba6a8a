#include "app/commands.hpp"

#include <algorithm>
#include <vector>

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

void add_registered_commands(CLI::App& app, Common& common) {
  auto r = registry();
  std::stable_sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : r) add(app, common);
}

}  // namespace scsim_app
