// The dated facts of the national rollout as data (data/sc_rollout/): the
// shipped files hold what national.cpp had written in code, and every
// malformed file stops at an error naming its file, line, column and column.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "models/population/national.hpp"
#include "models/population/rollout_data.hpp"
#include "models/scenario/error.hpp"

using namespace scsim;

namespace {

const std::string kRolloutDir = std::string(SCSIM_TEST_DIR) + "/../data/sc_rollout";

sim::Date D(const char* iso) { return sim::parse_date(iso); }

/// The error `parse` must stop with on `text`.
template <class Parse>
void expect_error(Parse parse, const std::string& text, int line, int column, const std::string& key,
                  const std::string& message) {
  try {
    parse(text, "x.csv");
    FAIL("accepted:\n" << text);
  } catch (const ScenarioError& e) {
    INFO(e.what());
    CHECK(e.file == "x.csv");
    CHECK(e.line == line);
    CHECK(e.column == column);
    CHECK(e.key_path == key);
    CHECK_THAT(e.message, Catch::Contains(message));
  }
}

/// A copy of the shipped directory in a fresh temporary one, `file` replaced by `text`.
std::string dir_with(const std::string& file, const std::string& text) {
  static int n = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("scsim_rollout_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const auto& e : std::filesystem::directory_iterator(kRolloutDir))
    std::filesystem::copy_file(e.path(), dir / e.path().filename());
  if (text.empty())
    std::filesystem::remove(dir / file);
  else
    std::ofstream(dir / file, std::ios::binary | std::ios::trunc) << text;
  return dir.string();
}

}  // namespace

TEST_CASE("the shipped rollout data holds the tables national.cpp had in code, refusals aside",
          "[national][rollout]") {
  const RolloutData d = read_rollout_data(kRolloutDir);
  // kRolloutTable (DOMAIN.md §3 with the dates given to its rows, the seed's 7 and 1,167).
  const std::vector<std::pair<const char*, int>> counties{
      {"2008-10-27", 7},    {"2008-12-31", 14},   {"2009-09-30", 88},   {"2009-10-27", 95},
      {"2010-09-01", 574},  {"2010-09-30", 658},  {"2011-03-01", 1123}, {"2011-05-31", 1167},
      {"2011-06-30", 1417}, {"2011-09-30", 1595}, {"2013-01-22", 3181}};
  REQUIRE(d.counties.size() == counties.size());
  for (std::size_t i = 0; i < counties.size(); ++i) {
    CHECK(d.counties[i].date == D(counties[i].first));
    CHECK(d.counties[i].count == counties[i].second);
    CHECK_FALSE(d.counties[i].source.empty());
  }
  CHECK(d.counties[7].source == "seed: operating in 1167 jurisdictions as of May 31 2011");
  CHECK(d.program_start() == D("2008-10-27"));
  CHECK(d.all_activated() == D("2013-01-22"));
  // kStatesStarted.
  const std::vector<std::pair<const char*, int>> states{{"2008-10-27", 3},  {"2009-10-27", 11}, {"2010-09-01", 30},
                                                        {"2010-09-30", 32}, {"2011-03-01", 40}, {"2011-09-30", 44},
                                                        {"2012-06-30", 51}};
  REQUIRE(d.states_started.size() == states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    CHECK(d.states_started[i].date == D(states[i].first));
    CHECK(d.states_started[i].count == states[i].second);
  }
  // kFixedRamps.
  const std::map<std::string, std::vector<std::pair<const char*, double>>> ramps{
      {"TX", {{"2008-10-27", 0.26}, {"2009-10-27", 0.45}, {"2010-09-28", 1.0}}},
      {"CA",
       {{"2009-05-25", 0.0},
        {"2009-05-26", 0.083},
        {"2009-08-26", 0.083},
        {"2009-08-27", 0.346},
        {"2009-10-27", 0.37},
        {"2011-02-28", 1.0}}},
      {"MA", {{"2008-10-27", 0.11}, {"2012-05-14", 0.11}, {"2012-05-15", 1.0}}},
      {"NY",
       {{"2011-01-10", 0.0}, {"2011-01-11", 0.02}, {"2011-06-01", 0.25}, {"2012-05-14", 0.25}, {"2012-05-15", 1.0}}},
      // Illinois's plateau from Mar 1 to Aug 5 2011 was its refusal: now the state_refuses policy of
      // us_2008_2011.yaml (IL, May 4 to Aug 5 2011); the ramp keeps only where ICE activated SC.
      {"IL", {{"2009-11-23", 0.0}, {"2009-11-24", 0.11}, {"2011-03-01", 0.25}, {"2013-01-22", 1.0}}},
  };
  REQUIRE(d.state_ramps.size() == ramps.size());
  for (const auto& s : d.state_ramps) {
    INFO(s.state);
    REQUIRE(ramps.count(s.state) == 1);
    const auto& want = ramps.at(s.state);
    REQUIRE(s.ramp.size() == want.size());
    REQUIRE(s.sources.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      CHECK(s.ramp[i].date == D(want[i].first));
      CHECK(s.ramp[i].fraction == want[i].second);  // exactly: the same decimal text
      CHECK_FALSE(s.sources[i].empty());
    }
  }
  // kForcedStarts and kPilotFloors (North Carolina's pilots: the floor from the program start).
  REQUIRE(d.forced_starts.size() == 4);
  const std::map<std::string, std::pair<const char*, double>> starts{{"NC", {"2008-10-27", 0.15}},
                                                                     {"LA", {"2009-11-01", 0.0}},
                                                                     {"VA", {"2009-03-08", 0.0}},
                                                                     {"FL", {"2009-06-30", 0.0}}};
  for (const auto& f : d.forced_starts) {
    INFO(f.state);
    REQUIRE(starts.count(f.state) == 1);
    CHECK(f.start == D(starts.at(f.state).first));
    CHECK(f.floor == starts.at(f.state).second);
  }
  CHECK(d.forced_starts[1].source == "seed: \"since Secure Communities began there in November of 2009\"");
  // kBorderFirst, in order.
  REQUIRE(d.border_first.size() == 2);
  CHECK(d.border_first[0].state == "AZ");
  CHECK(d.border_first[1].state == "NM");
}

TEST_CASE("malformed rollout CSVs stop with file, line, column and column name", "[national][rollout]") {
  const std::string head = "date,counties,source\n";
  expect_error(parse_national_counts, "date,count,source\n", 1, 6, "counties", "header has 'count'");
  expect_error(parse_national_counts, "date,counties\n", 1, 14, "source", "header lacks column 'source'");
  expect_error(parse_national_counts, head + "2008-10-27,7\n", 2, 13, "source", "expected 3 columns, found 2");
  expect_error(parse_national_counts, head + "2008-10-27,7,a,b\n", 2, 16, "source", "expected 3 columns, found 4");
  expect_error(parse_national_counts, head + "2008-10-27,7,\"open\n", 2, 14, "source", "unterminated quote");
  expect_error(parse_national_counts, head + "2008-13-01,7,s\n2013-01-22,3181,s\n", 2, 1, "date",
               "'2008-13-01' is not a date");
  expect_error(parse_national_counts, head + "2008-10-27,seven,s\n", 2, 12, "counties", "a whole number");
  expect_error(parse_national_counts, head + "2008-10-27,4000,s\n", 2, 12, "counties", "outside [0, 3181]");
  expect_error(parse_national_counts, head + "2008-10-27,7,\n", 2, 14, "source", "a source is required");
  expect_error(parse_national_counts, head + "2009-10-27,7,s\n2008-10-27,14,s\n", 3, 1, "date",
               "dates must increase: 2008-10-27 is not after 2009-10-27");
  expect_error(parse_national_counts, head + "2008-10-27,14,s\n2009-10-27,7,s\n", 3, 12, "counties",
               "fall from 14 to 7");
  expect_error(parse_national_counts, head + "2008-10-27,7,s\n2013-01-22,3000,s\n", 3, 12, "counties",
               "the last row must count all 3181 counties");
  expect_error(parse_national_counts, head, 1, 1, "date", "no rows after the header");
  expect_error(parse_national_counts, "", 1, 1, "date", "empty file");
  expect_error(parse_national_counts, head + "\n2008-10-27,7,s\n", 2, 1, "date", "blank line");
  expect_error(parse_states_started, "date,states,source\n2008-10-27,52,s\n", 2, 12, "states", "outside [0, 51]");

  const std::string ramp = "state,date,coverage,source\n";
  expect_error(parse_state_ramps, ramp + "PR,2009-01-01,0.5,s\n", 2, 1, "state", "'PR' is not the postal code");
  expect_error(parse_state_ramps, ramp + "TX,2009-01-01,1.5,s\n", 2, 15, "coverage", "'1.5' is outside [0, 1]");
  expect_error(parse_state_ramps, ramp + "TX,2009-01-01,-0.1,s\n", 2, 15, "coverage", "outside [0, 1]");
  expect_error(parse_state_ramps, ramp + "TX,2009-01-01,nan,s\n", 2, 15, "coverage", "'nan'");
  expect_error(parse_state_ramps, ramp + "TX,2009-01-01,0.5,s\nTX,2009-01-01,0.6,s\n", 3, 4, "date",
               "dates must increase");
  expect_error(parse_state_ramps, ramp + "TX,2009-01-01,0.5,s\nTX,2009-02-01,0.4,s\n", 3, 15, "coverage",
               "coverage falls from 0.5 to 0.4");
  expect_error(parse_state_ramps, ramp + "TX,2009-01-01,0.5,s\nCA,2009-01-01,0.5,s\nTX,2010-01-01,1,s\n", 4, 1,
               "state", "second row for TX (first at line 2)");

  const std::string start = "state,start,floor,source\n";
  expect_error(parse_forced_starts, start + "VA,2009-03-08,2,s\n", 2, 15, "floor", "outside [0, 1]");
  expect_error(parse_forced_starts, start + "VA,2009-03-08,0,s\nVA,2009-04-08,0,s\n", 3, 1, "state",
               "second row for VA");
  expect_error(parse_border_first, "state,source\nAZ,s\nXX,s\n", 3, 1, "state", "'XX' is not the postal code");
}

TEST_CASE("a missing rollout file or a state in two roles is an error naming the file", "[national][rollout]") {
  const std::string missing = dir_with("state_ramps.csv", "");
  try {
    read_rollout_data(missing);
    FAIL("accepted a directory without state_ramps.csv");
  } catch (const ScenarioError& e) {
    INFO(e.what());
    CHECK(e.file == (std::filesystem::path(missing) / "state_ramps.csv").string());
    CHECK(e.key_path == "national.rollout_dir");
    CHECK(e.kind == ScenarioError::Kind::io);
  }
  const std::string twice = dir_with("forced_starts.csv", "state,start,floor,source\nLA,2009-11-01,0,s\nTX,2009-01-01,0,s\n");
  try {
    read_rollout_data(twice);
    FAIL("accepted Texas with a ramp and a forced start");
  } catch (const ScenarioError& e) {
    INFO(e.what());
    CHECK(e.file == (std::filesystem::path(twice) / "forced_starts.csv").string());
    CHECK(e.line == 3);
    CHECK(e.key_path == "state");
    CHECK_THAT(e.message, Catch::Contains("TX has a ramp in state_ramps.csv"));
  }
  const std::string border = dir_with("border_first.csv", "state,source\nAZ,s\nLA,s\n");
  CHECK_THROWS_WITH(read_rollout_data(border), Catch::Contains("border_first.csv:3:1: state: LA already has"));
  std::filesystem::remove_all(missing);
  std::filesystem::remove_all(twice);
  std::filesystem::remove_all(border);
}

TEST_CASE("build_national reads the rollout from spec.rollout_dir, by default beside the jail data",
          "[national][rollout]") {
  NationalSpec s;
  s.data_file = std::string(SCSIM_TEST_DIR) + "/../data/us_state_jails_2005_2016.csv";
  CHECK(std::filesystem::equivalent(default_rollout_dir(s.data_file), kRolloutDir));
  const auto by_default = build_national(s, Jurisdiction{});
  // Texas complete a year earlier in a copy of the data: only the rollout changes.
  s.rollout_dir = dir_with("state_ramps.csv", "state,date,coverage,source\nTX,2008-10-27,0.26,s\nTX,2009-09-28,1,s\n");
  const auto faster = build_national(s, Jurisdiction{});
  REQUIRE(faster.size() == by_default.size());
  for (std::size_t i = 0; i < faster.size(); ++i) {
    if (faster[i].state != "TX") continue;
    CHECK(coverage_at(by_default[i].coverage, D("2009-10-01")) < 1.0);
    CHECK(coverage_at(faster[i].coverage, D("2009-10-01")) == 1.0);
  }
  std::filesystem::remove_all(s.rollout_dir);
  s.rollout_dir = "/nonexistent/sc_rollout";
  CHECK_THROWS_WITH(build_national(s, Jurisdiction{}), Catch::Contains("/nonexistent/sc_rollout/national_counts.csv"));
}
