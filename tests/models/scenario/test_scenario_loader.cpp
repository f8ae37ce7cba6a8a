// The scenario schema: a scenario author's mistakes must come back as
// FILE:LINE:COL: KEY_PATH: message (the broken fixtures pin each one), and a
// valid file must type exactly as the merge, override and default rules say.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <set>

#include "app/scenario_reference.hpp"
#include "models/scenario/loader.hpp"
#include "sim/random.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(SCSIM_TEST_DIR) / "fixtures";

const char* kMinimal = R"(
period: {start: 2010-01-01, end: 2010-12-31}
jurisdictions:
  - {id: a_county, state: CA, bookings_per_day: 100}
)";

ScenarioError load_error(const std::function<void()>& load) {
  try {
    load();
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no ScenarioError");
  throw;  // unreachable
}

}  // namespace

TEST_CASE("every broken fixture reports its file, line, column, key path and message", "[scenario]") {
  // Each fixture's sidecar .expect (YAML) holds what the error must say; `file`
  // is given when the mistake sits in another file of the extends chain.
  std::vector<fs::path> fixtures;
  for (const auto& e : fs::directory_iterator(kFixtures / "broken"))
    if (e.path().extension() == ".yaml") fixtures.push_back(e.path());
  std::sort(fixtures.begin(), fixtures.end());
  REQUIRE(fixtures.size() >= 25);
  for (const auto& f : fixtures) {
    DYNAMIC_SECTION(f.filename().string()) {
      fs::path expect_path = f;
      expect_path.replace_extension(".expect");
      REQUIRE(fs::exists(expect_path));
      const YAML::Node expect = YAML::LoadFile(expect_path.string());
      const fs::path file = f.parent_path() / expect["file"].as<std::string>(f.filename().string());
      const ScenarioError e = load_error([&] { load_scenario(f); });
      INFO(e.what());
      CHECK(e.file == file.lexically_normal().string());
      CHECK(e.line == expect["line"].as<int>());
      CHECK(e.column == expect["column"].as<int>());
      CHECK(e.key_path == expect["key_path"].as<std::string>());
      CHECK_THAT(e.message, Catch::Contains(expect["message"].as<std::string>()));
      const std::string prefix = e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": ";
      CHECK(std::string(e.what()).rfind(prefix + (e.key_path.empty() ? "" : e.key_path + ": "), 0) == 0);
    }
  }
}

TEST_CASE("a child scenario deep-merges onto its base", "[scenario]") {
  const Scenario s = load_scenario(kFixtures / "valid" / "child.yaml");
  CHECK(s.name == "child");
  CHECK(s.description == "base scenario for the merge tests");  // inherited scalar
  CHECK(s.seed == 3);
  CHECK(s.pipeline.lesc_analysts == 30);
  // A distribution replaces the inherited one whole (no stray median/mean).
  CHECK(s.pipeline.pickup_delay.kind == Dist::Kind::fixed);
  CHECK(s.pipeline.pickup_delay.value == 12 * 3600);

  SECTION("jurisdictions merge by id; new ids are appended") {
    REQUIRE(s.jurisdictions.size() == 3);
    const Jurisdiction& a = *s.find_jurisdiction("alpha_ca");
    CHECK(a.bookings_per_day == 150);
    CHECK(a.jail_cost_per_day == 120);  // from the base entry
    CHECK_FALSE(a.activation);          // removed with `~`
    REQUIRE(a.coverage.size() == 1);
    CHECK(a.population.group_mix[0] == Approx(0.6));
    CHECK(a.population.group_mix[5] == Approx(0.14));
    CHECK(a.population.group_mix[2] == Approx(0.1));  // from the base defaults
    CHECK(a.population.in_ident[0] == Approx(0.01));  // child defaults reach base jurisdictions
    CHECK(a.population.in_ident[1] == 1.0);
    CHECK(s.jurisdictions[1].id == "beta_tx");
    CHECK(s.jurisdictions[1].bookings_per_day == Approx(100));  // 3650 x 10 / 365
    CHECK(s.jurisdictions[1].jail_cost_per_day == 90);
    CHECK(s.jurisdictions[2].id == "gamma_ny");
    CHECK(s.jurisdictions[2].name == "gamma_ny");  // name defaults to the id
  }
  SECTION("policies and calibrate append, base first") {
    REQUIRE(s.policies.size() == 2);
    CHECK(s.policies[0].type == "opt_out");
    CHECK(s.policies[1].type == "post_conviction_only");
    CHECK(s.policies[0].origin.find("base.yaml:") != std::string::npos);
    REQUIRE(s.calibrate.size() == 2);
    CHECK(s.calibrate[1].path == "jurisdictions[alpha_ca].jail_cost_per_day");
  }
  SECTION("the resolved tree is kept, and loading it again gives the same scenario") {
    CHECK(s.resolved_yaml.find("extends") == std::string::npos);
    const Scenario again = load_scenario_text(s.resolved_yaml, kFixtures / "valid");
    CHECK(again.jurisdictions.size() == 3);
    CHECK(again.policies.size() == 2);
    CHECK(again.find_jurisdiction("alpha_ca")->population.group_mix ==
          s.find_jurisdiction("alpha_ca")->population.group_mix);
    CHECK(again.resolved_yaml == s.resolved_yaml);
  }
}

