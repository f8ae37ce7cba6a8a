// A resolved scenario written as JSON and read back (models/scenario/json.hpp)
// is the same scenario: the same document again, and the same simulation,
// bit for bit. Malformed or foreign documents are refused with a ScenarioError.
#include <catch2/catch.hpp>

#include "models/pipeline/journey.hpp"
#include "models/scenario/error.hpp"
#include "models/scenario/json.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;

namespace {
const std::string kScenarios = std::string(SCSIM_TEST_DIR) + "/../scenarios/";
}

TEST_CASE("every shipped scenario survives a JSON round trip unchanged", "[json]") {
  for (const char* f : {"counties/cook.yaml", "counties/los_angeles.yaml", "counties/harris.yaml",
                        "counties/santa_clara.yaml", "counties/miami_dade.yaml", "historical/us_2008_2011.yaml",
                        "historical/us_2008_2014.yaml", "whatif/trust_act.yaml", "whatif/arrest_bias_traffic.yaml",
                        "whatif/post_conviction_only.yaml", "whatif/detainers_level1_only.yaml",
                        "whatif/opt_out_no_sharing.yaml", "whatif/opt_out_no_notification.yaml"}) {
    INFO(f);
    const Scenario sc = load_scenario(kScenarios + f);
    const std::string once = scenario_to_json(sc);
    const Scenario back = scenario_from_json(once, f);
    CHECK(scenario_to_json(back) == once);
    CHECK(back.policies.size() == sc.policies.size());
    CHECK(back.jurisdictions.size() == sc.jurisdictions.size());
  }
}

TEST_CASE("a scenario read back from JSON simulates bit for bit like the original", "[json]") {
  for (const char* f : {"counties/cook.yaml", "whatif/arrest_bias_traffic.yaml", "whatif/trust_act.yaml"}) {
    INFO(f);
    const Scenario sc = load_scenario(kScenarios + f, {"volume_scale=0.2"});
    const Scenario back = scenario_from_json(scenario_to_json(sc, -1), f);
    const ReplicationResult a = run_replication(sc, 3), b = run_replication(back, 3);
    CHECK(a.events == b.events);
    CHECK(a.flows == b.flows);
    CHECK(a.monthly == b.monthly);
  }
}

TEST_CASE("malformed and foreign JSON documents are refused with the source named", "[json]") {
  CHECK_THROWS_WITH(scenario_from_json("{", "x.json"), Catch::Contains("x.json:1:") && Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(scenario_from_json("{\"a\": 1}", "x.json"), Catch::Contains("not a resolved scsim scenario"));
  CHECK_THROWS_WITH(scenario_from_json("{\"scsim_scenario\": 99, \"scenario\": {}}", "x.json"),
                    Catch::Contains("format version 99"));
  const Scenario sc = load_scenario(kScenarios + "counties/cook.yaml");
  std::string text = scenario_to_json(sc);
  const auto at = text.find("\"seed\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 6, "\"sead\"");
  CHECK_THROWS_WITH(scenario_from_json(text, "x.json"), Catch::Contains("x.json") && Catch::Contains("seed"));
}
