// Counties inherit the national calibration (issue 13 §7): a county scenario may set only
// local facts — volumes, population and charge mix, jail stays and prices, local policies and
// agreements, local arrest patterns — and takes everything else (who is in IDENT, SC levels,
// ICE's decisions, pick-up, custody paths) from scenarios/calibrated.yaml. This test lists
// each shipped county's own keys and fails on any that is national behaviour.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/loader.hpp"
#include "models/scenario/schema.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {

const fs::path kScenarios = fs::path(SCSIM_TEST_DIR) / ".." / "scenarios";

struct Override {
  std::string path;  // e.g. "jurisdictions[].population.group_mix", "policies[type=detainer_policy]"
  std::string where;
};

/// The keys a file sets itself (not what it inherits), as dotted paths down to the level
/// the rules below judge: maps are walked, a policy is named by its type, a jurisdiction's
/// keys are walked under "jurisdictions[]".
void walk(const schema::Node& n, const std::string& path, std::vector<Override>& out) {
  if (path == "policies" && n.is_sequence()) {
    for (const auto& item : n.items) {
      const schema::Node* t = item.find("type");
      out.push_back({"policies[type=" + (t ? t->scalar : std::string("?")) + "]", item.where.str()});
    }
    return;
  }
  if (path == "jurisdictions" && n.is_sequence()) {
    for (const auto& item : n.items) walk(item, "jurisdictions[]", out);
    return;
  }
  // A distribution or a share map is one value: stop at it rather than at its fields.
  static const std::vector<std::string> kLeafMaps{"period", "group_mix", "charge_mix", "day_of_week"};
  const std::string last = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  const bool distribution = n.is_map() && n.find("dist") != nullptr;
  if (n.is_map() && !distribution && std::find(kLeafMaps.begin(), kLeafMaps.end(), last) == kLeafMaps.end()) {
    for (const auto& e : n.entries) walk(e.value, path.empty() ? e.key : path + "." + e.key, out);
    return;
  }
  out.push_back({path, n.where.str()});
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

/// Local facts a county may set. Anything else is national behaviour.
bool is_local(const std::string& path) {
  static const std::vector<std::string> kExact{
      "extends", "name", "description", "period", "seed", "replications", "volume_scale",
      // which jail, how many bookings, from when
      "jurisdictions[].id", "jurisdictions[].name", "jurisdictions[].state", "jurisdictions[].bookings_per_day",
      "jurisdictions[].jail_population", "jurisdictions[].annual_turnover", "jurisdictions[].activation",
      // who is booked, for what (local data)
      "jurisdictions[].population.group_mix", "jurisdictions[].population.charge_mix",
      "jurisdictions[].population.latinx_share", "defaults.population.group_mix", "defaults.population.charge_mix",
      "defaults.population.latinx_share",
      // jail prices and booking rhythm
      "jurisdictions[].jail_cost_per_day", "jurisdictions[].jail_cost_year", "jurisdictions[].day_of_week",
      "defaults.jail_cost_per_day", "defaults.jail_cost_year", "defaults.day_of_week",
      // local policies and agreements, local arrest practice
      "policies[type=detainer_policy]", "policies[type=opt_out]", "policies[type=state_refuses]",
      "policies[type=agreement_287g]", "policies[type=arrest_bias]"};
  static const std::vector<std::string> kPrefixes{
      "jurisdictions[].coverage", "jurisdictions[].jail.", "defaults.jail.",  // jail stays and money bail
      "costs.",                                                              // county prices, SCAAP
      "detainers."};                                                         // how the jail answers holds
  if (std::find(kExact.begin(), kExact.end(), path) != kExact.end()) return true;
  return std::any_of(kPrefixes.begin(), kPrefixes.end(), [&](const std::string& p) { return starts_with(path, p); });
}

std::vector<Override> own_keys(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto source = std::make_shared<schema::SourceFile>(schema::SourceFile{file.filename().string(), file.parent_path()});
  std::vector<Override> out;
  walk(schema::parse(text.str(), source), "", out);
  return out;
}

/// The chain of files `file` extends, ending in the file that extends nothing.
std::vector<std::string> chain(fs::path file) {
  std::vector<std::string> names;
  for (int i = 0; i < 16; ++i) {
    names.push_back(fs::weakly_canonical(file).filename().string());
    std::ifstream in(file);
    std::string line, ext;
    while (std::getline(in, line))
      if (starts_with(line, "extends:")) ext = line.substr(line.find(':') + 1);
    ext.erase(0, ext.find_first_not_of(' '));
    if (ext.empty()) break;
    file = file.parent_path() / ext;
  }
  return names;
}

}  // namespace

TEST_CASE("the override rule tells local facts from national behaviour", "[scenario][counties]") {
  for (const char* p : {"jurisdictions[].population.group_mix", "jurisdictions[].population.latinx_share",
                        "policies[type=detainer_policy]",
                        "jurisdictions[].jail.all.financial_release", "costs.scaap_rate", "period"})
    CHECK(is_local(p));
  for (const char* p : {"pipeline.pickup_probability", "pipeline.pickup_delay", "defaults.population.in_ident",
                        "jurisdictions[].population.in_ident", "jurisdictions[].population.level_given_charge",
                        "jurisdictions[].population.noncitizens.per_latinx", "defaults.population.noncitizens.split",
                        "policies[type=ice_priorities]", "ice.preset", "national.year"})
    CHECK_FALSE(is_local(p));
}

TEST_CASE("every shipped county inherits the national calibration and overrides only local facts",
          "[scenario][counties]") {
  std::vector<fs::path> counties;
  for (const auto& e : fs::directory_iterator(kScenarios / "counties"))
    if (e.path().extension() == ".yaml") counties.push_back(e.path());
  std::sort(counties.begin(), counties.end());
  REQUIRE(counties.size() >= 5);
  for (const auto& f : counties) {
    const auto names = chain(f);
    INFO(f.filename().string() << " extends " << names.size() - 1 << " file(s)");
    CHECK(std::find(names.begin(), names.end(), "calibrated.yaml") != names.end());
    std::string listing;
    const auto keys = own_keys(f);
    for (const auto& o : keys) listing += "\n  " + o.path + " (" + o.where + ")" + (is_local(o.path) ? "" : "  <- national");
    INFO("overrides of " << f.filename().string() << ":" << listing);
    CHECK(keys.size() >= 5);
    for (const auto& o : keys) {
      INFO(o.path << " at " << o.where);
      CHECK(is_local(o.path));
    }
  }
}
