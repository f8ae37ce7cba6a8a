// Targets files: the format users bring (metric,scope,as_of,value,tolerance,
// source), the errors a bad file gets (file, line, column, column name), the
// checks against a scenario, and how a simulated value is read from monthly
// results (pro rata inside a month, counts scaled back by volume_scale).
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "models/pipeline/journey.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/schema.hpp"
#include "analysis/targets.hpp"

using namespace scsim;

namespace {

const char* kHeader = "metric,scope,as_of,value,tolerance,source\n";

const char* kCounties = R"(
name: two counties
period: {start: 2011-01-01, end: 2011-03-31}
seed: 3
replications: 2
jurisdictions:
  - {id: alpha_co, state: CA, bookings_per_day: 100, activation: 2010-01-01}
  - {id: beta_co, state: CA, bookings_per_day: 50, activation: 2010-01-01}
)";

Scenario counties() { return load_scenario_text(kCounties); }

/// Parses text that must fail; returns the error.
ScenarioError parse_error(const std::string& body) {
  try {
    parse_targets(body, "t.csv");
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error for:\n" << body);
  return ScenarioError("", 0, 0, "", "");
}

ScenarioError validate_error(const std::string& rows) {
  const Targets t = parse_targets(std::string(kHeader) + rows, "t.csv");
  try {
    validate_targets(t, counties());
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no error for:\n" << rows);
  return ScenarioError("", 0, 0, "", "");
}

}  // namespace

TEST_CASE("a targets file reads counts, ratios, percent tolerances and quoted sources", "[targets]") {
  const Targets t = parse_targets(std::string("# a comment line\n") + kHeader +
                                      "ice_bookings,national,2011-05-31,260000,5%,\"seed, note 3\"\n"
                                      "\n"
                                      "ice_bookings_noncriminal/ice_bookings, LA ,2011-04-30,0.699,0.05,\"says \"\"69.9%\"\"\"\n"
                                      "end_removed,alpha_co,2011-02-28,10,0.2,\n",
                                  "t.csv");
  REQUIRE(t.items.size() == 3);
  CHECK(t.items[0].numerator == Metric::ice_bookings);
  CHECK_FALSE(t.items[0].is_ratio());
  CHECK(t.items[0].tolerance == Approx(0.05));
  CHECK(t.items[0].source == "seed, note 3");
  CHECK(t.items[0].line == 3);
  CHECK(t.items[1].is_ratio());
  CHECK(*t.items[1].denominator == Metric::ice_bookings);
  CHECK(t.items[1].scope == "LA");
  CHECK(t.items[1].source == "says \"69.9%\"");
  CHECK(t.items[2].numerator == end_metric(EndState::removed));
  CHECK(t.items[2].as_of == sim::parse_date("2011-02-28"));
}

TEST_CASE("a bad targets file is refused with its line, column and column name", "[targets][errors]") {
  auto e = parse_error("metric,scope,date,value,tolerance,source\n");
  CHECK(e.line == 1);
  CHECK(e.key_path == "as_of");
  CHECK(e.message.find("'date' where 'as_of' is expected") != std::string::npos);

  e = parse_error(std::string(kHeader) + "ice_bookings,national,2011-05-31,1,5%,x\nice_bookins,national,2011-05-31,1,5%,x\n");
  CHECK(e.line == 3);
  CHECK(e.column == 1);
  CHECK(e.key_path == "metric");
  CHECK(e.message == "unknown metric 'ice_bookins'; did you mean 'ice_bookings'?");
  CHECK(std::string(e.what()).rfind("t.csv:3:1: metric:", 0) == 0);

  e = parse_error(std::string(kHeader) + "ice_bookings/ice_bookngs,national,2011-05-31,0.5,5%,x\n");
  CHECK(e.column == 14);
  CHECK(e.message.find("unknown metric 'ice_bookngs'") != std::string::npos);

  e = parse_error(std::string(kHeader) + "jail_bed_days,national,2011-05-31,1,5%,x\n");
  CHECK(e.message.find("is not a count") != std::string::npos);

  e = parse_error(std::string(kHeader) + "removals,national,2011-13-01,1,5%,x\n");
  CHECK(e.key_path == "as_of");
  CHECK(e.column == 19);

  e = parse_error(std::string(kHeader) + "removals,national,2011-05-31,lots,5%,x\n");
  CHECK(e.key_path == "value");
  e = parse_error(std::string(kHeader) + "removals,national,2011-05-31,-3,5%,x\n");
  CHECK(e.message.find("positive") != std::string::npos);
  e = parse_error(std::string(kHeader) + "removals/ice_bookings,national,2011-05-31,1.5,5%,x\n");
  CHECK(e.message.find("at most 1") != std::string::npos);
  e = parse_error(std::string(kHeader) + "removals,national,2011-05-31,3,150%,x\n");
  CHECK(e.key_path == "tolerance");
  e = parse_error(std::string(kHeader) + "removals,national,2011-05-31,3,5%\n");
  CHECK(e.message == "expected 6 columns, found 5");
  e = parse_error(std::string(kHeader) + "removals,national,2011-05-31,3,5%,\"open\n");
  CHECK(e.message == "unterminated quote");
  e = parse_error("");
  CHECK(e.message.find("empty file") != std::string::npos);
  e = parse_error(kHeader);
  CHECK(e.message == "no targets after the header");
}

TEST_CASE("targets naming an unknown scope or a date outside the period are refused", "[targets][errors]") {
  auto e = validate_error("removals,alpha_co,2011-02-28,1,5%,x\nremovals,alpha_cp,2011-02-28,1,5%,x\n");
  CHECK(e.file == "t.csv");
  CHECK(e.line == 3);
  CHECK(e.key_path == "scope");
  CHECK(e.message.find("unknown scope 'alpha_cp'") != std::string::npos);
  CHECK(e.message.find("did you mean 'alpha_co'") != std::string::npos);

  e = validate_error("removals,national,2011-04-01,1,5%,x\n");
  CHECK(e.line == 2);
  CHECK(e.key_path == "as_of");
  CHECK(e.message.find("outside the scenario's period (2011-01-01 to 2011-03-31)") != std::string::npos);

  e = validate_error("removals,national,2010-12-31,1,5%,x\n");
  CHECK(e.key_path == "as_of");
  // The state scope exists only when a state holds two or more jurisdictions.
  const Targets ok = parse_targets(std::string(kHeader) + "removals,CA,2011-03-31,1,5%,x\n", "t.csv");
  CHECK_NOTHROW(validate_targets(ok, counties()));
}

TEST_CASE("a simulated count as of a day inside a month is that month's count pro rata", "[targets]") {
  const Scenario sc = counties();
  const Scopes scopes = Scopes::build(sc);
  const Months months = Months::build(sc);
  ReplicationResult r;
  r.scopes = scopes.size();
  r.months = months.size();
  r.monthly.assign(r.months * r.scopes * kMetrics, 0.0);
  auto set = [&](std::size_t mo, Metric m, double v) {
    r.monthly[(mo * r.scopes + 0) * kMetrics + std::size_t(m)] = v;
  };
  set(0, Metric::ice_bookings, 310);  // January: 31 days
  set(1, Metric::ice_bookings, 280);  // February: 28 days
  set(0, Metric::ice_bookings_noncriminal, 31);
  set(1, Metric::ice_bookings_noncriminal, 140);
  Target t = parse_targets(std::string(kHeader) + "ice_bookings,national,2011-02-14,1,5%,x\n", "t.csv").items[0];
  CHECK(simulated_value(t, sc, r) == Approx(310 + 280 * 14.0 / 28));
  t.as_of = sim::parse_date("2011-01-31");
  CHECK(simulated_value(t, sc, r) == Approx(310));
  t = parse_targets(std::string(kHeader) + "ice_bookings_noncriminal/ice_bookings,national,2011-02-28,0.5,5%,x\n", "t.csv")
          .items[0];
  CHECK(simulated_value(t, sc, r) == Approx(171.0 / 590));

  // A quick run at a fraction of the volume estimates full-scale counts; ratios are unscaled.
  Scenario scaled = load_scenario_text(kCounties, ".", {"volume_scale=0.1"});
  CHECK(simulated_value(t, scaled, r) == Approx(171.0 / 590));
  t.denominator.reset();
  CHECK(simulated_value(t, scaled, r) == Approx(1710));
}

TEST_CASE("check_targets passes a target within tolerance, fails one outside and writes both", "[targets]") {
  const Scenario sc = counties();
  const auto reps = std::vector<ReplicationResult>{run_replication(sc, 0), run_replication(sc, 1)};
  const double booked = (reps[0].total(0, Metric::bookings) + reps[1].total(0, Metric::bookings)) / 2;
  const Targets t = parse_targets(std::string(kHeader) + "bookings,national,2011-03-31," + std::to_string(booked * 1.02) +
                                      ",5%,close\nbookings,national,2011-03-31," + std::to_string(booked * 1.2) +
                                      ",5%,\"far, too\"\n",
                                  "t.csv");
  const auto checks = check_targets(t, sc, reps);
  REQUIRE(checks.size() == 2);
  CHECK(checks[0].pass);
  CHECK(checks[0].relative_error == Approx(1 / 1.02 - 1));
  CHECK(checks[0].simulated.n == 2);
  CHECK_FALSE(checks[1].pass);
  const std::string csv = targets_check_csv(checks);
  CHECK(csv.rfind("metric,scope,as_of,observed,simulated_mean,ci95_low,ci95_high,relative_error,tolerance,pass,", 0) == 0);
  CHECK(csv.find(",true,2,close\n") != std::string::npos);
  CHECK(csv.find(",false,2,\"far, too\"\n") != std::string::npos);
}

TEST_CASE("the shipped seed targets read and fit the historical scenario's period and scopes", "[targets]") {
  const auto dir = std::filesystem::path(SCSIM_TEST_DIR) / ".." / "scenarios" / "historical";
  const Targets t = read_targets((dir / "targets_2011.csv").string());
  CHECK(t.items.size() == 13);
  const Scenario sc = load_scenario(dir / "us_2008_2011.yaml");
  CHECK_NOTHROW(validate_targets(t, sc));
  for (const auto& x : t.items) CHECK(x.tolerance == Approx(0.05));
}

TEST_CASE("every broken targets fixture reports its file, line, column, column name and message", "[targets][errors]") {
  // tests/fixtures/targets/broken/NAME.csv with NAME.expect (YAML): what the
  // error must say. Syntax errors come from read_targets, scenario errors
  // (scope, dates) from validate_targets against fixtures/targets/scenario.yaml.
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(SCSIM_TEST_DIR) / "fixtures" / "targets";
  const Scenario sc = load_scenario(dir / "scenario.yaml");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "broken"))
    if (e.path().extension() == ".csv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 12);
  for (const auto& f : files) {
    DYNAMIC_SECTION(f.filename().string()) {
      fs::path xp = f;
      xp.replace_extension(".expect");
      REQUIRE(fs::exists(xp));
      const YAML::Node expect = YAML::LoadFile(xp.string());
      std::optional<ScenarioError> err;
      try {
        validate_targets(read_targets(f.string()), sc);
      } catch (const ScenarioError& e) {
        err = e;
      }
      REQUIRE(err.has_value());
      INFO(err->what());
      CHECK(err->file == f.string());
      CHECK(err->line == expect["line"].as<int>());
      CHECK(err->column == expect["column"].as<int>());
      CHECK(err->key_path == expect["key_path"].as<std::string>());
      CHECK_THAT(err->message, Catch::Contains(expect["message"].as<std::string>()));
      CHECK(std::string(err->what()).rfind(f.string() + ":" + std::to_string(err->line) + ":", 0) == 0);
    }
  }
}
