// Targets files: the format users bring (metric,scope,as_of,value,tolerance,
// source), the errors a bad file gets (file, line, column, column name), the
// checks against a scenario, and how a simulated value is read from monthly
// results (pro rata inside a month, counts scaled back by volume_scale).
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

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

  // A window FROM..TO counts those days only (both ends included), pro rata inside a month.
  t = parse_targets(std::string(kHeader) + "ice_bookings,national,2011-01-17..2011-02-14,1,5%,x\n", "t.csv").items[0];
  REQUIRE(t.from.has_value());
  CHECK(t.dates() == "2011-01-17..2011-02-14");
  CHECK(simulated_value(t, sc, r) == Approx(310 * 15.0 / 31 + 280 * 14.0 / 28));
  t = parse_targets(std::string(kHeader) + "ice_bookings_noncriminal/ice_bookings,national,2011-02-01..2011-02-28,0.5,5%,x\n",
                    "t.csv")
          .items[0];
  CHECK(simulated_value(t, sc, r) == Approx(140.0 / 280));
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
  CHECK(csv.rfind("metric,scope,as_of,observed,simulated_mean,ci95_low,ci95_high,relative_error,kind,interval_low,"
                  "interval_high,tolerance,pass,",
                  0) == 0);
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
  // Each figure has the kind the seed's wording gives it (DOMAIN.md §6).
  std::map<std::string, TargetKind> kinds;
  for (const auto& x : t.items) kinds[x.label()] = x.kind;
  CHECK(kinds.at("fingerprints_submitted national 2011-05-31") == TargetKind::more_than);  // "more than 8.4 million"
  CHECK(kinds.at("ident_matches national 2011-05-31") == TargetKind::just_over);          // "just over 560,000"
  CHECK(kinds.at("ice_bookings_sc national 2011-05-31") == TargetKind::more_than);           // "more than 260,000"
  CHECK(kinds.at("removals_sc national 2011-05-31") == TargetKind::more_than);               // "over 100,000"
  CHECK(kinds.at("ice_bookings_sc_noncriminal national 2011-05-31") == TargetKind::exact);   // "61,234"
  CHECK(kinds.at("ice_bookings_sc_level3 national 2011-05-31") == TargetKind::approx);       // "≈ 52,000"
  CHECK(kinds.at("ice_bookings_sc_level1 national 2011-05-31") == TargetKind::approx);       // "≈ 58,000"
  CHECK(kinds.at("ident_matches national 2009-10-31") == TargetKind::more_than);          // "> 111,000"
  CHECK(kinds.at("ident_matches_level1 national 2009-10-31") == TargetKind::more_than);   // "> 11,000"
  CHECK(kinds.at("removals_sc_level1 national 2009-10-31") == TargetKind::point);            // "1,900"
  // The two stage files hold the same figures with the same kinds.
  for (const char* stage : {"targets_2011_national.csv", "targets_2011_states.csv"})
    for (const auto& x : read_targets((dir / stage).string()).items) {
      INFO(stage << ": " << x.label());
      REQUIRE(kinds.count(x.label()) == 1);
      CHECK(kinds.at(x.label()) == x.kind);
    }
}

