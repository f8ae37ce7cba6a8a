#pragma once
/// The dated facts of the national rollout, read from CSV files (data/sc_rollout/,
/// described in data/README.md): how many counties and states had Secure
/// Communities at dated points, the states whose ramps are written from dated
/// facts, the states whose first activation is dated, and the states that go
/// first. models/population/national.cpp builds the states' coverage ramps from
/// them; how it does that (the method) stays in the code.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "sim/calendar.hpp"

namespace scsim {

/// US counties and county equivalents in DOMAIN.md §3's table.
inline constexpr int kUsCounties = 3181;

/// The 50 states + DC by postal code.
inline constexpr std::array<std::string_view, 51> kStateCodes{
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS",
    "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV",
    "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY"};
bool is_state_code(std::string_view s);

/// A count at a date (activated counties, or states with an activated county).
struct DatedCount {
  sim::Date date;
  int count = 0;
  std::string source;  // where the number and the choice of date come from
  int line = 0;        // 1-based line in its file
};

/// A state whose coverage ramp is written down from dated facts rather than solved for.
struct StateRamp {
  std::string state;
  std::vector<CoveragePoint> ramp;   // dates strictly increasing, coverage non-decreasing
  std::vector<std::string> sources;  // one per point
  int line = 0;                      // the state's first line in its file
};

/// A state that follows the national progress from a dated first activation.
struct ForcedStart {
  std::string state;
  sim::Date start;    // progress counts from this day (coverage is positive from the next day)
  double floor = 0;   // share of the state's bookings covered from `start` (pilot counties)
  std::string source;
  int line = 0;
};

/// A state that starts before the others are ranked by Latinx share.
struct FirstState {
  std::string state;
  std::string source;
  int line = 0;
};

/// The files of a rollout directory and their columns.
inline constexpr std::string_view kNationalCountsFile = "national_counts.csv";
inline constexpr std::string_view kStatesStartedFile = "states_started.csv";
inline constexpr std::string_view kStateRampsFile = "state_ramps.csv";
inline constexpr std::string_view kForcedStartsFile = "forced_starts.csv";
inline constexpr std::string_view kBorderFirstFile = "border_first.csv";

struct RolloutData {
  std::vector<DatedCount> counties;        // national_counts.csv: activated counties, last row all 3,181
  std::vector<DatedCount> states_started;  // states_started.csv: states (of the 51) with an activated county
  std::vector<StateRamp> state_ramps;      // state_ramps.csv
  std::vector<ForcedStart> forced_starts;  // forced_starts.csv
  std::vector<FirstState> border_first;    // border_first.csv, in file order

  /// The first date of the county table (the seven pilots) and the date all counties were activated.
  sim::Date program_start() const { return counties.front().date; }
  sim::Date all_activated() const { return counties.back().date; }
  /// The state counts as a ramp (count in `fraction`), read with coverage_at.
  std::vector<CoveragePoint> states_started_ramp() const;
};

/// Reads the five files of `dir` strictly (header, columns, dates, known
/// state codes, order, ranges; see data/README.md) and checks them against
/// one another. Throws ScenarioError naming the file, line, column and column
/// name; a missing file is an error at the file (key national.rollout_dir).
RolloutData read_rollout_data(const std::string& dir);

/// Each file's reader, from text (tests); messages name `path`.
std::vector<DatedCount> parse_national_counts(std::string_view text, const std::string& path);
std::vector<DatedCount> parse_states_started(std::string_view text, const std::string& path);
std::vector<StateRamp> parse_state_ramps(std::string_view text, const std::string& path);
std::vector<ForcedStart> parse_forced_starts(std::string_view text, const std::string& path);
std::vector<FirstState> parse_border_first(std::string_view text, const std::string& path);

}  // namespace scsim