TEST_CASE("overrides change the merged tree before validation", "[scenario]") {
  const Scenario s =
      load_scenario(kFixtures / "valid" / "child.yaml",
                    {"pipeline.lesc_analysts=60", "jurisdictions[alpha_ca].jail_cost_per_day=70",
                     "ice.detainer_probability.level3=0.3", "pipeline.iafis_response={dist: fixed, value: 2h}",
                     "jurisdictions[1].population.group_mix={us_born: 0.76, removable_known: 0}",
                     "costs.inflation=0.03", "policies[0].to=2011-01-01"});
  CHECK(s.pipeline.lesc_analysts == 60);
  CHECK(s.find_jurisdiction("alpha_ca")->jail_cost_per_day == 70);
  CHECK(s.base_rules.p_detainer[2] == 0.3);
  CHECK(s.base_rules.p_detainer[0] == 0.95);  // the rest of the default preset stays
  CHECK(s.pipeline.iafis_response.value == 7200);
  CHECK(s.jurisdictions[1].population.group_mix[0] == 0.76);
  CHECK(s.costs.inflation == 0.03);
  REQUIRE(s.policies[0].to);
  CHECK(sim::format_date(*s.policies[0].to) == "2011-01-01");
  CHECK(s.resolved_yaml.find("lesc_analysts: 60") != std::string::npos);
}

TEST_CASE("a bad override names <override>, its position and the key", "[scenario]") {
  auto error_of = [](std::vector<std::string> overrides) {
    return load_error([&] { load_scenario_text(kMinimal, ".", overrides); });
  };
  ScenarioError e = error_of({"seed=2", "pipeline.lesc_analystz=60"});
  CHECK(e.file == "<override>");
  CHECK(e.line == 2);
  CHECK(e.key_path == "pipeline.lesc_analystz");
  CHECK_THAT(e.message, Catch::Contains("did you mean 'lesc_analysts'?"));

  e = error_of({"pipeline.lesc_analysts=0"});
  CHECK(std::string(e.what()) == "<override>:1:24: pipeline.lesc_analysts: must be >= 1, got 0");
  e = error_of({"jurisdictions[nowhere].bookings_per_day=5"});
  CHECK_THAT(e.message, Catch::Contains("no item 'nowhere'"));
  e = error_of({"volume_scale"});
  CHECK_THAT(e.message, Catch::Contains("expected key.path=value"));
  e = error_of({"seed.x=1"});
  CHECK_THAT(e.message, Catch::Contains("has no keys below it"));
  CHECK(parse_override("a.b = c") == Override{"a.b", " c"});
}

TEST_CASE("durations take a unit and come to whole seconds", "[scenario]") {
  using schema::parse_duration_text;
  CHECK(parse_duration_text("30s") == 30);
  CHECK(parse_duration_text("27min") == 27 * 60);
  CHECK(parse_duration_text("2h") == 7200);
  CHECK(parse_duration_text("48h") == 48 * 3600);
  CHECK(parse_duration_text("3d") == 3 * 86400);
  CHECK(parse_duration_text("1.5d") == 129600);
  CHECK(parse_duration_text("2w") == 14 * 86400);
  CHECK(parse_duration_text("0.1h") == 360);
  CHECK(parse_duration_text("2 h") == 7200);
  CHECK_THROWS_WITH(parse_duration_text("48"), Catch::Contains("needs a unit"));
  CHECK_THROWS_WITH(parse_duration_text("3 fortnights"), Catch::Contains("unknown duration unit 'fortnights'"));
  CHECK_THROWS_WITH(parse_duration_text("5m"), Catch::Contains("did you mean 'min'?"));
  CHECK_THROWS_WITH(parse_duration_text("-1h"), Catch::Contains("must not be negative"));
  CHECK_THROWS_WITH(parse_duration_text("0.5s"), Catch::Contains("whole number of seconds"));
  CHECK_THROWS_WITH(parse_duration_text("h"), Catch::Contains("expected a duration"));
}

