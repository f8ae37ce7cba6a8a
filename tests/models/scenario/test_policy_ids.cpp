// Policies named by id (issue 13): `policies[memo_2011]` selects a policy in
// `calibrate:` paths and --set overrides as `policies[3]` does by position; ids
// are unique in the resolved scenario (after extends), kept in PolicySpec and in
// the resolved JSON. Broken cases with their file:line are also pinned by the
// fixtures tests/fixtures/broken/policy_duplicate_id, policy_id_digits and
// calibrate_unknown_policy_id.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "models/scenario/error.hpp"
#include "models/scenario/json.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {

const std::string kTwo = R"(name: two policies
period: {start: 2011-01-01, end: 2011-12-31}
jurisdictions:
  - {id: a_county, state: CA, bookings_per_day: 100, activation: 2010-01-01}
policies:
  - {type: arrest_bias, id: traffic_stops, group: removable_known, charge: traffic, multiplier: 2, from: 2011-02-01}
  - {type: ice_priorities, id: memo_2011, from: 2011-06-17, detainer_probability: {level1: 0.9, level3: 0.3}}
  - {type: opt_out, mode: no_local_notification, from: 2011-09-01}
)";

ScenarioError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no ScenarioError");
  throw;  // unreachable
}

constexpr std::size_t kL1 = 0, kL3 = 2;

}  // namespace

TEST_CASE("a policy's id is kept in the scenario and in its resolved JSON", "[scenario][policy_id]") {
  const Scenario s = load_scenario_text(kTwo);
  REQUIRE(s.policies.size() == 3);
  CHECK(s.policies[0].id == "traffic_stops");
  CHECK(s.policies[1].id == "memo_2011");
  CHECK(s.policies[2].id.empty());  // ids are optional
  const std::string json = scenario_to_json(s);
  CHECK(json.find("\"id\": \"memo_2011\"") != std::string::npos);
  const Scenario back = scenario_from_json(json, "x.json");
  CHECK(back.policies[1].id == "memo_2011");
  CHECK(back.policies[2].id.empty());
  CHECK(scenario_to_json(back) == json);
}

TEST_CASE("an override names a policy by id as by position", "[scenario][policy_id]") {
  const Scenario by_id = load_scenario_text(kTwo, ".", {"policies[memo_2011].detainer_probability.level3=0.15",
                                                        "policies[traffic_stops].multiplier=3"});
  const Scenario by_pos =
      load_scenario_text(kTwo, ".", {"policies[1].detainer_probability.level3=0.15", "policies[0].multiplier=3"});
  const Scenario plain = load_scenario_text(kTwo);
  REQUIRE(by_id.policies[1].patch.p_detainer[kL3].has_value());
  CHECK(*by_id.policies[1].patch.p_detainer[kL3] == Approx(0.15));
  CHECK(*by_id.policies[1].patch.p_detainer[kL1] == Approx(0.9));  // the rest of the policy unchanged
  CHECK(*plain.policies[1].patch.p_detainer[kL3] == Approx(0.3));
  CHECK(scenario_to_json(by_id) == scenario_to_json(by_pos));
  CHECK(scenario_to_json(by_id) != scenario_to_json(plain));
}

TEST_CASE("a calibrate path names a policy by id; an unknown id is an error naming the file, line and id",
          "[scenario][policy_id]") {
  const Scenario s = load_scenario_text(kTwo + R"(calibrate:
  - {path: "policies[memo_2011].detainer_probability.level3", lower: 0.05, upper: 0.9}
  - {path: "policies[traffic_stops].multiplier", lower: 1, upper: 4}
)");
  REQUIRE(s.calibrate.size() == 2);
  CHECK(s.calibrate[0].path == "policies[memo_2011].detainer_probability.level3");

  auto e = error_of([&] {
    load_scenario_text(kTwo + "calibrate:\n  - {path: \"policies[memo_2012].detainer_probability.level3\", lower: 0.05, "
                              "upper: 0.9}\n");
  });
  CHECK(e.file == "<text>");
  CHECK(e.line == 10);
  CHECK(e.key_path == "calibrate[0].path");
  CHECK(e.message == "'policies[memo_2012].detainer_probability.level3': no item 'memo_2012' in 'policies' (no item "
                     "has that id); did you mean 'memo_2011'?");
  // The same in an override: <override>, its position, the id.
  e = error_of([&] { load_scenario_text(kTwo, ".", {"seed=3", "policies[memo_2021].detainer_probability.level3=0.2"}); });
  CHECK(e.file == "<override>");
  CHECK(e.line == 2);
  CHECK_THAT(e.message, Catch::Contains("no item 'memo_2021' in 'policies'"));
  // A position past the end says how many there are.
  e = error_of([&] { load_scenario_text(kTwo, ".", {"policies[7].multiplier=2"}); });
  CHECK_THAT(e.message, Catch::Contains("no item '7' in 'policies' (it has 3 items, from 0)"));
}

TEST_CASE("policy ids are unique in the resolved scenario and are names, not numbers", "[scenario][policy_id]") {
  std::string dup = kTwo + "  - {type: opt_out, id: memo_2011, mode: no_sharing, from: 2011-10-01}\n";
  auto e = error_of([&] { load_scenario_text(dup); });
  CHECK(e.file == "<text>");
  CHECK(e.line == 9);
  CHECK(e.key_path == "policies[3].id");
  CHECK(e.message == "duplicate policy id 'memo_2011' (first at <text>:7)");

  // Across an extends chain: the base's policy and the extending file's.
  const fs::path dir = fs::temp_directory_path() / ("scsim_policy_ids_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "base.yaml") << kTwo;
  std::ofstream(dir / "child.yaml") << "extends: base.yaml\npolicies:\n"
                                       "  - {type: ice_priorities, id: traffic_stops, from: 2011-03-01, "
                                       "detainer_probability: {level2: 0.5}}\n";
  e = error_of([&] { load_scenario(dir / "child.yaml"); });
  CHECK(e.file == (dir / "child.yaml").lexically_normal().string());
  CHECK(e.line == 3);
  CHECK(e.key_path == "policies[3].id");
  CHECK_THAT(e.message, Catch::Contains("duplicate policy id 'traffic_stops' (first at ") &&
                            Catch::Contains("base.yaml:6)"));
  fs::remove_all(dir);

  e = error_of([&] {
    load_scenario_text("period: {start: 2011-01-01, end: 2011-12-31}\njurisdictions:\n  - {id: a, state: CA, "
                       "bookings_per_day: 1}\npolicies:\n  - {type: opt_out, id: Memo-2011, mode: no_sharing, from: "
                       "2011-02-01}\n");
  });
  CHECK(e.key_path == "policies[0].id");
  CHECK(e.message == "ids use only a-z, 0-9 and _, got 'Memo-2011'");
}