TEST_CASE("the shipped trajectory checks read, fit the historical scenario and are never also targets", "[targets]") {
  // checks_2009_2011.csv holds dated figures between the seed's: checks of the
  // fit, never inputs to it. A figure (metric, scope, date) in both files would
  // be fitted and then "checked" against itself.
  const auto dir = std::filesystem::path(SCSIM_TEST_DIR) / ".." / "scenarios" / "historical";
  const Targets checks = read_targets((dir / "checks_2009_2011.csv").string());
  CHECK(checks.items.size() == 20);
  const Scenario sc = load_scenario(dir / "us_2008_2011.yaml");
  CHECK_NOTHROW(validate_targets(checks, sc));
  std::set<std::string> fitted;
  for (const char* f : {"targets_2011.csv", "targets_2011_national.csv", "targets_2011_states.csv"})
    for (const auto& x : read_targets((dir / f).string()).items) fitted.insert(x.label());
  std::set<std::string> seen;
  for (const auto& x : checks.items) {
    INFO(x.label());
    CHECK(fitted.count(x.label()) == 0);
    CHECK(seen.insert(x.label()).second);  // no figure twice
    CHECK(x.source.find('\'') != std::string::npos);  // each quotes its source's words
    CHECK(x.as_of < sim::Date{std::chrono::year{2011}, std::chrono::month{6}, std::chrono::day{1}});
  }
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

// ---------------------------------------------------------------- kinds (issue 13)

namespace {

const char* kKindHeader = "metric,scope,as_of,value,kind,tolerance,source\n";

Target one_target(const std::string& row) { return parse_targets(std::string(kKindHeader) + row + "\n", "t.csv").items.at(0); }

/// A value a relative hair (1e-5, ten times the margin for rounding) beyond x.
double above(double x) { return x * (1 + 1e-5); }
double below(double x) { return x * (1 - 1e-5); }

}  // namespace

TEST_CASE("each target kind passes at both ends of its interval and fails just outside them", "[targets][kind]") {
  struct Case {
    const char* row;
    TargetKind kind;
    double low, high;
  };
  const std::vector<Case> cases{
      // "more than 260,000": at least 260,000, at most 15 % more.
      {"ice_bookings,national,2011-05-31,260000,more_than,5%,more than", TargetKind::more_than, 260000, 299000},
      // "≈ 52,000": ±5 % (whatever the tolerance column says).
      {"ice_bookings_level3,national,2011-05-31,52000,approx,2%,about", TargetKind::approx, 49400, 54600},
      // "just over 560,000": 560,000 to 5 % more.
      {"ident_matches,national,2011-05-31,560000,just_over,5%,just over", TargetKind::just_over, 560000, 588000},
      // "fewer than 200": at most 200, at least 200 / 1.15.
      {"detainers_issued,national,2011-05-31,200,less_than,5%,fewer than", TargetKind::less_than, 200 / 1.15, 200},
      // A point figure and an exact one: ± the tolerance.
      {"removals_level1,national,2009-10-31,1900,point,10%,point", TargetKind::point, 1710, 2090},
      {"ice_bookings_noncriminal,national,2011-05-31,61234,exact,5%,exact", TargetKind::exact, 58172.3, 64295.7},
      {"ice_bookings_noncriminal/ice_bookings,LA,2011-04-30,0.699,point,5%,ratio", TargetKind::point, 0.66405,
       0.73395},
  };
  for (const auto& c : cases) {
    const Target t = one_target(c.row);
    INFO(c.row);
    CHECK(t.kind == c.kind);
    CHECK(t.low() == Approx(c.low).epsilon(1e-12));
    CHECK(t.high() == Approx(c.high).epsilon(1e-12));
    // The ends are in, as written (299000 is "more than 260,000" by 15 %).
    CHECK(within(t, c.low));
    CHECK(within(t, c.high));
    CHECK(within(t, 0.5 * (c.low + c.high)));
    CHECK_FALSE(within(t, below(c.low)));
    CHECK_FALSE(within(t, above(c.high)));
    CHECK_FALSE(within(t, std::numeric_limits<double>::quiet_NaN()));
    // A check by the mean of replications uses the same interval.
    CHECK(check_value(t, sim::estimate(std::vector<double>{c.high, c.high})).pass);
    CHECK_FALSE(check_value(t, sim::estimate(std::vector<double>{above(c.high), above(c.high)})).pass);
    CHECK_FALSE(check_value(t, sim::estimate(std::vector<double>{below(c.low)})).pass);
  }
  // "More than X" is not X ± 5 %: 4 % under fails, 10 % over passes.
  const Target more = one_target("ice_bookings,national,2011-05-31,260000,more_than,5%,x");
  CHECK_FALSE(within(more, 260000 * 0.96));
  CHECK(within(more, 260000 * 1.10));
  CHECK(more.interval_text() == "more_than [260000, 299000]");
}

TEST_CASE("the calibration residual of a range figure is 0 inside its interval and the distance to it outside; a point is aimed at",
          "[targets][kind][calibration]") {
  const Target t = one_target("ice_bookings,national,2011-05-31,100000,more_than,5%,x");  // [100000, 115000]
  CHECK(target_residual(t, 100000) == 0);
  CHECK(target_residual(t, 107000) == 0);
  CHECK(target_residual(t, 115000) == 0);
  // Outside: distance to the nearer end over value x tolerance (5,000 here).
  CHECK(target_residual(t, 95000) == Approx(-1));
  CHECK(target_residual(t, 125000) == Approx(2));
  const Target a = one_target("ice_bookings,national,2011-05-31,100000,approx,2%,x");  // [95000, 105000], unit 2,000
  CHECK(target_residual(a, 95000) == 0);
  CHECK(target_residual(a, 104000) == 0);
  CHECK(target_residual(a, 109000) == Approx(2));
  const Target j = one_target("ice_bookings,national,2011-05-31,100000,just_over,5%,x");  // [100000, 105000]
  CHECK(target_residual(j, 102000) == 0);
  CHECK(target_residual(j, 99000) == Approx(-0.2));
  // A point or exact figure is aimed at, as before kinds: its tolerance is the unit.
  for (const char* kind : {"point", "exact"}) {
    const Target p = one_target(std::string("ice_bookings,national,2011-05-31,100000,") + kind + ",5%,x");
    CHECK(target_residual(p, 100000) == 0);
    CHECK(target_residual(p, 104000) == Approx(0.8));
    CHECK(target_residual(p, 90000) == Approx(-2));
  }
}

TEST_CASE("a targets file without the kind column reads every target as a point figure", "[targets][kind]") {
  const Targets t = parse_targets(std::string(kHeader) + "ice_bookings,national,2011-05-31,260000,5%,x\n", "t.csv");
  REQUIRE(t.items.size() == 1);
  CHECK(t.items[0].kind == TargetKind::point);
  CHECK(t.items[0].low() == Approx(247000));
  CHECK(t.items[0].high() == Approx(273000));
  CHECK(t.items[0].source == "x");
}

TEST_CASE("a malformed kind is refused with its file, line, column and the kinds there are", "[targets][kind][errors]") {
  auto e = parse_error(std::string(kKindHeader) + "removals,national,2011-05-31,1,more_than,5%,x\n" +
                       "removals,national,2011-05-31,1,morethan,5%,x\n");
  CHECK(e.file == "t.csv");
  CHECK(e.line == 3);
  CHECK(e.column == 32);
  CHECK(e.key_path == "kind");
  CHECK(e.message == "unknown kind 'morethan' (expected point, exact, more_than, approx, just_over or less_than); did you mean "
                     "'more_than'?");
  CHECK(std::string(e.what()).rfind("t.csv:3:32: kind: ", 0) == 0);

  e = parse_error(std::string(kKindHeader) + "removals,national,2011-05-31,1,,5%,x\n");
  CHECK(e.line == 2);
  CHECK(e.key_path == "kind");
  CHECK(e.message.find("value is required") == 0);

  e = parse_error(std::string(kKindHeader) + "removals,national,2011-05-31,1,Approx,5%,x\n");
  CHECK(e.message.find("unknown kind 'Approx'") == 0);

  // The kind column goes between value and tolerance; a row must have all seven.
  e = parse_error("metric,scope,as_of,value,tolerance,kind,source\n");
  CHECK(e.key_path == "source");
  e = parse_error(std::string(kKindHeader) + "removals,national,2011-05-31,1,5%,x\n");
  CHECK(e.message == "expected 7 columns, found 6");
  // A tolerance is still required: it is the unit of calibration residuals.
  e = parse_error(std::string(kKindHeader) + "removals,national,2011-05-31,1,approx,,x\n");
  CHECK(e.key_path == "tolerance");
}

TEST_CASE("targets_check.csv records each target's kind and interval", "[targets][kind]") {
  const Targets t = parse_targets(std::string(kKindHeader) + "bookings,national,2011-03-31,100,more_than,5%,x\n", "t.csv");
  const std::vector<TargetCheck> checks{check_value(t.items[0], sim::estimate(std::vector<double>{110, 112}))};
  const std::string csv = targets_check_csv(checks);
  CHECK(csv.rfind("metric,scope,as_of,observed,simulated_mean,ci95_low,ci95_high,relative_error,kind,interval_low,"
                  "interval_high,tolerance,pass,replications,source\n",
                  0) == 0);
  CHECK(csv.find(",more_than,100,115,0.05,true,2,x\n") != std::string::npos);
}