TEST_CASE("defaults fill every key a scenario leaves out", "[scenario]") {
  const Scenario s = load_scenario_text(kMinimal);
  CHECK(s.name == "<text>");
  CHECK(s.path == "<text>");
  CHECK(s.seed == 1);
  CHECK(s.replications == 10);
  CHECK(s.volume_scale == 1.0);
  CHECK(s.horizon() == 365 * sim::kDay);
  const PipelineParams& p = s.pipeline;
  CHECK(p.iafis_response.kind == Dist::Kind::exponential);
  CHECK(p.iafis_response.mean == 27 * 60);
  CHECK(p.lesc_service.median == 20 * 60);
  CHECK(p.lesc_service.mean == 30 * 60);
  CHECK(p.ice_decision_delay.mean == 12 * 3600);
  CHECK(p.pickup_delay.median == 20 * 3600);
  CHECK(p.ice_detention.median == 30 * sim::kDay);
  CHECK(p.bond_release_after.mean == 20 * sim::kDay);
  CHECK(p.custody_paths[0] + p.custody_paths[1] + p.custody_paths[2] + p.custody_paths[3] == Approx(1));
  CHECK(p.court_outcomes[0] + p.court_outcomes[1] + p.court_outcomes[2] + p.court_outcomes[3] == Approx(1));
  CHECK(p.removable_conviction[std::size_t(Offense::aggravated)] == 1.0);
  // The base ICE rules are the 2008 preset unless `ice:` says otherwise.
  CHECK(s.base_rules.p_detainer == PerLevel<double>{0.95, 0.80, 0.60, 0.50});
  CHECK(s.base_rules.max_hold_business == 48 * sim::kHour);

  const Jurisdiction& j = s.jurisdictions.at(0);
  CHECK(j.name == "a_county");
  CHECK(j.origin == "<text>:4");
  for (const JailStay& stay : j.jail) {
    CHECK(stay.pretrial_release.kind == Dist::Kind::lognormal);
    CHECK(stay.sentence_served.mean == 33 * sim::kDay);
  }
  // The default stay profile: overall mean ≈ 23 days (DOMAIN.md §5).
  const JailStay& st = j.jail[0];
  const double mean_days =
      (st.path_share[0] * st.pretrial_release.analytic_mean() + st.path_share[1] * st.dismissed.analytic_mean() +
       st.path_share[2] * (st.to_conviction.analytic_mean() + st.sentence_served.analytic_mean())) /
      sim::kDay;
  CHECK(mean_days == Approx(23.25));
}

TEST_CASE("jail `all` applies to every class and per-class keys override it", "[scenario]") {
  const Scenario s = load_scenario_text(std::string(kMinimal) + R"(
defaults:
  jail:
    all: {path_share: {pretrial_release: 0.5, dismissed: 0.2, convicted: 0.3}, dismissed: {dist: fixed, value: 2d}}
    traffic: {path_share: {pretrial_release: 0.9, dismissed: 0.1, convicted: 0}}
  day_of_week: {fri: 2, sat: 0.5}
)");
  const auto& jail = s.jurisdictions[0].jail;
  CHECK(jail[0].path_share[1] == 0.2);
  CHECK(jail[0].dismissed.value == 2 * sim::kDay);
  CHECK(jail[3].path_share[0] == 0.9);
  CHECK(jail[3].dismissed.value == 2 * sim::kDay);
  const auto& dow = s.jurisdictions[0].day_of_week;
  double sum = 0;
  for (double w : dow) sum += w;
  CHECK(sum == Approx(7));  // normalised to mean 1
  CHECK(dow[4] / dow[0] == Approx(2));
}

TEST_CASE("distribution samples average to the analytic mean", "[scenario]") {
  const std::vector<std::string> specs{"{dist: fixed, value: 2h}",
                                       "{dist: exponential, mean: 27min}",
                                       "{dist: lognormal, median: 3d, mean: 23d}",
                                       "{dist: gamma, shape: 2, mean: 40d}",
                                       "{dist: gamma, shape: 0.5, mean: 10d}",
                                       "{dist: weibull, shape: 1.5, mean: 40d}",
                                       "{dist: uniform, min: 0h, max: 48h}"};
  for (const auto& spec : specs) {
    DYNAMIC_SECTION(spec) {
      const Scenario s = load_scenario_text(std::string(kMinimal), ".", {"pipeline.pickup_delay=" + spec});
      const Dist& d = s.pipeline.pickup_delay;
      sim::Stream stream(sim::derive_seed(42, 0, "test.dist"));
      const int n = 200000;
      double sum = 0, sum2 = 0;
      for (int i = 0; i < n; ++i) {
        const auto x = static_cast<double>(d.sample(stream));
        REQUIRE(x >= 0);
        sum += x;
        sum2 += x * x;
      }
      const double mean = sum / n;
      const double se = std::sqrt(std::max(sum2 / n - mean * mean, 0.0) / n);
      CHECK(std::abs(mean - d.analytic_mean()) <= 5 * se + 0.5);  // +0.5 s: rounding to whole seconds
    }
  }
}

TEST_CASE("the reference documents every declared key", "[scenario]") {
  const std::string md = scsim_app::scenario_reference_markdown();
  std::set<const schema::SectionBase*> seen;
  std::size_t keys = 0;
  std::function<void(const schema::SectionBase&)> visit = [&](const schema::SectionBase& s) {
    if (!seen.insert(&s).second) return;
    const auto heading = md.find("\n## " + s.name() + "\n");
    INFO("section " << s.name());
    REQUIRE(heading != std::string::npos);
    const auto next = md.find("\n## ", heading + 1);
    const std::string body = md.substr(heading, next - heading);
    for (const auto& k : s.keys()) {
      if (k.section) visit(*k.section);
      if (k.inherited) continue;
      INFO("key " << k.name);
      CHECK(body.find("| `" + k.name + "` |") != std::string::npos);
      CHECK_FALSE(k.help.empty());
      ++keys;
    }
    for (const auto* v : s.variants()) visit(*v);
    for (const auto* b : s.includes()) visit(*b);
  };
  visit(scenario_section());
  CHECK(keys > 80);
  CHECK(md.find("| `2015_pep` |") != std::string::npos);
}

TEST_CASE("a distribution names its missing or stray parameter", "[scenario]") {
  auto message = [](const std::string& dist) {
    return load_error([&] { load_scenario_text(kMinimal, ".", {"pipeline.pickup_delay=" + dist}); }).message;
  };
  CHECK_THAT(message("{dist: exponential, median: 2h}"),
             Catch::Contains("unknown key 'median' for dist: exponential (it takes mean)"));
  CHECK_THAT(message("{dist: lognormal, mean: 2h}"), Catch::Contains("dist: lognormal needs 'median'"));
  CHECK_THAT(message("{dist: gama, shape: 2, mean: 2h}"), Catch::Contains("did you mean 'gamma'?"));
  CHECK_THAT(message("{dist: uniform, min: 2h, max: 1h}"), Catch::Contains("max must not be below min"));
  CHECK_THAT(message("{dist: gamma, shape: 0, mean: 2h}"), Catch::Contains("must be > 0, got 0"));
  CHECK_THAT(message("27min"), Catch::Contains("expected a distribution such as {dist: exponential, mean: 27min}"));
}

TEST_CASE("an empty policies key appends nothing instead of dropping the inherited policies", "[scenario]") {
  // child.yaml's base carries one policy; an empty `policies:` in an extending
  // text must keep it (it appends an empty list), as must an explicit [].
  const fs::path dir = fs::path(SCSIM_TEST_DIR) / "fixtures" / "valid";
  Scenario inherited = load_scenario(dir / "base.yaml");
  REQUIRE_FALSE(inherited.policies.empty());
  for (const char* text : {"extends: base.yaml\npolicies:\n", "extends: base.yaml\npolicies: []\n"}) {
    INFO(text);
    Scenario s = load_scenario_text(text, dir);
    CHECK(s.policies.size() == inherited.policies.size());
  }
}
